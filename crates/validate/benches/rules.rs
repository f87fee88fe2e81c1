//! Micro-benchmarks of rules over a dataset of commodity lines: the commodity-share rule, the
//! other trade rules, and a whole check, each on the same parsed data.
//!
//! `cargo bench -p validate --bench rules`. A dependency-free harness: each case runs five
//! times and the fastest and median times per commodity line are printed.

#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use model::TableId;
use validate::Context;

const PARTNERS: usize = 50;
const YEARS: usize = 20;
const LINES: usize = 50;

/// A consistent data folder: the frozen dataset's sources file (`tests/fixtures/dataset/`), and
/// NO's trade with `PARTNERS` partners (all coded `JP`..), each flow split into `LINES`
/// commodity lines whose shares match their values.
fn data() -> ingest::DataDir {
    let frozen = |file: &str| {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/dataset/").to_owned() + file).ok()
    };
    let codes: Vec<String> = (0..PARTNERS)
        .map(|i| format!("{}{}", char::from(b'A' + (i / 26) as u8), char::from(b'A' + (i % 26) as u8)))
        .collect();
    let mut countries = String::from("code,iso3,name_en,name_nb\nNO,NOR,Norway,Norge\n");
    let mut trade =
        String::from("reporter,partner,year,flow,value,unit,qualifier,share_of_reporter_total_pct,source\n");
    let mut lines = String::from("reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n");
    for code in &codes {
        countries.push_str(&format!("{code},{code}X,Partner {code},Partner {code}\n"));
        for year in 2016 - YEARS..2016 {
            for flow in ["export", "import"] {
                // A total of 1000 split into lines of 10 (1 %) each.
                trade.push_str(&format!("NO,{code},{year},{flow},1000,NOK million,exact,,no-jp-2015\n"));
                for rank in 1..=LINES {
                    lines.push_str(&format!(
                        "NO,{code},{year},{flow},{rank},Varer {rank},10,NOK million,1,no-jp-2015\n"
                    ));
                }
            }
        }
    }
    ingest::DataDir::from_memory("data", |table| match table {
        TableId::Countries => Some(countries.clone().into_bytes()),
        TableId::Trade => Some(trade.clone().into_bytes()),
        TableId::TradeCommodities => Some(lines.clone().into_bytes()),
        TableId::Sources => frozen("sources.csv"),
        _ => Some(table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",").into_bytes()),
    })
}

fn bench(name: &str, rows: usize, mut f: impl FnMut() -> usize) {
    let mut samples = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        found = black_box(f());
        samples.push(start.elapsed().as_nanos() as f64 / rows as f64);
    }
    samples.sort_by(f64::total_cmp);
    println!("{name:<32} {:>8.1} ns/line (median {:.1}), {found} findings", samples[0], samples[samples.len() / 2]);
}

fn main() {
    let dir = data();
    let (dataset, problems) = ingest::parse(&dir);
    assert!(problems.is_empty(), "{problems:?}");
    let rows = dataset.trade_commodities.rows.len();
    println!("{rows} commodity lines");
    let context = Context::new(&dataset);
    for rule in validate::rules::ALL {
        let id = rule.id.as_str();
        if id.starts_with("trade/") || id == "key/duplicate" || id == "field" {
            bench(id, rows, || rule.run(&context).len());
        }
    }
    bench("ingest::parse", rows, || ingest::parse(&dir).1.len());
    bench("check (ingest + every rule)", rows, || validate::check_dir(&dir).findings.len());
}
