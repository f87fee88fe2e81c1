//! `cargo xtask fix`: reads the data folder's files, has `validate::repair` apply the fixes
//! its findings carry, and writes the files back (or, with `--diff`, shows what would change).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use model::TableId;
use validate::repair::{RepairOptions, repair};

/// The options of `fix`.
struct FixOptions {
    data: PathBuf,
    diff: bool,
    repair: RepairOptions,
}

fn parse(args: &[String]) -> Result<FixOptions, String> {
    let mut options = FixOptions { data: PathBuf::from("data"), diff: false, repair: RepairOptions::default() };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--unsafe" => options.repair.unsafe_fixes = true,
            "--diff" => options.diff = true,
            "--data" => options.data = PathBuf::from(rest.next().ok_or("--data needs a value")?),
            flag if flag.starts_with("--data=") => options.data = PathBuf::from(&flag["--data=".len()..]),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            table => options.repair.tables.push(table_named(table)?),
        }
    }
    Ok(options)
}

/// A table by its name, with or without `.csv`.
pub(crate) fn table_named(name: &str) -> Result<TableId, String> {
    let file = if name.ends_with(".csv") { name.to_owned() } else { format!("{name}.csv") };
    TableId::from_file(&file).ok_or_else(|| {
        let known: Vec<&str> = TableId::ALL.iter().map(|t| t.file().trim_end_matches(".csv")).collect();
        format!("unknown table `{name}`: the tables are {}", known.join(", "))
    })
}

/// Every table's file as it is on disk, in `TableId::ALL` order; `None` when it is not a
/// regular file that can be read.
pub(crate) fn read_files(data: &Path) -> Result<Vec<Option<Vec<u8>>>, String> {
    if !data.is_dir() {
        return Err(format!("{} is not a folder", data.display()));
    }
    Ok(TableId::ALL
        .iter()
        .map(|t| {
            let path = data.join(t.file());
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            if regular { std::fs::read(path).ok() } else { None }
        })
        .collect())
}

/// Writes `bytes` to `path` through a temporary file beside it, so that an interrupted write
/// leaves the old file whole. The new file has the old one's permissions, and never more
/// while it is written; a write that fails leaves no temporary file behind.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let old = match std::fs::metadata(path) {
        Ok(old) => Some(old.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(failed(e)),
    };
    let temporary = path.with_extension("csv.bilat-tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // Created with the old mode (less what the umask takes away), then given it exactly.
    #[cfg(unix)]
    if let Some(old) = &old {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(old.mode());
    }
    let written = options
        .open(&temporary)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| old.map_or(Ok(()), |old| std::fs::set_permissions(&temporary, old)))
        .and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|e| {
        // Removed only when it is a file, never a folder or a link in its place; if that
        // fails too, the write's error is the one to tell.
        if std::fs::symlink_metadata(&temporary).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(&temporary);
        }
        failed(e)
    })
}

