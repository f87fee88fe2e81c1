//! Arbitrary bytes as any table of the data folder, through ingest, every rule and every
//! output. The input's first byte picks the table (see `hostile::data_dir`).

#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    if let Err(broken) = hostile::fuzz_one(input) {
        panic!("{broken}");
    }
});
