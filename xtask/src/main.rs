//! `cargo xtask`: bilat's command line. Argument parsing and orchestration only; the work is
//! done by the library crates.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod check;
mod chromium;
mod docs;
mod export;
mod fix;
mod fmt;
mod review;
mod synth;
mod test;
mod tools;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

/// Each command's usage, as `cargo xtask COMMAND --help` prints it; `cargo xtask --help`
/// prints them all.
const COMMANDS: &[(&str, &str)] = &[
    (
        "check",
        "\
usage: cargo xtask check [TABLE...] [options]

Validates the dataset. TABLE is a table's file (data/visits.csv) or name (visits): only its
findings are reported, while references are still resolved against the whole folder.

  --data DIR           data folder (default: the data/ folder of the repository around the
                       current directory, found from any folder inside it)
  --format FORMAT      what is printed: human (default), concise (one line per finding:
                       file:line:col: rule message), json, github (workflow commands), sarif
                       (SARIF 2.1.0) or statistics (a count per rule)
  --statistics         the same as --format statistics
  --output FORMAT=PATH also write FORMAT to the file PATH; repeatable (e.g. --output
                       sarif=target/bilat.sarif --output json=target/findings.json)
  --base REV           mark each finding introduced or already present since the git revision
                       REV; GitHub annotations go to findings on rows changed since REV first
  --fail-on WHAT       any (default): exit 1 on any error; new: exit 1 only on errors introduced
                       since --base (every finding is still printed)
  --deny warnings      warnings fail the check, as errors

Settings: bilat.toml next to the data folder (the repository's root), if there is one:
  [check]
  deny = [\"warnings\"]            # warnings fail the check, as errors
  [rules]
  \"residents/jump\" = \"error\"     # raise a rule's findings (any rule)
  \"source/unused\" = \"warning\"    # or lower them (consistency rules only)
",
    ),
    (
        "report",
        "\
usage: cargo xtask report [options]

Writes index.html, report.md and report.json for reviewers, with the settings of bilat.toml.

  --data DIR           data folder (default: as for check)
  --out DIR            output folder (default: target/report)
  --base REV           compare with the data at git revision REV: rows added, removed and
                       changed, and findings introduced, fixed and already present
",
    ),
    (
        "fix",
        "\
usage: cargo xtask fix [TABLE...] [options]

Applies the fixes findings carry, then checks again: what was fixed, what is left.

  TABLE                only these tables (e.g. trade or trade.csv; default: all)
  --data DIR           data folder (default: as for check)
  --unsafe             also apply unsafe fixes: guesses to confirm (a key's nearest match)
  --diff               print a unified diff and write nothing (exit 1 when it is not empty)
",
    ),
    (
        "fmt",
        "\
usage: cargo xtask fmt [options]

Writes every table in one canonical form (UTF-8, LF, declared column order, quotes only where
needed, no blank lines); values are never changed.

  --data DIR           data folder (default: as for check)
  --check              only list files that are not canonical (exit 1 if any)
",
    ),
    (
        "test",
        "\
usage: cargo xtask test [ARGS...]

Runs every test (cargo test --workspace --locked) with Chromium for the browser tests: found
as $BILAT_CHROMIUM, $CHROME, or chromium, chromium-browser, google-chrome or
google-chrome-stable on PATH; installed with apt-get when run as root on Debian. Installs
frictionless (PyPI) for the data package's test, and axe-core and the Nu HTML Checker (npm;
needs java) for the report's browser tests, into target/test-tools/. ARGS go to cargo test.
Exit 1 when a test fails, 2 without a browser.
",
    ),
    (
        "docs",
        "\
usage: cargo xtask docs [--check]

Regenerates docs/rules.md, the column reference in data/README.md and data/datapackage.json.

  --check              only verify that they are current
",
    ),
    (
        "export",
        "\
usage: cargo xtask export [options]

Writes datapackage.json beside the tables: the dataset as a Frictionless Data Package (Table
Schemas from the model's declarations, the rows of sources.csv as its sources).

  --data DIR           data folder (default: as for check)
",
    ),
    (
        "synth",
        "\
usage: cargo xtask synth --out DIR [options]

Writes a synthetic dataset with the tables of data/, consistent unless errors are planted.

  --out DIR            output folder (required)
  --partners N         partner countries (default 200)
  --years A..B         years of trade and residents (default 1988..2023)
  --commodities K      commodity lines per flow (default 70: about 1,000,000 lines)
  --seed S             the same seed gives the same bytes (default 1)
  --inject N           plant N errors of every rule family
  --planted FILE       where the planted errors are listed (default DIR/planted.csv)
",
    ),
    (
        "bench",
        "\
usage: cargo xtask bench [options]

Builds the release binary and measures the full check, on one thread and on all cores, and
its peak memory, against the floor of reading the files with the `csv` crate, on synthetic
datasets of several sizes. Runs disturbed by other load are repeated.

  --sizes A,B,...      commodity lines of each dataset (default 100k,1M,3M)
  --runs R             runs of each stage; medians are reported (default 5)
  --retries N          times a disturbed run is repeated, at most (default 3)
  --seed S             the synthetic datasets' seed (default 1)
  --markdown FILE      regenerate FILE's measured section (docs/performance.md)
  --data DIR           the folder `xtask check` is timed on (default data/)
  --no-build           use the release binary as it is
  --exe PATH           run the stages with this binary instead of the release build
",
    ),
];

/// The exit statuses, the same for every command.
const EXIT_STATUS: &str =
    "exit status: 0 no errors (warnings allowed), 1 the data has errors, 2 usage or I/O problem\n";

/// `cargo xtask --help`: every command's usage.
fn usage() -> String {
    let mut out = String::from("usage: cargo xtask <command> [options]; cargo xtask <command> --help\n");
    for (_, text) in COMMANDS {
        out.push('\n');
        out.push_str(text);
    }
    out.push('\n');
    out.push_str(EXIT_STATUS);
    out
}

/// One command's usage, when it is known here.
fn usage_of(command: &str) -> Option<String> {
    COMMANDS.iter().find(|(name, _)| *name == command).map(|(_, text)| format!("{text}\n{EXIT_STATUS}"))
}

/// Whether `args` ask for help (before a `--`, after which arguments belong to another tool).
fn asks_for_help(args: &[String]) -> bool {
    args.iter().take_while(|a| *a != "--").any(|a| a == "--help" || a == "-h")
}

/// Exit status for a usage or I/O problem.
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    if let Some(text) = command.filter(|_| asks_for_help(&args[1..])).and_then(usage_of) {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    let result = match command {
        Some("check") => check::run(&args[1..]),
        Some("fix") => fix::run(&args[1..]),
        Some("fmt") => fmt::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("export") => export::run(&args[1..]),
        Some("report") => review::run(&args[1..]),
        Some("synth") => synth::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{}", usage());
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command `{other}`")),
        None => Err("no command given".to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let help = command.and_then(usage_of).unwrap_or_else(usage);
            eprintln!("error: {message}\n\n{help}");
            ExitCode::from(USAGE_OR_IO)
        }
    }
}

/// The options of the commands that read the data folder. Each command says which it takes.
struct Options {
    data: PathBuf,
    /// `--base REV`: the git revision to compare with.
    base: Option<String>,
    /// `--out DIR`: where to write files.
    out: Option<PathBuf>,
}

/// Parses `args`, accepting only the flags in `allowed` (e.g. `["--data", "--out"]`).
fn parse_options(args: &[String], allowed: &[&str]) -> Result<Options, String> {
    let mut options = Options { data: PathBuf::new(), base: None, out: None };
    let mut data = None;
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
            "--data" => data = Some(PathBuf::from(value)),
            "--base" => options.base = Some(value),
            "--out" => options.out = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option `{arg}`")),
        }
    }
    options.data = data.unwrap_or_else(workspace::default_data);
    Ok(options)
}
