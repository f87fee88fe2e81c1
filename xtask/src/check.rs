//! `cargo xtask check`: reads the data folder once, checks it with the team's settings, and
//! prints (and writes) the outputs asked for; the `report` crate renders them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use model::TableId;
use report::baseline::Baseline;

use crate::USAGE_OR_IO;
use crate::workspace;

/// What `check` can print or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Concise,
    Json,
    Github,
    Sarif,
    Statistics,
}

impl Format {
    fn parse(name: &str) -> Result<Format, String> {
        Ok(match name {
            "human" => Format::Human,
            "concise" => Format::Concise,
            "json" => Format::Json,
            "github" => Format::Github,
            "sarif" => Format::Sarif,
            "statistics" => Format::Statistics,
            other => {
                return Err(format!("unknown format `{other}`: use human, concise, json, github, sarif or statistics"));
            }
        })
    }
}

/// When `check` exits 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FailOn {
    /// Any error (the default).
    Any,
    /// Only errors introduced since `--base`.
    New,
}

/// The arguments of `check`.
#[derive(Debug)]
struct Args {
    data: Option<PathBuf>,
    tables: Vec<TableId>,
    /// Files named on the command line, whose folder is the data folder when `--data` is not
    /// given.
    folders: Vec<PathBuf>,
    format: Format,
    outputs: Vec<(Format, PathBuf)>,
    base: Option<String>,
    fail_on: FailOn,
    deny_warnings: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args {
        data: None,
        tables: Vec::new(),
        folders: Vec::new(),
        format: Format::Human,
        outputs: Vec::new(),
        base: None,
        fail_on: FailOn::Any,
        deny_warnings: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if !arg.starts_with('-') {
            table_argument(arg, &mut parsed)?;
            continue;
        }
        if arg == "--statistics" {
            parsed.format = Format::Statistics;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        if !["--data", "--format", "--output", "--base", "--fail-on", "--deny"].contains(&flag) {
            return Err(format!("unknown option `{arg}`"));
        }
        let value = inline.or_else(|| rest.next().cloned()).ok_or_else(|| format!("{flag} needs a value"))?;
        match flag {
            "--data" => parsed.data = Some(PathBuf::from(value)),
            "--format" => parsed.format = Format::parse(&value)?,
            "--output" => {
                let (format, path) = value
                    .split_once('=')
                    .filter(|(_, path)| !path.is_empty())
                    .ok_or_else(|| format!("--output takes FORMAT=PATH, not `{value}`"))?;
                parsed.outputs.push((Format::parse(format)?, PathBuf::from(path)));
            }
            "--base" => parsed.base = Some(value),
            "--fail-on" => {
                parsed.fail_on = match value.as_str() {
                    "any" => FailOn::Any,
                    "new" => FailOn::New,
                    other => return Err(format!("--fail-on takes any or new, not `{other}`")),
                }
            }
            _ => match value.as_str() {
                "warnings" => parsed.deny_warnings = true,
                other => return Err(format!("--deny takes warnings, not `{other}`")),
            },
        }
    }
    if parsed.fail_on == FailOn::New && parsed.base.is_none() {
        return Err("--fail-on new needs --base REV: new since when?".to_owned());
    }
    Ok(parsed)
}

/// A table named on the command line: a file (`data/visits.csv`) or a name (`visits`).
fn table_argument(arg: &str, parsed: &mut Args) -> Result<(), String> {
    let path = Path::new(arg);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let table = TableId::ALL
        .iter()
        .find(|t| t.file() == name || t.file().strip_suffix(".csv") == Some(name.as_str()))
        .ok_or_else(|| {
            let names: Vec<&str> = TableId::ALL.iter().map(|t| t.file()).collect();
            format!("`{arg}` is no table: the tables are {}", names.join(", "))
        })?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        parsed.folders.push(folder.to_path_buf());
    }
    if !parsed.tables.contains(table) {
        parsed.tables.push(*table);
    }
    Ok(())
}

