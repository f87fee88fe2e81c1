//! `cargo xtask report`: writes `index.html`, `report.md` and `report.json` (rendered by the
//! `report` crate), and reads the data at a base revision from git for `--base`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use ingest::DataDir;
use model::TableId;

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let options = crate::parse_options(args, &["--data", "--out", "--base"])?;
    let out = options.out.unwrap_or_else(|| PathBuf::from("target/report"));
    let shown = options.data.to_string_lossy().into_owned();
    let head = ingest::read_dir_as(&options.data, &shown)
        .map_err(|e| format!("cannot read the data folder {}: {e}", options.data.display()))?;
    let base_dir = match &options.base {
        Some(rev) => Some(read_base(&options.data, &shown, rev)?),
        None => None,
    };
    let base = options.base.as_deref().zip(base_dir.as_ref()).map(|(label, dir)| report::Base { label, dir });
    let config = crate::workspace::config_for(&options.data)?;
    let outputs = report::render(&head, base, &report::Options { config, ..report::Options::default() });
    let annotate = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");

    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for (name, text) in
        [("index.html", &outputs.html), ("report.md", &outputs.markdown), ("report.json", &outputs.json)]
    {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {} ({:.1} KiB)", path.display(), text.len() as f64 / 1024.0);
    }
    println!("{}", outputs.verdict);
    for line in &outputs.diff_lines {
        println!("{line}");
    }
    for line in report::github::removed_rows(&outputs.removed, &shown) {
        eprintln!("warning: {}", line.message);
        if annotate {
            println!("{}", line.annotation);
        }
    }
    Ok(if outputs.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs git with `args` in `dir` and returns its standard output, or its complaint.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output =
        Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let complaint = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        Err(if complaint.is_empty() { format!("git {} failed", args.join(" ")) } else { complaint })
    }
}

/// The data folder `data` as it is at git revision `rev`, shown as `shown`. A table whose file
/// is not in that revision is missing in the result.
pub(crate) fn read_base(data: &Path, shown: &str, rev: &str) -> Result<DataDir, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let folder = data.canonicalize().map_err(|e| format!("cannot read the data folder {}: {e}", data.display()))?;
    let top = git(&folder, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--base needs the data folder inside a git work tree: {e}"))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let top = top.canonicalize().map_err(|e| format!("cannot read {}: {e}", top.display()))?;
    let relative = folder
        .strip_prefix(&top)
        .map_err(|_| format!("the data folder {} is not inside {}", folder.display(), top.display()))?;
    let commit = git(&top, &["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("unknown git revision `{rev}`"))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    if commit.is_empty() {
        return Err(format!("unknown git revision `{rev}`"));
    }
    let prefix: String =
        relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
    let path_of = |file: &str| if prefix.is_empty() { file.to_owned() } else { format!("{prefix}/{file}") };
    // The files of the folder at the base, by path.
    let listing = if prefix.is_empty() {
        git(&top, &["ls-tree", "-z", "--name-only", &commit])?
    } else {
        git(&top, &["ls-tree", "-z", "--name-only", &commit, "--", &format!("{prefix}/")])?
    };
    let present: Vec<String> =
        listing.split(|&b| b == 0).filter(|p| !p.is_empty()).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    let mut files: HashMap<TableId, Vec<u8>> = HashMap::new();
    for &table in TableId::ALL {
        let path = path_of(table.file());
        if present.contains(&path) {
            let bytes = git(&top, &["cat-file", "blob", &format!("{commit}:{path}")])?;
            files.insert(table, bytes);
        }
    }
    Ok(DataDir::from_memory(shown, |table| files.remove(&table)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn refuses_unknown_options() {
        assert!(run(&strings(&["--format", "json"])).unwrap_err().contains("unknown option"));
        assert!(run(&strings(&["--base"])).unwrap_err().contains("needs a value"));
    }

    /// A fresh git repository with a data folder holding `residents.csv`, committed once;
    /// removed when dropped (also when the test fails).
    fn repository(name: &str) -> tempfile::TempDir {
        let repo = tempfile::Builder::new().prefix(&format!("bilat-xtask-{name}-")).tempdir().unwrap();
        let root = repo.path();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("data/residents.csv"), "country,citizenship,year,count,source\nNO,JP,2009,799,s\n")
            .unwrap();
        let run = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(root)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
                .args(args)
                .output()
                .unwrap();
            assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        };
        run(&["init", "--quiet"]);
        run(&["add", "data"]);
        run(&["commit", "--quiet", "-m", "base"]);
        repo
    }

    #[test]
    fn reads_the_base_from_git() {
        let repo = repository("base");
        let root = repo.path();
        let data = root.join("data");
        std::fs::write(data.join("residents.csv"), "country,citizenship,year,count,source\nNO,JP,2009,800,s\n")
            .unwrap();
        std::fs::write(data.join("trade.csv"), "reporter\n").unwrap();
        let base = read_base(&data, "data", "HEAD").unwrap();
        let residents = base.files().iter().find(|f| f.table == TableId::Residents).unwrap();
        assert_eq!(residents.name, "data/residents.csv");
        assert_eq!(residents.bytes.as_deref(), Some(&b"country,citizenship,year,count,source\nNO,JP,2009,799,s\n"[..]));
        // Not committed: missing at the base.
        assert!(base.files().iter().find(|f| f.table == TableId::Trade).unwrap().bytes.is_none());

        let head = ingest::read_dir_as(&data, "data").unwrap();
        let diff = report::DataDiff::new(&read_base(&data, "data", "HEAD").unwrap(), &head);
        // trade.csv is new but has no rows: not a change.
        assert_eq!(diff.lines(), vec!["residents.csv: 1 row changed".to_owned()]);
    }

    #[test]
    fn refuses_bad_revisions_and_folders() {
        let repo = repository("bad");
        let root = repo.path();
        let data = root.join("data");
        assert_eq!(read_base(&data, "data", "no-such-branch").unwrap_err(), "unknown git revision `no-such-branch`");
        assert!(read_base(&data, "data", "--output=x").unwrap_err().contains("not a git revision"));
        assert!(read_base(&root.join("missing"), "data", "HEAD").unwrap_err().contains("cannot read the data folder"));
        let outside = tempfile::Builder::new().prefix("bilat-xtask-outside-").tempdir().unwrap();
        let not_git = read_base(outside.path(), "data", "HEAD");
        // The temporary folder may itself be inside some repository; either way it is not ours.
        assert!(not_git.is_err() || not_git.is_ok_and(|d| d.files().iter().all(|f| f.bytes.is_none())));
    }

    #[test]
    fn writes_the_three_files() {
        let repo = repository("write");
        let root = repo.path();
        let out = root.join("out");
        let args =
            strings(&["--data", root.join("data").to_str().unwrap(), "--out", out.to_str().unwrap(), "--base", "HEAD"]);
        // The folder has only residents.csv: the data has errors (missing files), exit 1.
        let code = run(&args).unwrap();
        assert_eq!(code, ExitCode::from(1));
        for name in ["index.html", "report.md", "report.json"] {
            assert!(out.join(name).is_file(), "{name}");
        }
        assert!(
            run(&strings(&["--data", root.join("nothing").to_str().unwrap()])).unwrap_err().contains("cannot read")
        );
    }
}
