//! `cargo xtask bench`: measures the full check against the floor of reading the files, at
//! several sizes, on one thread and on all cores, with its peak memory.
//!
//! The parent builds the release binary, generates (or reuses) the synthetic datasets under
//! `target/bench-data/`, then runs each stage in a child process of that binary
//! (`xtask bench --child STAGE DIR`), round after round, every size and every stage in each
//! round, so that a stage and the floor it is divided by were measured under the same
//! conditions. Each child times its own work and reports its CPU time, the time its threads
//! waited for a CPU (`/proc/self/task/*/schedstat`) and its peak resident memory (`VmHWM` of
//! `/proc/self/status`), so that every stage's memory is measured alone.
//!
//! The machine may be shared: a run whose threads waited for a CPU, or that took far longer
//! than its stage's fastest run, was disturbed by other load and is run again, up to a limit;
//! the report says how many were. With `--markdown FILE`, the measured section of FILE (between
//! [`BEGIN`] and [`END`]) is regenerated from the same output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use synth::Params;

use crate::synth::parse_flags;

/// The line before the measured section of a document `--markdown` regenerates.
const BEGIN: &str =
    "<!-- begin: measured by `cargo xtask bench --markdown docs/performance.md`; not edited by hand -->";
/// The line after it.
const END: &str = "<!-- end: measured by `cargo xtask bench` -->";

/// Commodity lines of the datasets measured when `--sizes` is not given.
const DEFAULT_SIZES: &[usize] = &[100_000, 1_000_000, 3_000_000];

/// A run is disturbed when its threads waited for a CPU longer than this share of its wall time…
const WAITED: f64 = 0.05;
/// …or when it took longer than this multiple of its stage's fastest run. The work is the
/// same in every run, and undisturbed runs differ by a few per cent; other load can slow a
/// run without making it wait (through the caches and the memory it shares), and can slow
/// most runs of a stage, which a bound on the median would let pass.
const SLOW: f64 = 1.1;

/// The targets of issue 14.
const TARGET_ALL_CORES: f64 = 1.5;
const TARGET_ONE_THREAD: f64 = 2.5;
const TARGET_MEMORY: f64 = 0.5;
const TARGET_SMALL_MIB: f64 = 16.0;
const TARGET_LINEAR: f64 = 0.10;

/// The stages, in the order they are run and reported.
const STAGES: &[Stage] = &[
    Stage { name: "floor", what: "floor: `csv` `ByteRecord` reads", threads: Some(1) },
    Stage { name: "ingest", what: "ingest, all cores", threads: None },
    Stage { name: "check-1", what: "full check, 1 thread", threads: Some(1) },
    Stage { name: "check", what: "full check, all cores", threads: None },
];
const FLOOR: usize = 0;
const CHECK_ONE: usize = 2;
const CHECK_ALL: usize = 3;

struct Stage {
    name: &'static str,
    what: &'static str,
    /// `RAYON_NUM_THREADS` for the child; `None` for all cores.
    threads: Option<usize>,
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    if let Some(("--child", rest)) = args.split_first().map(|(a, rest)| (a.as_str(), rest)) {
        return child(rest);
    }
    let options = Options::parse(args)?;
    if let Some(path) = &options.markdown {
        // Said before measuring for minutes, not after.
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        section_bounds(&text).ok_or_else(|| no_section(path))?;
    }
    let started = Instant::now();
    let exe = match &options.exe {
        Some(exe) => exe.clone(),
        None => release_binary(options.build)?,
    };
    let target = exe.parent().and_then(Path::parent).ok_or("cannot find the target folder")?.to_path_buf();

    let load_before = load_average();
    let mut sizes = Vec::new();
    for &rows in &options.sizes {
        let params = Params::for_rows(rows, options.seed);
        params.validate()?;
        let dir = dataset(&target, &params)?;
        sizes.push(Size {
            label: label(rows),
            params,
            dir,
            runs: (0..STAGES.len()).map(|_| Runs::default()).collect(),
        });
    }
    // Warm the page cache, so that every stage reads the same cached files.
    for size in &sizes {
        run_child(&exe, "floor", &size.dir, Some(1))?;
    }

    let mut loads = Vec::new();
    for round in 0..options.runs {
        loads.extend(load_average());
        for size in &mut sizes {
            for (stage, runs) in STAGES.iter().zip(&mut size.runs) {
                eprint!("\rround {}/{}: {} {:<8}", round + 1, options.runs, size.label, stage.name);
                let first = run_child(&exe, stage.name, &size.dir, stage.threads)?;
                let (kept, repeats) = settle(&exe, stage, &size.dir, first, options.retries, None)?;
                runs.kept.push(kept);
                runs.repeated += repeats;
            }
        }
    }
    // Runs far slower than their stage's fastest were disturbed in a way the scheduler does not
    // show (another process on the other core, sharing caches and memory bandwidth).
    for size in &mut sizes {
        for (stage, runs) in STAGES.iter().zip(&mut size.runs) {
            // A repeat that comes back faster than every run so far lowers the bound: the runs
            // are gone over again, each within what is left of its retries, so this ends.
            loop {
                let fastest = runs.summary().wall_min;
                for k in 0..runs.kept.len() {
                    let sample = runs.kept[k];
                    let left = options.retries.saturating_sub(sample.attempts - 1);
                    eprint!("\rrepeating slow runs: {} {:<8}      ", size.label, stage.name);
                    let (kept, repeats) = settle(&exe, stage, &size.dir, sample, left, Some(fastest))?;
                    runs.kept[k] = kept;
                    runs.repeated += repeats;
                }
                if runs.summary().wall_min >= fastest {
                    break;
                }
            }
        }
    }
    eprintln!("\rwhere the time goes, and `xtask check` on {}         ", options.data.display());
    let largest = sizes.iter().max_by_key(|s| s.params.commodity_rows()).ok_or("no size to measure")?;
    let parts = breakdown(&exe, &largest.dir)?;
    let real_check = time_real_check(&exe, &options.data, REAL_CHECK_RUNS)?;