/// The data folder: `--data`, else the folder of the files named, else the repository's.
fn data_folder(args: &Args) -> Result<PathBuf, String> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let data = match (&args.data, args.folders.first()) {
        (Some(data), _) => data.clone(),
        (None, Some(folder)) => folder.clone(),
        (None, None) => workspace::default_data(),
    };
    if let Some(other) = args.folders.iter().find(|f| !same(f, &data)) {
        return Err(format!(
            "{} is not in the data folder {}: name tables of one data folder",
            other.display(),
            data.display()
        ));
    }
    Ok(data)
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let args = parse(args)?;
    let data = data_folder(&args)?;
    let mut config = workspace::config_for(&data)?;
    if args.deny_warnings {
        config.deny_warnings_too();
    }
    // The diff against a base reads every row of both folders; without one, the check never
    // holds the large table's file: it reads it from the disk block by block.
    let read = if args.base.is_some() { ingest::read_dir } else { ingest::read_dir_streaming };
    let dir = read(&data).map_err(|e| format!("cannot read the data folder {}: {e}", data.display()))?;
    let mut report = validate::check_dir(&dir);
    report.configure(config.clone());
    report.restrict(&args.tables);

    let (baseline, changed) = match &args.base {
        Some(rev) => {
            let base_dir = crate::review::read_base(&data, &data.to_string_lossy(), rev)?;
            let mut base_report = validate::check_dir(&base_dir);
            base_report.configure(config);
            base_report.restrict(&args.tables);
            let baseline = Baseline::new(rev, &base_report, &report);
            (Some(baseline), Some(report::DataDiff::new(&base_dir, &dir)))
        }
        None => (None, None),
    };
    let render = |format: Format, to_terminal: bool| -> String {
        let baseline = baseline.as_ref();
        match format {
            Format::Human => {
                let color = to_terminal
                    && std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
                let options = report::human::HumanOptions { color, ..Default::default() };
                report::human::human_with(&report, options, baseline)
            }
            Format::Concise => report::concise::concise(&report, baseline),
            Format::Statistics => report::concise::statistics(&report, baseline),
            Format::Json => report::findings_json::json_with(&report, baseline),
            Format::Github => {
                report::github::github_with(&report, &|f| changed.as_ref().is_some_and(|d| d.touches(f)), baseline)
            }
            Format::Sarif => {
                let options = report::sarif::SarifOptions { rules_uri: rules_uri(&data) };
                report::sarif::sarif(&report, &options, baseline)
            }
        }
    };
    for (format, path) in &args.outputs {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        }
        std::fs::write(path, render(*format, false)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let text = render(args.format, true);
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return Ok(ExitCode::from(USAGE_OR_IO));
    }
    let failed = match (args.fail_on, &baseline) {
        (FailOn::New, Some(baseline)) => baseline.introduced_failures(&report) > 0,
        _ => !report.passed(),
    };
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Where SARIF's rules link to: `docs/rules.md` of the commit on GitHub Actions, else the file
/// in the repository around the data folder.
fn rules_uri(data: &Path) -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repository), Some(sha)) =
        (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY"), var("GITHUB_SHA"))
    {
        return format!("{server}/{repository}/blob/{sha}/docs/rules.md");
    }
    let root = workspace::root_of(data);
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    let absolute = root.canonicalize().unwrap_or(root).join("docs/rules.md");
    let mut uri = String::from("file://");
    for byte in absolute.to_string_lossy().replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                uri.push(char::from(byte));
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    if !uri.starts_with("file:///") {
        // A Windows path: file:///C:/...
        uri.insert(7, '/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reads_tables_outputs_and_the_failure_policy() {
        let args = parse(&strings(&[
            "data/visits.csv",
            "residents",
            "--output",
            "sarif=out/x.sarif",
            "--output=json=y.json",
            "--base",
            "main",
            "--fail-on",
            "new",
            "--deny",
            "warnings",
            "--statistics",
        ]))
        .unwrap();
        assert_eq!(args.tables, vec![TableId::Visits, TableId::Residents]);
        assert_eq!(args.folders, vec![PathBuf::from("data")]);
        assert_eq!(args.outputs, vec![(Format::Sarif, PathBuf::from("out/x.sarif")), (Format::Json, "y.json".into())]);
        assert_eq!((args.format, args.fail_on, args.deny_warnings), (Format::Statistics, FailOn::New, true));
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        let error = |args: &[&str]| parse(&strings(args)).unwrap_err();
        assert!(error(&["visit"]).contains("is no table"));
        assert!(error(&["--fail-on", "new"]).contains("needs --base"));
        assert!(error(&["--output", "sarif"]).contains("FORMAT=PATH"));
        assert!(error(&["--output", "xml=x"]).contains("unknown format"));
        assert!(error(&["--deny", "errors"]).contains("--deny takes warnings"));
    }
}
