//! The round trip of a spreadsheet: every table of the frozen dataset saved as a spreadsheet
//! program saves CSV with a Norwegian locale (semicolons, quotes around every cell, CRLF,
//! decimal commas, `28%`, `29.04.2013`, `TRUE`; in Windows-1252, UTF-16 with a byte-order mark
//! or UTF-8 with one), then `fix` (safe fixes only) and `fmt`: the files are byte for byte the
//! frozen dataset again, and the check finds what it finds in the dataset.

use ingest::{DataDir, Sheet};
use model::{Decimal, FromCell, PartialDate, Period, TableId};
use tests::{dataset, listing};
use validate::repair::{RepairOptions, repair};

/// How the spreadsheet program encodes what it saves.
#[derive(Clone, Copy, Debug)]
enum Saved {
    Windows1252,
    Utf16LeWithBom,
    Utf8WithBom,
}

/// A cell as a spreadsheet program with a Norwegian locale writes it.
fn as_spreadsheet_writes(expected: &str, column: &str, text: &str) -> String {
    let decimal = expected == <Decimal as FromCell<'_>>::EXPECTED;
    let date = expected == <PartialDate as FromCell<'_>>::EXPECTED || expected == <Period as FromCell<'_>>::EXPECTED;
    if decimal && !text.is_empty() {
        let comma = text.replace('.', ",");
        return if column.ends_with("_pct") { format!("{comma}%") } else { comma };
    }
    if date && text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
        return format!("{}.{}.{}", &text[8..10], &text[5..7], &text[..4]);
    }
    match text {
        "true" => "TRUE".to_owned(),
        "false" => "FALSE".to_owned(),
        other => other.to_owned(),
    }
}

/// A table saved by the spreadsheet program: every cell quoted, `;` between cells, CRLF.
fn saved(table: TableId, sheet: &Sheet, saved: Saved) -> Vec<u8> {
    let def = table.def();
    let quoted = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut text = sheet.columns.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(";");
    text.push_str("\r\n");
    for row in &sheet.rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .zip(&sheet.columns)
            .map(|(cell, column)| {
                let expected = def.columns[def.column_index(column).expect("a declared column")].expected;
                quoted(&as_spreadsheet_writes(expected, column, cell))
            })
            .collect();
        text.push_str(&cells.join(";"));
        text.push_str("\r\n");
    }
    match saved {
        Saved::Windows1252 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            assert!(!unmappable, "{}: a character Windows-1252 cannot hold", table.file());
            bytes.into_owned()
        }
        Saved::Utf16LeWithBom => {
            [b"\xff\xfe".as_slice(), &text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()].concat()
        }
        Saved::Utf8WithBom => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
    }
}

fn round_trip(how: Saved) {
    let original = dataset();
    let originals: Vec<Vec<u8>> =
        TableId::ALL.iter().map(|&t| original.file(t).bytes.clone().expect("every table is in the dataset")).collect();
    let exported: Vec<Option<Vec<u8>>> =
        TableId::ALL.iter().map(|&t| Some(saved(t, &Sheet::read(original.file(t)), how))).collect();
    assert!(exported.iter().zip(&originals).all(|(e, o)| e.as_deref() != Some(o.as_slice())));

    let fixed = repair("data", exported, &RepairOptions::default());
    let fixed_by = |rule: &str| fixed.fixed.iter().filter(|f| f.rule().as_str() == rule).count();
    assert_eq!(fixed_by("file/dialect"), TableId::ALL.len(), "{how:?}: every file converted");
    let messages: Vec<&str> = fixed.fixed.iter().map(|f| f.message.as_str()).collect();
    for spreadsheet_form in ["TRUE", "FALSE", "28%", "1,2%", "10,3", "29.04.2013"] {
        let told = format!("is `{spreadsheet_form}`:");
        assert!(messages.iter().any(|m| m.contains(&told)), "{how:?}: no `{spreadsheet_form}` fixed: {messages:#?}");
    }
    let dir = DataDir::from_memory("data", |t| fixed.files[t as usize].clone());
    let (_, problems) = ingest::parse(&dir);
    let mut formatted = Vec::new();
    for &table in TableId::ALL {
        let bytes = ingest::canonical::canonical(dir.file(table), &problems)
            .unwrap_or_else(|reason| panic!("{how:?} {}: {reason}", table.file()))
            .expect("the file is there");
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&originals[table as usize]),
            "{how:?}: {} after fix and fmt",
            table.file()
        );
        formatted.push(bytes);
    }
    let after = validate::check_dir(&DataDir::from_memory("data", |t| Some(formatted[t as usize].clone())));
    assert!(after.findings.iter().all(|f| f.acknowledged.is_some()), "{how:?}:\n{}", listing(&after));
    assert_eq!(listing(&after), listing(&validate::check_dir(&original)));
}

#[test]
fn a_windows_1252_spreadsheet_export_comes_back_byte_for_byte() {
    round_trip(Saved::Windows1252);
}

#[test]
fn a_utf_16_spreadsheet_export_comes_back_byte_for_byte() {
    round_trip(Saved::Utf16LeWithBom);
}

#[test]
fn a_utf_8_spreadsheet_export_with_a_byte_order_mark_comes_back_byte_for_byte() {
    round_trip(Saved::Utf8WithBom);
}
