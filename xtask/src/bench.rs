//! `cargo xtask bench`: measures ingest and check against the floor of reading the files.
//!
//! The parent builds the release binary, generates (or reuses) the synthetic datasets under
//! `target/bench-data/`, then runs each stage in a child process of that binary
//! (`xtask bench --child STAGE DIR`), several times, interleaved, on the same files. Each
//! child times its own work and reports its peak resident memory (`VmHWM` of
//! `/proc/self/status`), so that every stage's memory is measured alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use synth::Params;

use crate::synth::{param_flag, parse_flags};

/// The stages, in the order they are reported.
const STAGES: &[Stage] = &[
    Stage { name: "floor", what: "csv ByteRecord reads of all files", threads: Some(1) },
    Stage { name: "ingest", what: "typed records with positions", threads: None },
    Stage { name: "check-1", what: "full check (ingest + every rule), 1 thread", threads: Some(1) },
    Stage { name: "check", what: "full check (ingest + every rule), all cores", threads: None },
];

struct Stage {
    name: &'static str,
    what: &'static str,
    /// `RAYON_NUM_THREADS` for the child; `None` for all cores.
    threads: Option<usize>,
}

/// What a child reports about one run.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    seconds: f64,
    rows: u64,
    bytes: u64,
    peak_kib: u64,
    findings: u64,
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    if let Some(("--child", rest)) = args.split_first().map(|(a, rest)| (a.as_str(), rest)) {
        return child(rest);
    }
    let mut rows = 1_000_000usize;
    let mut runs = 5usize;
    let mut seed = 1u64;
    let mut build = true;
    let mut extra = Params::default();
    let mut custom = false;
    parse_flags(args, &mut |flag, value| {
        match flag {
            "--rows" => rows = value()?.parse().map_err(|_| "--rows takes a whole number".to_owned())?,
            "--runs" => runs = value()?.parse().map_err(|_| "--runs takes a whole number".to_owned())?,
            "--seed" => seed = value()?.parse().map_err(|_| "--seed takes a whole number".to_owned())?,
            "--no-build" => build = false,
            _ => {
                custom = true;
                return param_flag(&mut extra, flag, value);
            }
        }
        Ok(true)
    })?;
    if runs == 0 || rows < 10 {
        return Err("--runs must be at least 1 and --rows at least 10".to_owned());
    }
    let exe = release_binary(build)?;
    let target = exe.parent().and_then(Path::parent).ok_or("cannot find the target folder")?.to_path_buf();
    let params = if custom { Params { seed, ..extra } } else { Params::for_rows(rows, seed) };
    params.validate()?;
    let small = Params::for_rows((params.commodity_rows() / 10).max(10), seed);

    println!("{}", machine());
    let big_dir = dataset(&target, &params)?;
    let small_dir = dataset(&target, &small)?;

    // Warm the page cache, so that every stage reads the same cached files.
    for dir in [&big_dir, &small_dir] {
        run_child(&exe, "floor", dir, Some(1))?;
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); STAGES.len()];
    let mut small_samples = Vec::new();
    for round in 0..runs {
        eprint!("\rround {}/{runs}", round + 1);
        for (i, stage) in STAGES.iter().enumerate() {
            samples[i].push(run_child(&exe, stage.name, &big_dir, stage.threads)?);
        }
        small_samples.push(run_child(&exe, "check", &small_dir, None)?);
    }
    eprintln!();
    let check_real = time_real_check(&exe, runs.max(10))?;
    let parts = breakdown(&exe, &big_dir)?;

    let median: Vec<Sample> = samples.iter().map(|s| median_of(s)).collect();
    let small_median = median_of(&small_samples);
    let input_mb = median[0].bytes as f64 / 1e6;
    println!(
        "dataset: {} ({} rows in all files, {} commodity lines, {:.1} MB), {runs} runs per stage, medians\n",
        big_dir.display(),
        median[0].rows,
        params.commodity_rows(),
        input_mb
    );
    println!("| stage | what | wall ms | rows/s | MB/s | peak RSS MB | × floor |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    let floor = median[0].seconds;
    for (stage, m) in STAGES.iter().zip(&median) {
        println!(
            "| {} | {} | {:.1} | {:.2} M | {:.0} | {:.1} | {:.2} |",
            stage.name,
            stage.what,
            m.seconds * 1e3,
            m.rows as f64 / m.seconds / 1e6,
            m.bytes as f64 / m.seconds / 1e6,
            m.peak_kib as f64 / 1024.0,
            m.seconds / floor
        );
    }
    let full = median[3];
    let findings = median.iter().skip(2).map(|m| m.findings).max().unwrap_or(0);
    let per_row_big = full.seconds / full.rows as f64;
    let per_row_small = small_median.seconds / small_median.rows as f64;
    let memory_ratio = full.peak_kib as f64 * 1024.0 / full.bytes as f64;
    let linearity = per_row_big / per_row_small;
    println!();
    let mut summary = String::new();
    let _ = writeln!(summary, "synthetic dataset checks clean: {}", if findings == 0 { "yes" } else { "NO" });
    let _ = writeln!(
        summary,
        "full check, all cores / floor: {:.2} (target <= 2, aim 1.5) {}",
        full.seconds / floor,
        verdict(full.seconds / floor <= 2.0)
    );
    let _ = writeln!(summary, "full check, 1 thread / floor: {:.2}", median[2].seconds / floor);
    let _ = writeln!(summary, "ingest / floor: {:.2}", median[1].seconds / floor);
    let _ = writeln!(
        summary,
        "peak memory / input size: {memory_ratio:.2} ({:.1} MB for {input_mb:.1} MB; target <= 2) {}",
        full.peak_kib as f64 / 1024.0,
        verdict(memory_ratio <= 2.0)
    );
    let _ = writeln!(
        summary,
        "time per row: {:.1} ns at {} rows, {:.1} ns at {} rows: {:+.0} % (target within ±25 %) {}",
        per_row_big * 1e9,
        full.rows,
        per_row_small * 1e9,
        small_median.rows,
        (linearity - 1.0) * 100.0,
        verdict((linearity - 1.0).abs() <= 0.25)
    );
    let _ = writeln!(
        summary,
        "`xtask check` on data/ (built binary, whole process): {:.1} ms median of {} (target < 50 ms) {}",
        check_real.as_secs_f64() * 1e3,
        runs.max(10),
        verdict(check_real < Duration::from_millis(50))
    );
    print!("{summary}");
    println!("\nwhere the time of a check goes, one thread, each part alone (median of 3):\n");
    println!("| part | ms | ns per row |");
    println!("|---|---:|---:|");
    for (part, seconds) in parts {
        println!("| {part} | {:.1} | {:.0} |", seconds * 1e3, seconds * 1e9 / full.rows as f64);
    }
    Ok(if findings == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn median_of(samples: &[Sample]) -> Sample {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut median = sorted[sorted.len() / 2];
    median.peak_kib = samples.iter().map(|s| s.peak_kib).max().unwrap_or(0);
    median
}

/// Builds the release binary and returns its path.
fn release_binary(build: bool) -> Result<PathBuf, String> {
    let current = std::env::current_exe().map_err(|e| format!("cannot find the running binary: {e}"))?;
    let target = current.parent().and_then(Path::parent).ok_or("cannot find the target folder")?;
    if build {
        eprintln!("building the release binary (cargo build --release -p xtask)");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--quiet", "-p", "xtask"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(workspace_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err("the release build failed".to_owned());
        }
    }
    let exe = target.join("release").join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        return Err(format!("{} does not exist; run without --no-build", exe.display()));
    }
    Ok(exe)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The dataset of `params` under `target/bench-data/`, generated once and checked clean once.
fn dataset(target: &Path, params: &Params) -> Result<PathBuf, String> {
    let key = format!(
        "g{}-p{}-y{}-{}-k{}-s{}",
        synth::GENERATOR_VERSION,
        params.partners,
        params.years.start(),
        params.years.end(),
        params.commodities,
        params.seed
    );
    let dir = target.join("bench-data").join(key);
    let done = dir.join("complete");
    if done.is_file() {
        return Ok(dir);
    }
    eprintln!("generating {} ({} commodity lines)", dir.display(), params.commodity_rows());
    let data = synth::generate(params);
    data.write_dir(&dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    std::fs::write(&done, "").map_err(|e| format!("cannot write {}: {e}", done.display()))?;
    Ok(dir)
}

fn run_child(exe: &Path, stage: &str, dir: &Path, threads: Option<usize>) -> Result<Sample, String> {
    let mut command = Command::new(exe);
    command.args(["bench", "--child", stage]).arg(dir);
    match threads {
        Some(n) => command.env("RAYON_NUM_THREADS", n.to_string()),
        None => command.env_remove("RAYON_NUM_THREADS"),
    };
    let output = command.output().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("stage {stage} failed: {stdout}{}", String::from_utf8_lossy(&output.stderr)));
    }
    let mut sample = Sample::default();
    for pair in stdout.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else { continue };
        match key {
            "seconds" => sample.seconds = value.parse().unwrap_or(0.0),
            "rows" => sample.rows = value.parse().unwrap_or(0),
            "bytes" => sample.bytes = value.parse().unwrap_or(0),
            "peak_kib" => sample.peak_kib = value.parse().unwrap_or(0),
            "findings" => sample.findings = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    Ok(sample)
}

/// Ingest and each rule alone, on one thread: where the time of a check goes.
fn breakdown(exe: &Path, dir: &Path) -> Result<Vec<(String, f64)>, String> {
    let mut runs: Vec<Vec<(String, f64)>> = Vec::new();
    for _ in 0..3 {
        let output = Command::new(exe)
            .args(["bench", "--child", "rules"])
            .arg(dir)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        runs.push(
            stdout
                .lines()
                .filter_map(|l| l.strip_prefix("part:")?.split_once('='))
                .map(|(part, seconds)| (part.to_owned(), seconds.parse().unwrap_or(0.0)))
                .collect(),
        );
    }
    let mut parts = runs[0].clone();
    for (i, (_, seconds)) in parts.iter_mut().enumerate() {
        let mut all: Vec<f64> = runs.iter().filter_map(|r| r.get(i).map(|p| p.1)).collect();
        all.sort_by(f64::total_cmp);
        *seconds = all[all.len() / 2];
    }
    Ok(parts)
}

/// The median wall time of `xtask check` on the real data folder, process start to exit.
fn time_real_check(exe: &Path, runs: usize) -> Result<Duration, String> {
    let data = workspace_root().join("data");
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(exe)
            .args(["check", "--data"])
            .arg(&data)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        times.push(start.elapsed());
        if output.status.code().is_none_or(|c| c > 1) {
            return Err(format!("xtask check failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The machine, for the record.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|m| m.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .map_or_else(|| "unknown memory".to_owned(), |kib| format!("{:.1} GiB", kib as f64 / 1048576.0));
    format!("machine: {model}, {cores} cores, {memory}")
}

/// `xtask bench --child STAGE DIR`: runs one stage once and prints what it measured.
fn child(args: &[String]) -> Result<ExitCode, String> {
    let [stage, dir] = args else {
        return Err("bench --child takes STAGE DIR".to_owned());
    };
    let dir = Path::new(dir);
    let start = Instant::now();
    let (rows, bytes, findings) = match stage.as_str() {
        "floor" => floor(dir)?,
        "ingest" => {
            let files = ingest::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let (data, problems) = ingest::parse(&files);
            let stats = data.stats();
            let counts = (
                stats.iter().map(|t| t.rows as u64).sum(),
                stats.iter().map(|t| t.bytes as u64).sum(),
                problems.len() as u64,
            );
            // The process ends here: freeing is the kernel's job, as it is for `check`.
            std::mem::forget(data);
            std::mem::forget(files);
            counts
        }
        "check" | "check-1" => {
            let files = ingest::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let report = validate::check_dir(&files);
            let text = report::human::human(&report, report::human::HumanOptions::default());
            let counts = (
                report.tables.iter().map(|t| t.rows as u64).sum(),
                report.tables.iter().map(|t| t.bytes as u64).sum(),
                report.findings.len() as u64,
            );
            std::mem::forget(text);
            std::mem::forget(report);
            std::mem::forget(files);
            counts
        }
        "rules" => {
            // Where the time of a check goes: ingest, then each rule alone.
            let files = ingest::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let (data, problems) = ingest::parse(&files);
            println!("part:ingest={}", start.elapsed().as_secs_f64());
            let context = validate::Context::new(&data);
            for rule in validate::rules::ALL {
                let rule_start = Instant::now();
                let found = rule.run(&context);
                println!("part:{}={}", rule.id, rule_start.elapsed().as_secs_f64());
                std::mem::forget(found);
            }
            let check_start = Instant::now();
            let report = validate::check(&data, problems);
            println!("part:check-after-ingest={}", check_start.elapsed().as_secs_f64());
            let counts = (report.summary.records as u64, 0, report.findings.len() as u64);
            std::mem::forget(report);
            std::mem::forget(data);
            std::mem::forget(files);
            counts
        }
        other => return Err(format!("unknown stage `{other}`")),
    };
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds} rows={rows} bytes={bytes} findings={findings} peak_kib={}", peak_kib());
    Ok(ExitCode::SUCCESS)
}

/// The floor: every file read with the `csv` crate as byte records, nothing else.
fn floor(dir: &Path) -> Result<(u64, u64, u64), String> {
    let mut rows = 0;
    let mut bytes = 0;
    let mut record = csv::ByteRecord::new();
    for table in model::TableId::ALL {
        let path = dir.join(table.file());
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        while reader.read_byte_record(&mut record).map_err(|e| format!("{}: {e}", path.display()))? {
            rows += 1;
        }
        bytes += reader.position().byte();
    }
    Ok((rows, bytes, 0))
}

/// The peak resident set of this process, from `/proc/self/status`.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}
