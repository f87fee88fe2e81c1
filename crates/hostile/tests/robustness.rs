//! Random CSV-shaped input as every table, through ingest, every rule and every output:
//! nothing panics and every finding points inside its file. The same harness as the fuzz
//! target (`fuzz/`), so that CI exercises it on stable Rust; the fuzzer's crashes are replayed
//! from `fuzz/regressions/`, and its seeds of known hard shapes from `fuzz/seeds/`.

use std::path::Path;

use model::TableId;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cell bytes: plausible values, CSV syntax, control characters, invalid UTF-8.
fn cell() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "", "NO", "JP", "KH", "jp", "2011", "2011-03/2011-04", "2004-10", "2010-05-27", "29.04.2013", "export",
            "import", "1", "0", "-1", "2.9", "2,9", "28%", "NOK billion", "NOK million", "exact", "near_zero",
            "no-jp-2015", "no-kh-2013", "khno-2011-1", "true", "false", "diplomatic_relations", "=1+1", "@x", " padded ",
            "trade/commodity-share", "trade_commodities.csv", "NO/JP/2011/export/2", "share_pct", "99999999999999999999",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        2 => "[ -~]{0,10}".prop_map(String::into_bytes),
        1 => "\\PC{0,6}".prop_map(String::into_bytes),
        1 => prop::collection::vec(prop::sample::select(b"\",\r\n \x1b\x00\t\xef\xbb\xbf\xff".to_vec()), 0..5),
        1 => prop::collection::vec(any::<u8>(), 0..6),
    ]
}

/// A row: cells, each quoted or not, joined by commas.
fn row() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((cell(), any::<bool>()), 0..12).prop_map(|cells| {
        let mut out = Vec::new();
        for (i, (cell, quoted)) in cells.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if quoted {
                out.push(b'"');
                for b in cell {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            } else {
                out.extend(cell);
            }
        }
        out
    })
}

/// A table's file: its real header most of the time, then rows with any line ends.
fn file(table: TableId) -> impl Strategy<Value = Vec<u8>> {
    let header: Vec<u8> = table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",").into_bytes();
    (
        prop_oneof![4 => Just(header), 1 => row()],
        prop::collection::vec((row(), prop::sample::select(vec![&b"\n"[..], b"\r\n", b"\r", b""])), 0..8),
        any::<bool>(),
    )
        .prop_map(|(header, rows, bom)| {
            let mut out = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
            out.extend(header);
            out.push(b'\n');
            for (row, end) in rows {
                out.extend(row);
                out.extend_from_slice(end);
            }
            out
        })
}

fn any_table() -> impl Strategy<Value = (usize, Vec<u8>, bool)> {
    (0..TableId::ALL.len(), any::<bool>()).prop_flat_map(|(index, others_missing)| {
        file(TableId::ALL[index]).prop_map(move |content| (index, content, others_missing))
    })
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn random_csv_as_any_table_never_escapes((index, content, others_missing) in any_table()) {
        let selector = index as u8 | if others_missing { 0x80 } else { 0 };
        let mut input = vec![selector];
        input.extend(content);
        if let Err(broken) = hostile::fuzz_one(&input) {
            prop_assert!(false, "{broken}\ninput: {:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn arbitrary_bytes_as_any_table_never_escape(input in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Err(broken) = hostile::fuzz_one(&input) {
            prop_assert!(false, "{broken}");
        }
    }
}

#[test]
fn fuzzer_findings_stay_fixed() {
    replay("regressions");
}

#[test]
fn fuzz_seeds_keep_the_invariants() {
    replay("seeds");
}

/// Runs every input of `fuzz/<folder>` through the harness.
fn replay(folder: &str) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz").join(folder);
    let mut replayed = 0;
    for entry in std::fs::read_dir(&folder).expect("the fuzz folder") {
        let path = entry.expect("a fuzz input").path();
        let input = std::fs::read(&path).expect("a readable fuzz input");
        if let Err(broken) = hostile::fuzz_one(&input) {
            panic!("{}: {broken}", path.display());
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no inputs in {}", folder.display());
}

#[test]
fn the_frozen_dataset_passes_the_harness() {
    for (index, table) in TableId::ALL.iter().enumerate() {
        let mut input = vec![index as u8];
        input.extend_from_slice(hostile::sample(*table));
        let report = hostile::fuzz_one(&input).unwrap();
        assert!(report.passed(), "{table}");
    }
}