    let results = Results {
        machine: machine(),
        rustc: rustc_version(),
        binary: if options.exe.is_some() {
            format!("stages run by {}", exe.display())
        } else {
            "release profile".to_owned()
        },
        data: format!(
            "{}/",
            options
                .data
                .strip_prefix(workspace_root())
                .unwrap_or(&options.data)
                .display()
                .to_string()
                .trim_end_matches('/')
        ),
        runs: options.runs,
        retries: options.retries,
        load_before,
        loads,
        load_after: load_average(),
        parts_of: largest.label.clone(),
        parts,
        real_check,
        elapsed: started.elapsed(),
        sizes,
    };
    let markdown = results.markdown();
    print!("{markdown}");
    if let Some(path) = &options.markdown {
        regenerate(path, &markdown)?;
        eprintln!("regenerated the measured section of {}", path.display());
    }
    Ok(if results.findings() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What `cargo xtask bench` was asked to do.
struct Options {
    /// Commodity lines of each dataset.
    sizes: Vec<usize>,
    runs: usize,
    /// How many times a disturbed run is repeated, at most.
    retries: usize,
    seed: u64,
    build: bool,
    /// The binary that runs the stages, instead of the release build.
    exe: Option<PathBuf>,
    /// The document whose measured section is regenerated.
    markdown: Option<PathBuf>,
    /// The data folder `xtask check` is timed on.
    data: PathBuf,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            sizes: DEFAULT_SIZES.to_vec(),
            runs: 5,
            retries: 3,
            seed: 1,
            build: true,
            exe: None,
            markdown: None,
            data: workspace_root().join("data"),
        };
        let number = |flag: &str, text: String| {
            text.parse::<usize>().map_err(|_| format!("{flag} takes a whole number, not `{text}`"))
        };
        parse_flags(args, &mut |flag, value| {
            match flag {
                "--sizes" => options.sizes = value()?.split(',').map(size).collect::<Result<_, _>>()?,
                "--runs" => options.runs = number(flag, value()?)?,
                "--retries" => options.retries = number(flag, value()?)?,
                "--seed" => options.seed = number(flag, value()?)? as u64,
                "--no-build" => options.build = false,
                "--exe" => options.exe = Some(PathBuf::from(value()?)),
                "--markdown" => options.markdown = Some(PathBuf::from(value()?)),
                "--data" => options.data = PathBuf::from(value()?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if options.runs == 0 {
            return Err("--runs must be at least 1".to_owned());
        }
        options.sizes.sort_unstable();
        options.sizes.dedup();
        if options.sizes.is_empty() {
            return Err("--sizes needs at least one size".to_owned());
        }
        Ok(options)
    }
}

/// `100k`, `1M`, `3m` or `250000`: commodity lines.
fn size(text: &str) -> Result<usize, String> {
    let lower = text.trim().to_ascii_lowercase().replace('_', "");
    let (digits, scale) = if let Some(digits) = lower.strip_suffix('m') {
        (digits, 1_000_000)
    } else if let Some(digits) = lower.strip_suffix('k') {
        (digits, 1_000)
    } else {
        (lower.as_str(), 1)
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n >= 10)
        .ok_or_else(|| format!("--sizes takes row counts of at least 10, such as 100k,1M,3M, not `{text}`"))
}

/// How a size is written: `100k`, `1M`.
fn label(rows: usize) -> String {
    if rows.is_multiple_of(1_000_000) {
        format!("{}M", rows / 1_000_000)
    } else if rows.is_multiple_of(1_000) {
        format!("{}k", rows / 1_000)
    } else {
        thousands(rows as u64)
    }
}

/// What a child reports about one run.
#[derive(Clone, Copy, Debug, Default)]
struct Sample {
    /// Wall time of the child's work, in seconds.
    wall: f64,
    /// CPU time of all its threads, in seconds.
    cpu: f64,
    /// Time its threads were ready to run but waited for a CPU, in seconds.
    waited: f64,
    rows: u64,
    bytes: u64,
    peak_kib: u64,
    findings: u64,
    /// How many times the run was made, the kept one included.
    attempts: usize,
}

impl Sample {
    /// Whether other load disturbed this run: it waited for a CPU, or was far slower than
    /// `fastest`, its stage's fastest run.
    fn disturbed(&self, fastest: Option<f64>) -> bool {
        self.waited > WAITED * self.wall || fastest.is_some_and(|f| self.wall > SLOW * f)
    }
}

/// Repeats a disturbed run, up to `retries` times: the first undisturbed attempt is kept, or
/// else the least disturbed one. Returns it and how many times the run was repeated.
fn settle(
    exe: &Path,
    stage: &Stage,
    dir: &Path,
    first: Sample,
    retries: usize,
    fastest: Option<f64>,
) -> Result<(Sample, usize), String> {
    let badness = |s: &Sample| s.waited / s.wall + fastest.map_or(0.0, |f| s.wall / f);
    let mut kept = Sample { attempts: first.attempts.max(1), ..first };
    let mut repeats = 0;
    while repeats < retries && kept.disturbed(fastest) {
        let again = run_child(exe, stage.name, dir, stage.threads)?;
        repeats += 1;
        let attempts = kept.attempts + 1;
        if !again.disturbed(fastest) || badness(&again) < badness(&kept) {
            kept = again;
        }
        kept.attempts = attempts;
    }
    Ok((kept, repeats))
}

/// One dataset and the runs of every stage on it.
struct Size {
    label: String,
    params: Params,
    dir: PathBuf,
    /// Indexed like [`STAGES`].
    runs: Vec<Runs>,
}

#[derive(Default)]
struct Runs {
    kept: Vec<Sample>,
    repeated: usize,
}

/// The spread of a stage's runs.
#[derive(Clone, Copy, Debug, Default)]
struct Summary {
    wall_median: f64,
    wall_min: f64,
    cpu_median: f64,
    /// The median share of its wall time a run's threads waited for a CPU.
    waited_median: f64,
    peak_kib: u64,
    rows: u64,
    bytes: u64,
    findings: u64,
    repeated: usize,
    /// Kept runs that were still disturbed after their repeats.
    disturbed: usize,
}

impl Runs {
    fn summary(&self) -> Summary {
        let wall = sorted(self.kept.iter().map(|s| s.wall));
        let cpu = sorted(self.kept.iter().map(|s| s.cpu));
        let wall_median = median(&wall);
        let first = self.kept.first().copied().unwrap_or_default();
        Summary {
            wall_median,
            wall_min: wall.first().copied().unwrap_or(0.0),
            cpu_median: median(&cpu),
            waited_median: median(&sorted(self.kept.iter().map(|s| s.waited / s.wall))),
            peak_kib: self.kept.iter().map(|s| s.peak_kib).max().unwrap_or(0),
            rows: first.rows,
            bytes: first.bytes,
            findings: self.kept.iter().map(|s| s.findings).max().unwrap_or(0),
            repeated: self.repeated,
            disturbed: self.kept.iter().filter(|s| s.disturbed(wall.first().copied())).count(),
        }
    }
}

fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values
}

/// The median of sorted values (the upper one of an even count).
fn median(sorted: &[f64]) -> f64 {
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// Everything one bench measured.
struct Results {
    machine: String,
    rustc: String,
    /// Which build ran the stages.
    binary: String,
    /// The data folder `xtask check` was timed on.
    data: String,
    runs: usize,
    retries: usize,
    load_before: Option<f64>,
    /// The load average at the start of each round.
    loads: Vec<f64>,
    load_after: Option<f64>,
    sizes: Vec<Size>,
    parts_of: String,
    parts: Vec<Part>,
    real_check: Duration,
    elapsed: Duration,
}

const REAL_CHECK_RUNS: usize = 10;

impl Results {
    fn findings(&self) -> u64 {
        self.sizes.iter().flat_map(|s| &s.runs[CHECK_ONE..]).map(|r| r.summary().findings).max().unwrap_or(0)
    }

    /// The measured section of `docs/performance.md`: how it was measured, under what load, the
    /// table of stages, the targets and where the time goes.
    fn markdown(&self) -> String {
        let mut out = String::new();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let _ = writeln!(out, "Machine: {}; {}; {}.\n", self.machine, self.rustc, self.binary);
        let shown = |load: Option<f64>| load.map_or_else(|| "unknown".to_owned(), |l| format!("{l:.2}"));
        let during = sorted(self.loads.iter().copied());
        let mean = during.iter().sum::<f64>() / during.len().max(1) as f64;
        let _ = writeln!(
            out,
            "Load average (1 minute, `/proc/loadavg`) on the {cores} cores: {} before, {}–{} at the starts of the \
             rounds (mean {mean:.2}), {} after.{}",
            shown(self.load_before),
            shown(during.first().copied()),
            shown(during.last().copied()),
            shown(self.load_after),
            if mean > cores as f64 * 0.5 {
                " The machine was shared with other work: wall times are pessimistic, CPU times (all threads, \
                 from `/proc/self/task/*/schedstat`) are given beside them."
            } else {
                ""
            }
        );
        let _ = writeln!(out);
        let all: Vec<Summary> = self.sizes.iter().flat_map(|s| s.runs.iter().map(Runs::summary)).collect();
        let _ = writeln!(
            out,
            "Runs per stage: {}, interleaved: each round runs every stage at every size. A run whose threads \
             waited for a CPU longer than {:.0} % of its wall time, or that took more than {SLOW} × its stage's \
             fastest run, was repeated, up to {} times, keeping the first undisturbed attempt (else the least \
             disturbed): {} of {} runs were repeated, {} runs in all; {} kept runs were still disturbed. The \
             bench took {} in all.",
            self.runs,
            WAITED * 100.0,
            self.retries,
            self.sizes.iter().flat_map(|s| &s.runs).flat_map(|r| &r.kept).filter(|k| k.attempts > 1).count(),
            self.runs * all.len(),
            all.iter().map(|s| s.repeated).sum::<usize>() + self.runs * all.len(),
            all.iter().map(|s| s.disturbed).sum::<usize>(),
            minutes(self.elapsed)
        );
        let _ = writeln!(out);
        for size in &self.sizes {
            let floor = size.runs[FLOOR].summary();
            let _ = writeln!(
                out,
                "- {}: {} commodity lines, {} rows in all files, {:.1} MB",
                size.label,
                thousands(size.params.commodity_rows() as u64),
                thousands(floor.rows),
                floor.bytes as f64 / 1e6
            );
        }
        let _ = writeln!(out);
        out.push_str(TABLE_HEADER);
        for size in &self.sizes {
            let floor = size.runs[FLOOR].summary();
            for (stage, runs) in STAGES.iter().zip(&size.runs) {
                let m = runs.summary();
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {:.2} | {:.2} | {:.1} | {:.2} | {} of {} |",
                    size.label,
                    stage.what,
                    m.wall_median * 1e3,
                    m.wall_min * 1e3,
                    m.cpu_median * 1e3,
                    m.waited_median * 100.0,
                    m.wall_median / floor.wall_median,
                    m.cpu_median / floor.cpu_median,
                    m.peak_kib as f64 / 1024.0,
                    m.peak_kib as f64 * 1024.0 / m.bytes.max(1) as f64,
                    runs.kept.iter().filter(|k| k.attempts > 1).count(),
                    runs.kept.len()
                );
            }
        }
        let _ = writeln!(out);
        let speedups: Vec<String> = self
            .sizes
            .iter()
            .map(|size| {
                let (one, all) = (size.runs[CHECK_ONE].summary(), size.runs[CHECK_ALL].summary());
                format!(
                    "{:.2} × at {} (fastest runs {:.2} ×)",
                    one.wall_median / all.wall_median,
                    size.label,
                    one.wall_min / all.wall_min
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "`waited %`: the median share of a run's wall time its threads were ready to run but waited for a CPU, \
             summed over its threads. The \
             full check on all cores against 1 thread, wall time: {}.",
            speedups.join(", ")
        );
        let _ = writeln!(out);
        out.push_str(&self.targets(cores));
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Where the time of a check goes, at {}, on one thread, ingest and each rule alone (median of 3 runs, \
             not repeated when disturbed):",
            self.parts_of
        );
        let _ = writeln!(out);
        out.push_str(PARTS_HEADER);
        let rows = self.sizes.iter().find(|s| s.label == self.parts_of).map_or(1, |s| s.runs[FLOOR].summary().rows);
        let per_row = |part: &Part| part.cpu * 1e9 / rows.max(1) as f64;
        let shown = |part: &Part| {
            format!("| {} | {:.1} | {:.1} | {:.0} |\n", part.name, part.wall * 1e3, part.cpu * 1e3, per_row(part))
        };
        // Rules under a nanosecond per row are summed into one line, before the total.
        let mut others = Part { name: String::new(), wall: 0.0, cpu: 0.0 };
        let mut count = 0;
        for part in &self.parts {
            if part.name == "ingest" || part.name.starts_with("all rules") || per_row(part) >= 1.0 {
                if part.name.starts_with("all rules") && count > 0 {
                    others.name = format!("the {count} other rules");
                    out.push_str(&shown(&others));
                }
                out.push_str(&shown(part));
            } else {
                others.wall += part.wall;
                others.cpu += part.cpu;
                count += 1;
            }
        }
        out
    }

    /// Whether the median of a stage's runs, of which `disturbed` are still disturbed after
    /// their repeats, may be a disturbed run's: it is an undisturbed run's only while fewer
    /// than half the runs are disturbed. A time judged on it says more about the load than
    /// the check, in either direction (a disturbed floor makes a ratio look better).
    fn median_disturbed(&self, disturbed: usize) -> bool {
        2 * disturbed >= self.runs
    }

    /// The targets of issue 14 next to what was measured. The time targets are judged on the
    /// default dataset, where the issue sets them; linearity as growing no faster than the
    /// rows (a per-row figure may fall: fixed costs spread over more rows).
    fn targets(&self, cores: usize) -> String {
        let mut out = String::from(TARGETS_HEADER);
        let summaries: Vec<(String, Vec<Summary>)> =
            self.sizes.iter().map(|s| (s.label.clone(), s.runs.iter().map(Runs::summary).collect())).collect();
        // The issue sets the time targets on the default synthetic dataset; the size that stands
        // for it is judged, and the others are shown beside it.
        let default_rows = Params::default().commodity_rows();
        let off_default = |s: &Size| s.params.commodity_rows().abs_diff(default_rows);
        let default_size = (0..self.sizes.len())
            .filter(|&i| off_default(&self.sizes[i]) * 10 <= default_rows)
            .min_by_key(|&i| off_default(&self.sizes[i]));
        let ratio = |stage: usize, limit: f64| {
            let each = |(label, m): &(String, Vec<Summary>)| {
                let wall = m[stage].wall_median / m[FLOOR].wall_median;
                let cpu = m[stage].cpu_median / m[FLOOR].cpu_median;
                (wall, format!("{wall:.2} × at {label} (CPU {cpu:.2} ×)"))
            };
            let others: Vec<String> = summaries
                .iter()
                .enumerate()
                .filter(|&(i, _)| Some(i) != default_size)
                .map(|(_, s)| each(s).1)
                .collect();
            let others = others.join(", ");
            match default_size {
                Some(i) => {
                    let (wall, judged) = each(&summaries[i]);
                    let text = if others.is_empty() { judged } else { format!("{judged}; not judged: {others}") };
                    let m = &summaries[i].1;
                    let (disturbed, of) = if m[FLOOR].disturbed >= m[stage].disturbed {
                        (m[FLOOR].disturbed, "the floor's")
                    } else {
                        (m[stage].disturbed, "its")
                    };
                    let verdict = if self.median_disturbed(disturbed) {
                        Verdict::Unsure(format!("{disturbed} of {of} {} runs still disturbed", self.runs))
                    } else {
                        Verdict::of(wall <= limit)
                    };
                    (text, verdict)
                }
                None => (format!("no size near the default dataset; not judged: {others}"), Verdict::NotMeasured),
            }
        };
        let default_label = format!(
            "on the default dataset ({} lines)",
            default_size.map_or_else(|| thousands(default_rows as u64), |i| self.sizes[i].label.clone())
        );
        let (text, met) = ratio(CHECK_ALL, TARGET_ALL_CORES);
        judged_row(
            &mut out,
            &format!("full check on all cores ({cores}) ≤ {TARGET_ALL_CORES} × the floor {default_label}"),
            &text,
            met,
        );
        let (text, met) = ratio(CHECK_ONE, TARGET_ONE_THREAD);
        judged_row(
            &mut out,
            &format!("full check on 1 thread ≤ {TARGET_ONE_THREAD} × the floor {default_label}"),
            &text,
            met,
        );
        let check_peak = |m: &[Summary]| m[CHECK_ONE].peak_kib.max(m[CHECK_ALL].peak_kib) as f64 * 1024.0;
        let large: Vec<&(String, Vec<Summary>)> = summaries
            .iter()
            .zip(&self.sizes)
            .filter(|(_, s)| s.params.commodity_rows() >= 1_000_000)
            .map(|(m, _)| m)
            .collect();
        if large.is_empty() {
            judged_row(
                &mut out,
                &format!("peak memory ≤ {TARGET_MEMORY} × the input at 1M rows and above"),
                "no size of 1M rows or more",
                Verdict::NotMeasured,
            );
        } else {
            let mut met = true;
            let each: Vec<String> = large
                .iter()
                .map(|(label, m)| {
                    let share = check_peak(m) / m[FLOOR].bytes as f64;
                    met &= share <= TARGET_MEMORY;
                    format!("{share:.2} × at {label} ({:.0} MiB)", check_peak(m) / MIB)
                })
                .collect();
            row(
                &mut out,
                &format!("peak memory ≤ {TARGET_MEMORY} × the input at 1M rows and above"),
                &each.join(", "),
                met,
            );
        }
        if let Some((label, m)) = summaries.iter().zip(&self.sizes).find(|(_, s)| s.label == "100k").map(|(m, _)| m) {
            let peak = check_peak(m) / MIB;
            row(
                &mut out,
                &format!("peak memory at 100k ≤ {TARGET_SMALL_MIB} MiB"),
                &format!("{peak:.1} MiB at {label}"),
                peak <= TARGET_SMALL_MIB,
            );
        }
        if let [.., (small_label, small), (big_label, big)] = summaries.as_slice() {
            let per_row = |m: &Summary, value: f64| value / m.rows.max(1) as f64;
            let (mut missed, mut unsure) = (false, Vec::new());
            let mut each = Vec::new();
            for (what, stage, cpu) in
                [("1 thread", CHECK_ONE, false), ("all cores", CHECK_ALL, false), ("1 thread, CPU", CHECK_ONE, true)]
            {
                let time = |m: &Summary| per_row(m, if cpu { m.cpu_median } else { m.wall_median }) * 1e9;
                let change = time(&big[stage]) / time(&small[stage]) - 1.0;
                // As for the ratios to the floor, whichever way the load moves the change.
                let disturbed = big[stage].disturbed.max(small[stage].disturbed);
                if self.median_disturbed(disturbed) {
                    unsure.push(format!("{what}, {disturbed} of {} runs still disturbed", self.runs));
                } else if change > TARGET_LINEAR {
                    missed = true;
                }
                each.push(format!(
                    "{what}: {:.0} ns at {big_label}, {:.0} ns at {small_label} ({:+.1} %)",
                    time(&big[stage]),
                    time(&small[stage]),
                    change * 100.0
                ));
            }
            let verdict = match (missed, unsure.is_empty()) {
                (true, _) => Verdict::Missed,
                (false, true) => Verdict::Met,
                (false, false) => Verdict::Unsure(unsure.join("; ")),
            };
            judged_row(
                &mut out,
                &format!(
                    "full check's time per row at {big_label} within {:.0} % of {small_label} (at most that much above)",
                    TARGET_LINEAR * 100.0
                ),
                &each.join("; "),
                verdict,
            );
            let memory = |m: &[Summary]| check_peak(m) / m[CHECK_ALL].rows.max(1) as f64;
            let change = memory(big) / memory(small) - 1.0;
            row(
                &mut out,
                &format!(
                    "peak memory per row at {big_label} within {:.0} % of {small_label} (at most that much above)",
                    TARGET_LINEAR * 100.0
                ),
                &format!(
                    "{:.0} bytes at {big_label}, {:.0} bytes at {small_label} ({:+.1} %)",
                    memory(big),
                    memory(small),
                    change * 100.0
                ),
                change <= TARGET_LINEAR,
            );
        }
        row(
            &mut out,
            &format!("`xtask check` on `{}`, whole process, < 50 ms", self.data),
            &format!("{:.1} ms (median of {REAL_CHECK_RUNS})", self.real_check.as_secs_f64() * 1e3),
            self.real_check < Duration::from_millis(50),
        );
        let findings = self.findings();
        row(&mut out, "the synthetic datasets check clean", &format!("{findings} findings"), findings == 0);
        out
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// The header of the table of stages; `xtask/tests/bench.rs` checks that the document's table has it.
const TABLE_HEADER: &str = "\
| size | stage | wall ms, median | wall ms, min | CPU ms, median | waited % | × floor, wall | × floor, CPU | peak RSS MiB | peak / input | runs repeated |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
";
const TARGETS_HEADER: &str = "\
| target (issue 14) | measured | |
|---|---|---|
";
const PARTS_HEADER: &str = "\
| part | wall ms | CPU ms | CPU ns per row |
|---|---:|---:|---:|
";

fn row(out: &mut String, target: &str, measured: &str, met: bool) {
    judged_row(out, target, measured, Verdict::of(met));
}

/// What a target's row says of it.
enum Verdict {
    Met,
    Missed,
    /// No size it applies to was measured.
    NotMeasured,
    /// Too many of the runs it is judged on were still disturbed, and why.
    Unsure(String),
}

impl Verdict {
    fn of(met: bool) -> Verdict {
        if met { Verdict::Met } else { Verdict::Missed }
    }
}

fn judged_row(out: &mut String, target: &str, measured: &str, verdict: Verdict) {
    let verdict = match verdict {
        Verdict::Met => "met".to_owned(),
        Verdict::Missed => "**missed**".to_owned(),
        Verdict::NotMeasured => "not measured".to_owned(),
        Verdict::Unsure(why) => format!("unsure: {why}"),
    };
    let _ = writeln!(out, "| {target} | {measured} | {verdict} |");
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn minutes(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    format!("{} min {:02} s", seconds / 60, seconds % 60)
}

/// Replaces what lies between [`BEGIN`] and [`END`] in the file at `path` with `section`.
fn regenerate(path: &Path, section: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let (start, end) = section_bounds(&text).ok_or_else(|| no_section(path))?;
    let updated = format!("{}\n\n{section}\n{}", &text[..start], &text[end..]);
    std::fs::write(path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Where the measured section of `text` starts (after [`BEGIN`]) and ends (at [`END`]).
fn section_bounds(text: &str) -> Option<(usize, usize)> {
    let start = text.find(BEGIN)? + BEGIN.len();
    let end = text[start..].find(END)? + start;
    Some((start, end))
}

fn no_section(path: &Path) -> String {
    format!("{} has no measured section to regenerate: it needs the lines\n{BEGIN}\n{END}", path.display())
}

/// The one-minute load average.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

fn rustc_version() -> String {
    Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc of unknown version".to_owned(), |v| v.trim().to_owned())
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

/// The dataset of `params` under `target/bench-data/`, generated once.
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
    let mut sample = Sample { attempts: 1, ..Sample::default() };
    for pair in stdout.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else { continue };
        match key {
            "seconds" => sample.wall = value.parse().unwrap_or(0.0),
            "cpu" => sample.cpu = value.parse().unwrap_or(0.0),
            "waited" => sample.waited = value.parse().unwrap_or(0.0),
            "rows" => sample.rows = value.parse().unwrap_or(0),
            "bytes" => sample.bytes = value.parse().unwrap_or(0),
            "peak_kib" => sample.peak_kib = value.parse().unwrap_or(0),
            "findings" => sample.findings = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    Ok(sample)
}

/// A part of a check measured alone.
struct Part {
    name: String,
    wall: f64,
    cpu: f64,
}

/// Ingest and each rule alone, on one thread: where the time of a check goes. Medians of 3.
fn breakdown(exe: &Path, dir: &Path) -> Result<Vec<Part>, String> {
    let mut runs: Vec<Vec<Part>> = Vec::new();
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
                .filter_map(|(name, times)| {
                    let (wall, cpu) = times.split_once(',')?;
                    Some(Part { name: name.to_owned(), wall: wall.parse().ok()?, cpu: cpu.parse().ok()? })
                })
                .collect(),
        );
    }
    let mut parts = std::mem::take(&mut runs[0]);
    for (i, part) in parts.iter_mut().enumerate() {
        part.wall = median(&sorted(runs.iter().filter_map(|r| r.get(i)).map(|p| p.wall).chain([part.wall])));
        part.cpu = median(&sorted(runs.iter().filter_map(|r| r.get(i)).map(|p| p.cpu).chain([part.cpu])));
    }
    Ok(parts)
}

/// The median wall time of `xtask check` on a data folder, process start to exit.
fn time_real_check(exe: &Path, data: &Path, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let output = Command::new(exe)
            .args(["check", "--data"])
            .arg(data)
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
    format!("{model}, {cores} cores, {memory}")
}

/// `xtask bench --child STAGE DIR`: runs one stage once and prints what it measured.
fn child(args: &[String]) -> Result<ExitCode, String> {
    let [stage, dir] = args else {
        return Err("bench --child takes STAGE DIR".to_owned());
    };
    let dir = Path::new(dir);
    let scheduled = Scheduled::now();
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
            let files = ingest::read_dir_streaming(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
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
            let part = |name: &str, since: (Instant, Scheduled)| {
                let used = Scheduled::now().since(since.1);
                println!("part:{name}={},{}", since.0.elapsed().as_secs_f64(), used.cpu);
            };
            let files = ingest::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let (data, problems) = ingest::parse(&files);
            part("ingest", (start, scheduled));
            let context = validate::Context::new(&data);
            for rule in validate::rules::ALL {
                let rule_start = (Instant::now(), Scheduled::now());
                let found = rule.run(&context);
                part(&rule.id.to_string(), rule_start);
                std::mem::forget(found);
            }
            let check_start = (Instant::now(), Scheduled::now());
            let report = validate::check(&data, problems);
            part("all rules, run by `check` after ingest", check_start);
            let counts = (report.summary.records as u64, 0, report.findings.len() as u64);
            std::mem::forget(report);
            std::mem::forget(data);
            std::mem::forget(files);
            counts
        }
        other => return Err(format!("unknown stage `{other}`")),
    };
    let seconds = start.elapsed().as_secs_f64();
    let used = Scheduled::now().since(scheduled);
    println!(
        "seconds={seconds} cpu={} waited={} rows={rows} bytes={bytes} findings={findings} peak_kib={}",
        used.cpu,
        used.waited,
        peak_kib()
    );
    Ok(ExitCode::SUCCESS)
}

/// What the scheduler says of this process's live threads (`/proc/self/task/*/schedstat`):
/// seconds on a CPU, and seconds ready to run but waiting for one. The thread pool's threads
/// live as long as the process, so none of the work is missed.
#[derive(Clone, Copy, Debug, Default)]
struct Scheduled {
    cpu: f64,
    waited: f64,
}

impl Scheduled {
    fn now() -> Scheduled {
        let mut total = Scheduled::default();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return total };
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap_or(0) as f64 / 1e9);
            total.cpu += fields.next().unwrap_or(0.0);
            total.waited += fields.next().unwrap_or(0.0);
        }
        total
    }

    fn since(self, before: Scheduled) -> Scheduled {
        Scheduled { cpu: self.cpu - before.cpu, waited: self.waited - before.waited }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A size of `rows` commodity lines whose stages took `walls` seconds (floor, ingest, one
    /// thread, all cores), each run with a peak of `peak_kib`.
    fn size(rows: usize, walls: [f64; 4], peak_kib: u64) -> Size {
        let params = Params::for_rows(rows, 1);
        let lines = params.commodity_rows() as u64;
        let runs = walls
            .iter()
            .map(|&wall| Runs {
                kept: vec![Sample {
                    wall,
                    cpu: wall,
                    rows: lines,
                    bytes: lines * 64,
                    peak_kib,
                    attempts: 1,
                    ..Sample::default()
                }],
                repeated: 0,
            })
            .collect();
        Size { label: label(rows), params, dir: PathBuf::new(), runs }
    }

    fn results(sizes: Vec<Size>) -> Results {
        Results {
            machine: String::new(),
            rustc: String::new(),
            binary: String::new(),
            data: "data/".to_owned(),
            runs: 1,
            retries: 0,
            load_before: None,
            loads: Vec::new(),
            load_after: None,
            sizes,
            parts_of: String::new(),
            parts: Vec::new(),
            real_check: Duration::from_millis(3),
            elapsed: Duration::ZERO,
        }
    }

    /// `sizes` measured in three rounds, each stage's one run three times, for a test to slow
    /// some of them.
    fn in_three_rounds(mut sizes: Vec<Size>) -> Results {
        for runs in sizes.iter_mut().flat_map(|s| s.runs.iter_mut()) {
            runs.kept = vec![runs.kept[0]; 3];
        }
        Results { runs: 3, ..results(sizes) }
    }

    /// The verdict of the target whose row starts with `target`.
    fn verdict<'t>(table: &'t str, target: &str) -> &'t str {
        let row = table.lines().find(|l| l.starts_with(&format!("| {target}"))).unwrap_or_else(|| panic!("{table}"));
        row.trim_end_matches(" |").rsplit(" | ").next().unwrap_or_default()
    }

    #[test]
    fn time_targets_are_judged_on_the_default_dataset_and_the_other_sizes_shown() {
        // 3 × the floor at 100k, 2.4 × and 1.4 × at 1M, 2.6 × at 3M on one thread.
        let table = results(vec![
            size(100_000, [0.01, 0.0, 0.03, 0.02], 9_000),
            size(1_000_000, [0.1, 0.0, 0.24, 0.14], 16_000),
            size(3_000_000, [0.3, 0.0, 0.78, 0.42], 22_000),
        ])
        .targets(2);
        assert_eq!(verdict(&table, "full check on 1 thread"), "met", "{table}");
        assert_eq!(verdict(&table, "full check on all cores"), "met", "{table}");
        assert!(
            table.contains("| 2.40 × at 1M (CPU 2.40 ×); not judged: 3.00 × at 100k (CPU 3.00 ×), 2.60 × at 3M"),
            "{table}"
        );

        let slow = results(vec![size(1_000_000, [0.1, 0.0, 0.26, 0.16], 16_000)]).targets(2);
        assert_eq!(verdict(&slow, "full check on 1 thread"), "**missed**", "{slow}");
        assert_eq!(verdict(&slow, "full check on all cores"), "**missed**", "{slow}");

        // Of two sizes within 10 % of the default, the nearer is judged.
        let near =
            results(vec![size(920_000, [0.1, 0.0, 0.3, 0.2], 16_000), size(1_000_000, [0.1, 0.0, 0.24, 0.14], 16_000)])
                .targets(2);
        assert_eq!(verdict(&near, "full check on 1 thread"), "met", "{near}");
        assert!(near.contains("| 2.40 × at 1M (CPU 2.40 ×); not judged: 3.00 × at 920k"), "{near}");

        let small = results(vec![size(100_000, [0.01, 0.0, 0.02, 0.01], 9_000)]).targets(2);
        assert_eq!(verdict(&small, "full check on 1 thread"), "not measured", "{small}");
        assert!(small.contains("no size near the default dataset; not judged: 2.00 × at 100k"), "{small}");
    }

    #[test]
    fn a_run_is_disturbed_when_it_waited_or_was_far_slower_than_the_fastest() {
        let run = |wall: f64, waited: f64| Sample { wall, cpu: wall, waited, attempts: 1, ..Sample::default() };
        assert!(!run(0.105, 0.0).disturbed(Some(0.1)), "within the few per cent of undisturbed runs");
        assert!(run(0.13, 0.0).disturbed(Some(0.1)), "slowed without waiting");
        assert!(run(0.1, 0.01).disturbed(None), "waited for a CPU a tenth of its time");
        assert!(!run(0.13, 0.0).disturbed(None), "no fastest run to compare with yet");
        // Most runs of a stage slowed: the median is no guide, the fastest still is.
        let walls = sorted([0.10, 0.13, 0.13, 0.14, 0.14].into_iter());
        let kept = Runs { kept: walls.iter().map(|&w| run(w, 0.0)).collect(), repeated: 0 };
        assert_eq!(kept.summary().disturbed, 4);
    }

    #[test]
    fn a_time_target_judged_on_runs_mostly_disturbed_is_unsure() {
        // Three rounds; two of the floor's runs at 1M took half as long again as its fastest,
        // which lifts its median and lowers the ratio: one thread's 2.70 × reads as 1.80 ×.
        let mut disturbed = in_three_rounds(vec![size(1_000_000, [0.1, 0.0, 0.27, 0.14], 16_000)]);
        disturbed.sizes[0].runs[FLOOR].kept[1].wall = 0.15;
        disturbed.sizes[0].runs[FLOOR].kept[2].wall = 0.16;
        let table = disturbed.targets(2);
        assert_eq!(
            verdict(&table, "full check on 1 thread"),
            "unsure: 2 of the floor's 3 runs still disturbed",
            "{table}"
        );
        // One disturbed run of three leaves the median an undisturbed one: judged.
        disturbed.sizes[0].runs[FLOOR].kept[1].wall = 0.1;
        let table = disturbed.targets(2);
        assert_eq!(verdict(&table, "full check on 1 thread"), "**missed**", "{table}");
        assert_eq!(verdict(&table, "full check on all cores"), "met", "{table}");
    }

    #[test]
    fn linearity_is_met_when_the_per_row_figures_fall_and_missed_when_they_grow() {
        // Memory mostly fixed: per row it falls by far more than 10 %; time per row falls a little.
        let fixed = results(vec![
            size(1_000_000, [0.1, 0.0, 0.24, 0.14], 16_000),
            size(3_000_000, [0.3, 0.0, 0.70, 0.40], 22_000),
        ])
        .targets(2);
        assert_eq!(verdict(&fixed, "peak memory per row at 3M"), "met", "{fixed}");
        assert_eq!(verdict(&fixed, "full check's time per row at 3M"), "met", "{fixed}");
        // Memory and time per row 20 % above those at 1M.
        let growing = results(vec![
            size(1_000_000, [0.1, 0.0, 0.24, 0.14], 16_000),
            size(3_000_000, [0.3, 0.0, 0.864, 0.504], 57_600),
        ])
        .targets(2);
        assert_eq!(verdict(&growing, "peak memory per row at 3M"), "**missed**", "{growing}");
        assert_eq!(verdict(&growing, "full check's time per row at 3M"), "**missed**", "{growing}");
        // On both cores the median at 3M is 0.60 s, 43 % more per row than at 1M, but two of
        // its three runs took half as long again as the fastest: the median is the load's.
        let mut slowed = in_three_rounds(vec![
            size(1_000_000, [0.1, 0.0, 0.24, 0.14], 16_000),
            size(3_000_000, [0.3, 0.0, 0.70, 0.40], 22_000),
        ]);
        slowed.sizes[1].runs[CHECK_ALL].kept[1].wall = 0.6;
        slowed.sizes[1].runs[CHECK_ALL].kept[2].wall = 0.62;
        let table = slowed.targets(2);
        assert_eq!(
            verdict(&table, "full check's time per row at 3M"),
            "unsure: all cores, 2 of 3 runs still disturbed",
            "{table}"
        );
    }
}
