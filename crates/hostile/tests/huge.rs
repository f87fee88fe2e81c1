//! Huge inputs get a clear diagnostic in bounded memory.
//!
//! One test in its own test binary, so that the process's peak resident memory
//! (`VmHWM`) is this test's alone.

use hostile::with_table;
use model::TableId;
use report::human::HumanOptions;
use validate::Report;

const MB: usize = 1 << 20;

/// The process's peak resident memory in bytes, where the system tells it.
fn peak_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: usize =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches(" kB").parse().ok()?;
    Some(kib * 1024)
}

/// Checks `content` as `table` and returns the report, after checking that every output is
/// small whatever the input's size.
fn check(table: TableId, content: Vec<u8>) -> Report {
    let report = hostile::run(&with_table(table, &content)).unwrap_or_else(|broken| panic!("{broken}"));
    let human = report::human::human(&report, HumanOptions::default());
    assert!(human.len() < 64 * 1024, "{} bytes of human output", human.len());
    let json = report::findings_json::json(&report);
    assert!(json.len() < 64 * 1024, "{} bytes of JSON output", json.len());
    report
}

#[test]
fn huge_inputs_get_a_clear_diagnostic_in_bounded_memory() {
    let before = peak_bytes();

    // A 50 MB cell.
    let mut file =
        b"reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\nNO,JP,2011,export,1,".to_vec();
    file.resize(file.len() + 50 * MB, b'x');
    file.extend_from_slice(b",4.3,NOK billion,39,no-jp-2015\n");
    let report = check(TableId::TradeCommodities, file);
    let finding = report.findings.iter().find(|f| f.rule().as_str() == "field/length").unwrap();
    assert_eq!((finding.line, finding.column.as_deref()), (2, Some("commodity")));
    assert!(finding.message.contains("52428800 characters"), "{}", finding.message);

    // A header of ten million columns.
    let mut file = Vec::with_capacity(20 * MB + 1);
    for _ in 0..10_000_000 {
        file.extend_from_slice(b"a,");
    }
    file.pop();
    file.push(b'\n');
    let report = check(TableId::Trade, file);
    let finding = report.findings.iter().find(|f| f.rule().as_str() == "header/unknown-column").unwrap();
    assert!(finding.message.contains("10000000 fields"), "{}", finding.message);

    // Files of only quotes: an odd number leaves a quote open, an even number is one
    // quoted header name.
    for count in [8 * MB + 1, 8 * MB] {
        let report = check(TableId::Residents, vec![b'"'; count]);
        assert!(!report.passed());
        assert!(
            report.findings.iter().any(|f| f.file.ends_with("residents.csv") && f.line == 1),
            "{:?}",
            report.findings.iter().map(|f| (f.rule().as_str(), &f.message)).collect::<Vec<_>>()
        );
    }

    // Memory stays within a small multiple of the largest input, not a multiple of its cells
    // or columns.
    if let (Some(before), Some(after)) = (before, peak_bytes()) {
        let grown = after.saturating_sub(before);
        assert!(grown < 8 * 50 * MB, "peak memory grew by {} MB for inputs of at most 50 MB", grown / MB);
    }
}
