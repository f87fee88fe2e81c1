//! Micro-benchmarks of rules over a dataset of commodity lines: the commodity-share rule, the
//! other trade rules, and a whole check, each on the same parsed data; and applying
//! `exceptions.csv`: a check of the same lines with a wrong share each (100,000 findings),
//! without exceptions and with one exception per finding, on one thread, with its CPU time.
//!
//! `cargo bench -p validate --bench rules`. A dependency-free harness: each case runs five
//! times and the fastest and median times per commodity line are printed, and the fastest
//! time of the whole case.

#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use model::TableId;
use validate::Context;

const PARTNERS: usize = 50;
const YEARS: usize = 20;
const LINES: usize = 50;

/// A data folder with the frozen dataset's sources file, and NO's trade with `PARTNERS` partners (coded
/// `AA`, `AB`, …), each flow split into `LINES` commodity lines. With `share` 1 every line's
/// share matches its value; with another share every line is a `trade/commodity-share`
/// finding, and `acknowledged` adds an exception for each.
fn data(share: u32, acknowledged: bool) -> ingest::DataDir {
    let real = |file: &str| {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/dataset/").to_owned() + file).ok()
    };
    let codes: Vec<String> = (0..PARTNERS)
        .map(|i| format!("{}{}", char::from(b'A' + (i / 26) as u8), char::from(b'A' + (i % 26) as u8)))
        .collect();
    let mut countries = String::from("code,iso3,name_en,name_nb\nNO,NOR,Norway,Norge\n");
    let mut trade =
        String::from("reporter,partner,year,flow,value,unit,qualifier,share_of_reporter_total_pct,source\n");
    let mut lines = String::from("reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n");
    let mut exceptions = String::from("rule,file,key,column,value,reason\n");
    for code in &codes {
        countries.push_str(&format!("{code},{code}X,Partner {code},Partner {code}\n"));
        for year in 2016 - YEARS..2016 {
            for flow in ["export", "import"] {
                // A total of 1000 split into lines of 10 (1 %) each.
                trade.push_str(&format!("NO,{code},{year},{flow},1000,NOK million,exact,,no-jp-2015\n"));
                for rank in 1..=LINES {
                    lines.push_str(&format!(
                        "NO,{code},{year},{flow},{rank},Varer {rank},10,NOK million,{share},no-jp-2015\n"
                    ));
                    if acknowledged {
                        exceptions.push_str(&format!(
                            "trade/commodity-share,trade_commodities.csv,NO/{code}/{year}/{flow}/{rank},share_pct,{share},\
                             The page gives this share.\n"
                        ));
                    }
                }
            }
        }
    }
    ingest::DataDir::from_memory("data", |table| match table {
        TableId::Countries => Some(countries.clone().into_bytes()),
        TableId::Trade => Some(trade.clone().into_bytes()),
        TableId::TradeCommodities => Some(lines.clone().into_bytes()),
        TableId::Sources => real("sources.csv"),
        TableId::Exceptions => Some(exceptions.clone().into_bytes()),
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
    let (fastest, median) = (samples[0], samples[samples.len() / 2]);
    let total_ms = fastest * rows as f64 / 1e6;
    println!("{name:<40} {fastest:>8.1} ns/line (median {median:.1}), {total_ms:.1} ms, {found} findings");
}

fn main() {
    let dir = data(1, false);
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

    // Applying exceptions: the same lines with a wrong share each, checked after parsing, on
    // one thread. The CPU time is printed too: on a shared machine it is what other processes
    // do not inflate. Without exceptions most findings are counted as they are found
    // (`validate::left_out`); with one per finding none may be, so the difference between the
    // two cases is that as well as what applying the exceptions costs.
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    for (name, acknowledged) in [("check, no exceptions", false), ("check, one exception per finding", true)] {
        let dir = data(2, acknowledged);
        let (dataset, problems) = ingest::parse(&dir);
        assert!(problems.is_empty(), "{problems:?}");
        let exceptions = dataset.exceptions.rows.len();
        let mut cpu = Vec::new();
        bench(&format!("{name} ({exceptions}), 1 thread"), rows, || {
            let before = cpu_time();
            let report = one_thread.install(|| validate::check(&dataset, Vec::new()));
            cpu.extend(before.zip(cpu_time()).map(|(before, after)| after - before));
            assert_eq!(report.summary.acknowledged, exceptions, "every finding is acknowledged");
            report.findings.len()
        });
        cpu.sort();
        if let (Some(fastest), Some(median)) = (cpu.first(), cpu.get(cpu.len() / 2)) {
            println!("{:<40} {:>8} ms CPU (median {} ms)", "", fastest.as_millis(), median.as_millis());
        }
    }
}

/// The CPU time this process has used, user and system, from `/proc/self/stat` (Linux; `None`
/// elsewhere), in the kernel's fixed unit of 1/100 s.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces, start
    // with the third; user and system time are the 14th and 15th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
