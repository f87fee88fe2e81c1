//! Micro-benchmarks of the cell parsers on the hot path of ingest: decimals and partial dates.
//!
//! `cargo bench -p model --bench parse`. A dependency-free harness: each case runs in batches
//! for about 0.2 s, five times, and the fastest and median nanoseconds per call are printed.

#![allow(clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use model::{Decimal, PartialDate, Period};

/// Times `f` over `inputs`, cycling, and prints ns per call.
fn bench<T>(name: &str, inputs: &[&str], f: impl Fn(&str) -> T) {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let mut calls = 0u64;
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(200) {
            for input in inputs {
                black_box(f(black_box(input)));
            }
            calls += inputs.len() as u64;
        }
        samples.push(start.elapsed().as_nanos() as f64 / calls as f64);
    }
    samples.sort_by(f64::total_cmp);
    println!("{name:<40} {:>8.1} ns/call (median {:.1})", samples[0], samples[samples.len() / 2]);
}

fn main() {
    let decimals = ["2.9", "142", "10.3", "0.25", "1234.5", "28", "-0.05", "999999.999"];
    bench("Decimal::parse (valid)", &decimals, Decimal::parse);
    bench("Decimal::parse (invalid, diagnosed)", &["2,9", "28%", " 4.3", "1 200", "abc"], Decimal::parse);
    let dates = ["1976", "2004-10", "2010-05-27", "2013-04-29", "1991"];
    bench("PartialDate::parse (valid)", &dates, PartialDate::parse);
    bench("PartialDate::parse (invalid, diagnosed)", &["29.04.2013", "2013-13", " 2011", "x"], PartialDate::parse);
    bench("Period::parse", &["2011-03/2011-04", "2010-05-27", "2008-02"], Period::parse);
    bench("Decimal::cmp_value", &decimals, |d| Decimal::parse(d).map(|d| d.cmp_value(Decimal::new(1005, 1))));
}