/// The text of a file as a diff shows it: decoded in its detected encoding.
fn text_of(table: TableId, bytes: &[u8]) -> String {
    match ingest::dialect::detect(table.def(), bytes).1 {
        Some(text) => text.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let options = parse(args)?;
    let before = read_files(&options.data)?;
    let shown = options.data.to_string_lossy().trim_end_matches('/').to_owned();
    let outcome = repair(&shown, before.clone(), &options.repair);
    let mut changed = Vec::new();
    for (&table, (old, new)) in TableId::ALL.iter().zip(before.iter().zip(&outcome.files)) {
        if let (Some(old), Some(new)) = (old, new)
            && old != new
        {
            changed.push((table, old, new));
        }
    }
    if options.diff {
        for (table, old, new) in &changed {
            let name = format!("{shown}/{}", table.file());
            let (old, new) = (text_of(*table, old), String::from_utf8_lossy(new).into_owned());
            let diff = similar::TextDiff::from_lines(&old, &new);
            print!("{}", visible(&diff.unified_diff().header(&name, &name).to_string()));
        }
        return Ok(if changed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    for (table, _, new) in &changed {
        write_file(&options.data.join(table.file()), new)?;
    }
    for finding in &outcome.fixed {
        println!("fixed {}", described(finding));
    }
    let tables = &options.repair.tables;
    let unsafe_left: Vec<_> =
        outcome.unsafe_left().filter(|f| tables.is_empty() || f.table.is_some_and(|t| tables.contains(&t))).collect();
    if !options.repair.unsafe_fixes {
        for finding in &unsafe_left {
            println!("needs --unsafe: {}", described(finding));
        }
    }
    let summary = &outcome.report.summary;
    println!(
        "{} fixed in {} file{}; left: {} error{}, {} warning{}{}",
        outcome.fixed.len(),
        changed.len(),
        if changed.len() == 1 { "" } else { "s" },
        summary.errors,
        if summary.errors == 1 { "" } else { "s" },
        summary.warnings,
        if summary.warnings == 1 { "" } else { "s" },
        if unsafe_left.is_empty() || options.repair.unsafe_fixes {
            String::new()
        } else {
            format!(" ({} fixable with `cargo xtask fix --unsafe`)", unsafe_left.len())
        }
    );
    Ok(if outcome.report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// "data/visits.csv:5:16 key/reference: write `KH`": a finding's place, rule and fix.
fn described(finding: &diagnostic::Diagnostic) -> String {
    let place = match (finding.line, finding.char_column()) {
        (0, _) => finding.file.clone(),
        (line, Some(column)) => format!("{}:{line}:{column}", finding.file),
        (line, None) => format!("{}:{line}", finding.file),
    };
    let title = finding.fix.as_ref().map_or("", |f| f.title.as_str());
    format!("{place} {}: {title}", finding.rule())
}

/// A diff made safe for a terminal: the file's text is the data's, so every unsafe character
/// but the line breaks of the diff is made visible, as everywhere else.
fn visible(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len());
    for c in diff.chars() {
        if c != '\n' && diagnostic::text::is_unsafe(c) {
            diagnostic::text::push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn a_write_replaces_the_file_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("countries.csv");
        std::fs::write(&path, "old\n").expect("the old file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("its mode");
        write_file(&path, b"new\n").expect("the write");
        assert_eq!(std::fs::read_to_string(&path).expect("the new file"), "new\n");
        let mode = std::fs::metadata(&path).expect("its metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let left: Vec<_> =
            std::fs::read_dir(dir.path()).expect("the folder").flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, ["countries.csv"], "only the file is left");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // A folder where the file should be: the temporary file is written, and renaming a
        // file onto a folder fails.
        let path = dir.path().join("countries.csv");
        std::fs::create_dir(&path).expect("a folder in the file's place");
        std::fs::write(path.join("kept"), "kept").expect("a file in it");
        let error = write_file(&path, b"new\n").expect_err("a rename onto a folder fails");
        assert!(error.starts_with(&format!("cannot write {}", path.display())), "{error}");
        assert!(!dir.path().join("countries.csv.bilat-tmp").exists(), "the temporary file is removed");
        assert_eq!(std::fs::read_to_string(path.join("kept")).expect("the folder's file"), "kept");
    }

    #[test]
    fn a_write_that_cannot_start_leaves_nothing() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // A folder where the temporary file would be: it cannot be opened for writing.
        let path = dir.path().join("countries.csv");
        std::fs::write(&path, "old\n").expect("the old file");
        std::fs::create_dir(dir.path().join("countries.csv.bilat-tmp")).expect("a folder in its place");
        let error = write_file(&path, b"new\n").expect_err("the temporary file cannot be written");
        assert!(error.starts_with(&format!("cannot write {}", path.display())), "{error}");
        assert_eq!(std::fs::read_to_string(&path).expect("the old file"), "old\n", "the old file is whole");
        assert!(dir.path().join("countries.csv.bilat-tmp").is_dir(), "a folder in its place is left alone");
    }
}
