//! Hostile text in a cell is inert in every output, spreadsheet formulas are flagged, and
//! only files inside the data folder are read.

use hostile::with_table;
use model::TableId;
use report::human::HumanOptions;

const COMMODITY_HEADER: &str = "reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n";

fn commodities(rows: &str) -> Vec<u8> {
    format!("{COMMODITY_HEADER}{rows}").into_bytes()
}

#[test]
fn terminal_escapes_and_control_characters_are_shown_escaped() {
    // An ANSI colour, a cursor move, an OSC 8 hyperlink, a bell and a NUL, in a cell that
    // fails to parse (ingest quotes it), in a source id that resolves nowhere (a rule quotes
    // it) and in a header name.
    let file = commodities(
        "NO,JP,2011,export,1,\u{1b}[31mRed\u{1b}[0m,\u{1b}[2J9\u{0},NOK billion,28,no-jp-2015\n\
         NO,JP,2011,export,2,Kjemiske produkter,2.2,NOK billion,22,\u{1b}]8;;http://evil\u{7}x\u{1b}]8;;\u{7}\n",
    );
    let dir = with_table(TableId::TradeCommodities, &file);
    let report = hostile::run(&dir).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule().as_str()).collect();
    assert!(rules.contains(&"cell/invalid") && rules.contains(&"key/reference"), "{rules:?}");
    for options in [HumanOptions::default(), HumanOptions { color: true, ..HumanOptions::default() }] {
        let human = report::human::human(&report, options);
        // With colour on, the only escapes are miette's own colours, never a cell's.
        assert!(!human.contains("\u{1b}[2J") && !human.contains("\u{1b}]8") && !human.contains('\u{7}'));
        assert!(!human.contains('\u{0}'));
    }
    let human = report::human::human(&report, HumanOptions::default());
    assert!(!human.contains('\u{1b}'), "{human}");
    // The snippet and the messages show control pictures, by the one character policy.
    assert!(human.contains("␛[31mRed"), "{human}");
    assert!(human.contains("`␛[2J9␀`"), "{human}");
    assert!(human.contains("`␛]8;;http://evil␇x␛]8;;␇`"), "{human}");
    let json = report::findings_json::json(&report);
    assert!(!json.contains('\u{1b}') && !json.contains('\u{7}'));

    let header = "reporter,partner,year,flow,rank,\u{1b}[31mcommodity,value,unit,share_pct,source\n".to_owned();
    let report = hostile::run(&with_table(TableId::TradeCommodities, header.as_bytes())).unwrap();
    assert!(report.findings.iter().any(|f| f.rule().as_str() == "header/unknown-column"));
    assert!(!report::human::human(&report, HumanOptions::default()).contains('\u{1b}'));
}

#[test]
fn text_that_reorders_the_screen_is_escaped() {
    let file = commodities("NO,JP,2011,export,1,Biler,4.3,NOK billion,39,no-jp\u{202e}5102-\n");
    let report = hostile::run(&with_table(TableId::TradeCommodities, &file)).unwrap();
    let human = report::human::human(&report, HumanOptions::default());
    assert!(!human.contains('\u{202e}'), "{human}");
    assert!(human.contains("⟨U+202E⟩"), "{human}");
}

#[test]
fn cell_text_cannot_inject_github_workflow_commands() {
    let attack = "\"x\n::error file=evil.rs,line=1::pwned\r\n::add-mask::y %0A::warning::z ##[add-mask]secret ##[set-env name=A;]b\"";
    let file = commodities(&format!("NO,JP,2011,export,1,Biler,4.3,NOK billion,39,{attack}\n"));
    let report = hostile::run(&with_table(TableId::TradeCommodities, &file)).unwrap();
    assert!(report.findings.iter().any(|f| f.rule().as_str() == "key/reference"));
    let github = report::github::github(&report, &|_| true);
    hostile::inert_in_github(&github).unwrap();
    for line in github.lines() {
        let line = line.trim_start();
        assert!(!line.starts_with("::error file=evil") && !line.starts_with("::add-mask"), "{line}");
        assert!(!line.contains("##[add-mask]") && !line.contains("##[set-env"), "{line}");
    }
    // The message is still there, its line breaks shown as symbols, for the reader.
    assert!(github.contains("`x⏎::error file=evil.rs,line=1::pwned⏎::add-mask::y %250A"), "{github}");
}

