//! The real dataset in `data/`: it checks clean, and broken copies of it are caught at the
//! exact cell.

use tests::workspace_root;

fn real_data() -> ingest::DataDir {
    ingest::read_dir_as(&workspace_root().join("data"), "data").expect("data/ is readable")
}

#[test]
fn the_dataset_checks_clean() {
    let dir = real_data();
    let report = validate::check_dir(&dir);
    let listing = tests::listing(&report);
    assert!(report.findings.iter().all(|f| f.acknowledged.is_some()), "data/ has findings:\n{listing}");
    assert!(report.summary.records > 150, "data/ lost rows: {}", report.summary.records);
    assert_eq!(report.summary.files, model::TableId::ALL.len());
}

#[test]
fn making_any_typed_cell_unparseable_is_caught_at_that_cell() {
    // For every table, every row and every column whose type is not free text, write a value
    // no type accepts and expect exactly that file, line and column.
    let dir = real_data();
    let mut checked = 0;
    for file in &dir.files {
        let def = file.table.def();
        let text = String::from_utf8(file.bytes.clone().unwrap_or_default()).expect("data is UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        for (column_index, column) in def.columns.iter().enumerate() {
            if column.expected == "text" {
                continue;
            }
            for (line_index, line) in lines.iter().enumerate().skip(1) {
                // The data has no quoted cell in typed columns, so splitting on commas outside
                // quotes finds the cell.
                let cells = split_cells(line);
                let mut broken = cells.clone();
                broken[column_index] = "#?".to_owned();
                let mut new_lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                new_lines[line_index] = broken.join(",");
                let new_text = new_lines.join("\n") + "\n";
                let copy = ingest::DataDir::from_memory("data", |t| {
                    if t == file.table { Some(new_text.clone().into_bytes()) } else { dir.files.iter().find(|f| f.table == t)?.bytes.clone() }
                });
                let report = validate::check_dir(&copy);
                let line_no = u32::try_from(line_index + 1).unwrap();
                let hit = report.findings.iter().find(|f| f.rule == "cell/invalid");
                let hit = hit.unwrap_or_else(|| panic!("{}:{line_no} {}: not caught", file.name, column.name));
                assert_eq!((hit.file.as_str(), hit.line, hit.column.as_deref()), (file.name.as_str(), line_no, Some(column.name)));
                assert!(!report.passed());
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} cells were tried");
}

fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => cells.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    cells.push(current);
    cells
}
