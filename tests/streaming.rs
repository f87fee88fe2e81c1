//! A check reads the commodity lines from the disk block by block (`cargo xtask check`); these
//! cases are those the fixture loop cannot reach with its small files: a file whose first
//! bytes are plain UTF-8 but whose later lines are not, and a large file with findings that
//! need its lines from all over it.

use std::path::Path;

use tests::{fixtures_root, listing};

/// A data folder in a temporary place: the base fixtures, with `commodities` as the commodity
/// lines. The folder is removed when dropped (also when the test fails).
fn folder(name: &str, commodities: &[u8]) -> tempfile::TempDir {
    let dir =
        tempfile::Builder::new().prefix(&format!("bilat-streaming-{name}-")).tempdir().expect("a temporary folder");
    for table in model::TableId::ALL {
        let base = fixtures_root().join("base").join(table.file());
        if let Ok(bytes) = std::fs::read(base) {
            std::fs::write(dir.path().join(table.file()), bytes).expect("a temporary file");
        }
    }
    std::fs::write(dir.path().join(ingest::STREAMED.file()), commodities).expect("a temporary file");
    dir
}

/// The header, then `extra` lines of the Cambodian import flow (ranks 1, 2, …) named
/// `commodity`, then `last`.
fn commodities(commodity: &str, extra: usize, last: &[u8]) -> Vec<u8> {
    let mut bytes = b"reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n".to_vec();
    for rank in 1..=extra {
        bytes.extend(format!("NO,KH,2011,import,{rank},{commodity} {rank},,,,no-kh-2013\n").as_bytes());
    }
    bytes.extend(last);
    bytes
}

/// The check of `dir` from the disk in blocks of `block_size` bytes, and with every file read whole.
fn both(dir: &Path, block_size: usize) -> (String, String) {
    let streamed = ingest::read_dir_streaming_as(dir, "data").expect("readable").with_block_size(block_size);
    let whole = ingest::read_dir_as(dir, "data").expect("readable").with_block_size(block_size);
    (listing(&validate::check_dir(&streamed)), listing(&validate::check_dir(&whole)))
}

#[test]
fn a_file_that_turns_out_not_utf8_is_judged_whole_as_a_whole_file_is() {
    // 3,000 lines (beyond the 64 KiB judged first), then one with a Windows-1252 `ø`: after
    // ASCII lines the file is Windows-1252, converted; after UTF-8 `æ`s it is UTF-8 with one
    // damaged byte.
    let last = b"NO,KH,2011,import,3001,Sj\xf8mat,,,,no-kh-2013\n";
    for (name, commodity, expected) in [("latin1", "klaer", "file/dialect"), ("damaged", "klær", "csv/invalid-utf8")] {
        let dir = folder(name, &commodities(commodity, 3000, last));
        for block_size in [4096, ingest::DEFAULT_BLOCK_SIZE] {
            let (streamed, whole) = both(dir.path(), block_size);
            assert!(whole.contains(expected), "{name}: expected {expected}:\n{whole}");
            assert_eq!(streamed, whole, "{name}: blocks of {block_size} bytes");
        }
        dir.close().expect("removed");
    }
}

#[test]
fn findings_that_need_lines_from_all_over_the_file_are_the_same_from_the_disk() {
    // A repeated rank far from the first, a gap, and an empty line near the end, in a file of
    // many blocks.
    let last = b"NO,KH,2011,import,7,klaer igjen,,,,no-kh-2013\n\nNO,KH,2011,import,4000,hull,,,,no-kh-2013\n";
    let dir = folder("far", &commodities("klær", 3000, last));
    let (streamed, whole) = both(dir.path(), 4096);
    for rule in ["key/duplicate", "sequence/gap", "csv/blank-row"] {
        assert!(whole.contains(rule), "expected {rule}:\n{whole}");
    }
    assert_eq!(streamed, whole);
    dir.close().expect("removed");
}

#[test]
fn a_file_shortened_while_it_is_checked_is_reported() {
    let dir = folder("shortened", &commodities("klær", 3000, b""));
    let streamed = ingest::read_dir_streaming_as(dir.path(), "data").expect("readable");
    // Another program cuts the file after it was judged and before its rows are read.
    let header = b"reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n";
    std::fs::write(dir.path().join(ingest::STREAMED.file()), header).expect("written");
    let report = validate::check_dir(&streamed);
    let changed = report
        .findings
        .iter()
        .find(|f| f.file == "data/trade_commodities.csv" && f.rule().as_str() == "file/unreadable");
    let changed = changed.unwrap_or_else(|| panic!("no finding for the changed file:\n{}", listing(&report)));
    assert!(changed.message.contains("the file changed while it was checked"), "{}", changed.message);
    assert!(!report.passed());
    dir.close().expect("removed");
}

#[test]
fn a_stray_quote_that_misleads_the_cut_into_blocks_gives_what_a_whole_read_gives() {
    // A quote inside an unquoted cell is text to the `csv` parser, but the search for a
    // block's end counts it: after it, that search takes the line breaks inside quoted cells
    // for the ends of lines. A block cut there ends inside quotes, and the rest of the file is
    // read again in one piece. Findings after it keep their lines.
    let mut last = b"NO,KH,2011,import,1001,tommer \"stor,,,,no-kh-2013\n".to_vec();
    for rank in 1002..=3000 {
        last.extend(format!("NO,KH,2011,import,{rank},\"fisk\nog skalldyr\",,,,no-kh-2013\n").as_bytes());
    }
    last.extend(b"NO,KH,2011,import,3001,fisk,1.5x,NOK million,,no-kh-2013\n");
    let dir = folder("stray", &commodities("klaer", 1000, &last));
    // Small blocks, so that the file is many blocks and the cut falls after the stray quote.
    for block_size in [1024, 4096] {
        let (streamed, whole) = both(dir.path(), block_size);
        assert!(whole.contains("trade_commodities.csv:5001:"), "expected the finding on line 5001:\n{whole}");
        assert_eq!(streamed, whole, "blocks of {block_size} bytes");
    }
    dir.close().expect("removed");
}