#[test]
fn a_text_cell_that_a_spreadsheet_would_run_gets_a_warning() {
    for start in ["=", "+", "-", "@"] {
        let commodity = format!("{start}HYPERLINK(\"http://x\")");
        let mut file = COMMODITY_HEADER.as_bytes().to_vec();
        synth::push_row(
            &mut file,
            &["NO", "JP", "2011", "export", "1", &commodity, "4.3", "NOK billion", "39", "no-jp-2015"],
        );
        let report = hostile::run(&with_table(TableId::TradeCommodities, &file)).unwrap();
        let formulas: Vec<_> = report.findings.iter().filter(|f| f.rule().as_str() == "cell/formula").collect();
        assert_eq!(formulas.len(), 1, "{start}: {:?}", report.findings);
        let finding = formulas[0];
        assert_eq!((finding.line, finding.column.as_deref()), (2, Some("commodity")));
        assert_eq!(finding.severity, diagnostic::Severity::Warning);
        assert!(finding.help.as_deref().is_some_and(|h| h.contains("spreadsheet")));
    }
    // A negative number is a number, not a formula: other rules judge it.
    let file = commodities("NO,JP,2011,export,1,Biler,-4.3,NOK billion,39,no-jp-2015\n");
    let report = hostile::run(&with_table(TableId::TradeCommodities, &file)).unwrap();
    assert!(report.findings.iter().all(|f| f.rule().as_str() != "cell/formula"), "{:?}", report.findings);
    // The frozen dataset has no such cell.
    let report = hostile::run(&hostile::data_dir(&[0x80 | 5])).unwrap();
    assert!(report.findings.iter().all(|f| f.rule().as_str() != "cell/formula"));
}

/// A copy of the frozen dataset in a fresh temporary folder, removed when dropped (also when
/// the test fails).
fn temporary_copy(name: &str) -> tempfile::TempDir {
    let root =
        tempfile::Builder::new().prefix(&format!("bilat-hostile-{name}-")).tempdir().expect("a temporary folder");
    let data = root.path().join("data");
    std::fs::create_dir_all(&data).expect("a temporary folder");
    for table in TableId::ALL {
        std::fs::write(data.join(table.file()), hostile::sample(*table)).expect("a temporary file");
    }
    root
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_data_folder_is_refused() {
    let root = temporary_copy("symlink");
    let data = root.path().join("data");
    let outside = root.path().join("outside.csv");
    std::fs::write(&outside, hostile::sample(TableId::Trade)).unwrap();
    std::fs::remove_file(data.join("trade.csv")).unwrap();
    std::os::unix::fs::symlink(&outside, data.join("trade.csv")).unwrap();
    // A link that stays inside the folder is read.
    std::fs::rename(data.join("residents.csv"), data.join("residents-2011.csv")).unwrap();
    std::os::unix::fs::symlink("residents-2011.csv", data.join("residents.csv")).unwrap();

    let dir = ingest::read_dir(&data).unwrap();
    let trade = dir.files().iter().find(|f| f.table == TableId::Trade).unwrap();
    assert!(trade.bytes.is_none(), "the file outside was read");
    let residents = dir.files().iter().find(|f| f.table == TableId::Residents).unwrap();
    assert!(residents.bytes.is_some());
    let report = hostile::run(&dir).unwrap();
    let refused: Vec<_> = report.findings.iter().filter(|f| f.rule().as_str() == "file/outside-data-folder").collect();
    assert_eq!(refused.len(), 1, "{:?}", report.findings);
    assert!(refused[0].file.ends_with("trade.csv"));
    assert!(!report.passed());
    root.close().unwrap();
}

#[test]
fn a_stray_file_name_cannot_drive_the_terminal() {
    let dir = hostile::with_table(TableId::Trade, hostile::sample(TableId::Trade)).with_other_files(vec![
        "data/\u{1b}[31mtrade.csv".to_owned(),
        "data/trade\u{202e}vsc.csv".to_owned(),
        "data/line\nbreak.csv".to_owned(),
    ]);
    let report = hostile::run(&dir).unwrap();
    let stray: Vec<&str> =
        report.findings.iter().filter(|f| f.rule().as_str() == "file/stray").map(|f| f.file.as_str()).collect();
    // Names are shown by the character policy, on one line (in the order of the raw names).
    assert_eq!(stray, ["data/␛[31mtrade.csv", "data/line⏎break.csv", "data/trade⟨U+202E⟩vsc.csv"]);
}
