//! The generated dataset checks clean, and is the same for the same seed.

use synth::{Params, generate};

#[test]
fn a_small_dataset_checks_clean() {
    let params = Params { partners: 12, years: 1995..=2004, commodities: 12, seed: 3 };
    let data = generate(&params);
    let dir = data.data_dir("synth");
    let report = validate::check_dir(&dir);
    let findings: Vec<String> =
        report.findings.iter().map(|f| format!("{}:{} {} {}", f.file, f.line, f.rule().as_str(), f.message)).collect();
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(report.summary.records, report.tables.iter().map(|t| t.rows).sum::<usize>());
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let params = Params { partners: 5, years: 2000..=2003, commodities: 5, seed: 11 };
    let a = generate(&params);
    let b = generate(&params);
    let c = generate(&Params { seed: 12, ..params.clone() });
    for table in model::TableId::ALL {
        assert_eq!(a.table_bytes(*table), b.table_bytes(*table), "{table}");
    }
    assert_ne!(a.table_bytes(model::TableId::TradeCommodities), c.table_bytes(model::TableId::TradeCommodities));
}
