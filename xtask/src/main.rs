//! `cargo xtask`: bilat's command line. Argument parsing and orchestration only; the work is
//! done by the library crates.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod chromium;
mod docs;
mod export;
mod review;
mod synth;
mod test;
mod tools;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  check     validate the dataset
              --data DIR        data folder (default: data)
              --format FORMAT   human (default), json or github
              --base REV        with --format github: annotate findings on rows changed since the
                                git revision REV first
  report    write index.html, report.md and report.json for reviewers
              --data DIR        data folder (default: data)
              --out DIR         output folder (default: target/report)
              --base REV        compare with the data at git revision REV: rows added, removed and
                                changed, and findings introduced, fixed and already present
  test      run every test (cargo test --workspace --locked) with Chromium for the browser tests:
              found as $BILAT_CHROMIUM, $CHROME, or chromium, chromium-browser, google-chrome or
              google-chrome-stable on PATH; installed with apt-get when run as root on Debian.
              Installs frictionless (PyPI) for the data package's test, and axe-core and the Nu
              HTML Checker (npm; needs java) for the report's browser tests, into target/test-tools/.
              Further arguments go to cargo test. Exit 1 when a test fails, 2 without a browser.
  docs      regenerate docs/rules.md, the column reference in data/README.md and
            data/datapackage.json
              --check           only verify they are current
  export    write datapackage.json beside the tables: the dataset as a Frictionless Data Package
            (Table Schemas from the model's declarations, the rows of sources.csv as its sources)
              --data DIR        data folder (default: data)
  synth     write a synthetic dataset with the tables of data/, consistent unless errors are planted
              --out DIR         output folder (required)
              --partners N      partner countries (default 200)
              --years A..B      years of trade and residents (default 1988..2023)
              --commodities K   commodity lines per flow (default 70: about 1,000,000 lines)
              --seed S          the same seed gives the same bytes (default 1)
              --inject N        plant N errors of every rule family
              --planted FILE    where the planted errors are listed (default DIR/planted.csv)
  bench     build the release binary and measure ingest and check against reading the files
              --rows N          commodity lines of the dataset (default 1000000)
              --runs R          runs of each stage; medians are reported (default 5)

exit status: 0 no errors (warnings allowed), 1 the data has errors, 2 usage or I/O problem
";

/// Exit status for a usage or I/O problem.
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("export") => export::run(&args[1..]),
        Some("report") => review::run(&args[1..]),
        Some("synth") => synth::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command `{other}`")),
        None => Err("no command given".to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(USAGE_OR_IO)
        }
    }
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Github,
}

/// The options of the commands that read the data folder. Each command says which it takes.
struct Options {
    data: PathBuf,
    format: Format,
    /// `--base REV`: the git revision to compare with.
    base: Option<String>,
    /// `--out DIR`: where to write files.
    out: Option<PathBuf>,
}

/// Parses `args`, accepting only the flags in `allowed` (e.g. `["--data", "--format"]`).
fn parse_options(args: &[String], allowed: &[&str]) -> Result<Options, String> {
    let mut options = Options { data: PathBuf::from("data"), format: Format::Human, base: None, out: None };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        if !allowed.contains(&flag) {
            return Err(format!("unknown option `{arg}`"));
        }
        let value = inline.take().or_else(|| rest.next().cloned()).ok_or_else(|| format!("{flag} needs a value"))?;
        match flag {
            "--data" => options.data = PathBuf::from(value),
            "--base" => options.base = Some(value),
            "--out" => options.out = Some(PathBuf::from(value)),
            "--format" => {
                options.format = match value.as_str() {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    "github" => Format::Github,
                    other => return Err(format!("unknown format `{other}`: use human, json or github")),
                }
            }
            _ => return Err(format!("unknown option `{arg}`")),
        }
    }
    Ok(options)
}

fn check(args: &[String]) -> Result<ExitCode, String> {
    let options = parse_options(args, &["--data", "--format", "--base"])?;
    if options.base.is_some() && options.format != Format::Github {
        return Err("--base applies only to --format github".to_owned());
    }
    let dir = ingest::read_dir(&options.data)
        .map_err(|e| format!("cannot read the data folder {}: {e}", options.data.display()))?;
    let report = validate::check_dir(&dir);
    let changed = match &options.base {
        Some(rev) => Some(review::changes_since(&options.data, rev, &dir)?),
        None => None,
    };
    let text = match options.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::human::human(&report, report::human::HumanOptions { color, ..Default::default() })
        }
        Format::Json => report::findings_json::json(&report),
        Format::Github => report::github::github(&report, &|f| changed.as_ref().is_some_and(|d| d.touches(f))),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return Ok(ExitCode::from(USAGE_OR_IO));
    }
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
