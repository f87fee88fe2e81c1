//! Every error `inject` plants is found by `check`, at its place, and nothing else is.

use std::collections::BTreeSet;

use synth::{FAMILIES, Params, Planted, generate, inject};

/// A finding's place and rule: file name, line, column, rule id.
type Place = (String, u32, String, String);

fn found(params: &Params, per_family: usize) -> (Vec<Planted>, BTreeSet<Place>) {
    let mut data = generate(params);
    let planted = inject(&mut data, per_family);
    let dir = data.data_dir("synth");
    let report = validate::check_dir(&dir);
    // Streaming the commodity lines in blocks of a few lines, and holding them all, find the same.
    let listing = |report: &validate::Report| -> Vec<String> {
        report.findings.iter().map(|f| format!("{} {}:{} {}", f.rule(), f.file, f.line, f.message)).collect()
    };
    let in_blocks = validate::check_dir(&data.data_dir("synth").with_block_size(512));
    assert_eq!(listing(&report), listing(&in_blocks), "streamed in small blocks");
    let (held, problems) = ingest::parse(&dir);
    assert_eq!(listing(&report), listing(&validate::check(&held, problems)), "held whole");
    // Read from the disk in blocks of a few lines, as `cargo xtask check` reads: the same.
    let folder = tempfile::Builder::new()
        .prefix(&format!("bilat-inject-{}-", params.seed))
        .tempdir()
        .expect("a temporary folder");
    data.write_dir(folder.path()).expect("a temporary folder");
    let on_disk = ingest::read_dir_streaming_as(folder.path(), "synth").expect("readable").with_block_size(512);
    assert!(on_disk.file(ingest::STREAMED).bytes.is_none(), "the commodity lines are read from the disk");
    assert_eq!(listing(&report), listing(&validate::check_dir(&on_disk)), "read from the disk");
    folder.close().expect("removed");
    let name = |file: &str| file.rsplit('/').next().unwrap_or(file).to_owned();
    // A finding folded into its cause (rows referring to one missing key) is still found,
    // at its own place, as a consequence.
    let findings = report
        .findings
        .iter()
        .flat_map(|f| {
            let own = (name(&f.file), f.line, f.column.clone().unwrap_or_default(), f.rule().as_str().to_owned());
            let folded = f
                .consequences
                .iter()
                .map(|c| (name(&c.file), c.line, c.column.clone().unwrap_or_default(), c.rule.as_str().to_owned()));
            std::iter::once(own).chain(folded)
        })
        .collect();
    (planted, findings)
}

fn assert_exact(params: &Params, per_family: usize) {
    let (planted, findings) = found(params, per_family);
    let expected: BTreeSet<Place> =
        planted.iter().map(|p| (p.file.to_owned(), p.line, p.column.to_owned(), p.rule.to_owned())).collect();
    assert_eq!(expected.len(), planted.len(), "two errors planted at one place");
    let missed: Vec<_> = expected.difference(&findings).collect();
    let extra: Vec<_> = findings.difference(&expected).collect();
    assert!(missed.is_empty() && extra.is_empty(), "missed: {missed:#?}\nextra: {extra:#?}");
}

#[test]
fn every_planted_error_is_found_at_its_place_and_nothing_else() {
    let params = Params { partners: 30, years: 2000..=2009, commodities: 10, seed: 5 };
    assert_exact(&params, 2);
    let (planted, _) = found(&params, 2);
    for family in FAMILIES {
        assert_eq!(planted.iter().filter(|p| p.rule == *family).count(), 2, "{family}");
    }
}

#[test]
fn other_seeds_and_sizes_are_exact_too() {
    for seed in [1, 2, 3] {
        assert_exact(&Params { partners: 12, years: 1990..=1995, commodities: 6, seed }, 1);
    }
    assert_exact(&Params { partners: 60, years: 1980..=2020, commodities: 3, seed: 9 }, 5);
}

#[test]
fn every_rule_family_that_can_be_planted_is() {
    // A new rule must be planted here too, or named as one that cannot be.
    const NOT_PLANTED: &[&str] = &["source/unused", "country/unused", "file/stray"];
    let mut ids: Vec<&str> = ingest::ErrorKind::ALL.iter().map(|k| k.code()).collect();
    ids.retain(|id| id.starts_with("cell/"));
    for rule in validate::rules::ALL {
        ids.extend(rule.ids().iter().map(|id| id.as_str()));
    }
    let missing: Vec<&&str> = ids.iter().filter(|id| !FAMILIES.contains(id) && !NOT_PLANTED.contains(id)).collect();
    assert!(missing.is_empty(), "rule ids the injector does not plant: {missing:?}");
}
