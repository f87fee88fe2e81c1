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
///
/// The temporary file has a name of its own (the process and a count) and is created only if
/// nothing has that name: two runs writing at once each write their own file, whole, and a
/// link planted under the name is never followed.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let old = match std::fs::metadata(path) {
        Ok(old) => Some(old.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(failed(e)),
    };
    let (temporary, mut file) = create_beside(path, old.as_ref()).map_err(failed)?;
    let written = file.write_all(bytes).and_then(|()| {
        // Given the old mode through the file this run created, not by its name, which could
        // be replaced meanwhile; closed before it is renamed, as some systems require.
        old.map_or(Ok(()), |old| file.set_permissions(old))?;
        drop(file);
        std::fs::rename(&temporary, path)
    });
    written.map_err(|e| {
        // The file is this run's own: it was created here, under a name nothing had. If its
        // removal fails too, the write's error is the one to tell.
        let _ = std::fs::remove_file(&temporary);
        failed(e)
    })
}

/// Creates a new file beside `path`, under a name nothing has, with the old file's mode (less
/// what the umask takes away) when there is one. The names tried are the file's name, the
/// process and a count from 0: a name taken, by another write of this process or by a file
/// left by a run that was killed, is passed over.
fn create_beside(
    path: &Path,
    old: Option<&std::fs::Permissions>,
) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let name = path.file_name().map_or_else(Default::default, |name| name.to_string_lossy().into_owned());
    let mut taken = None;
    for count in 0..TEMPORARY_NAMES {
        let temporary = path.with_file_name(format!("{name}.bilat-{}-{count}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(old) = old {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(old.mode());
        }
        #[cfg(not(unix))]
        let _ = old;
        match options.open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => taken = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(taken.unwrap_or_else(|| std::io::Error::other("no name was tried for a temporary file")))
}

/// How many names [`create_beside`] tries.
const TEMPORARY_NAMES: usize = 64;

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

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("the folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
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
        assert_eq!(names(dir.path()), ["countries.csv"], "the temporary file is removed");
        assert_eq!(std::fs::read_to_string(path.join("kept")).expect("the folder's file"), "kept");
    }

    #[test]
    fn a_write_that_cannot_start_leaves_nothing() {
        // A folder that does not exist: no temporary file can be made in it.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("gone").join("countries.csv");
        let error = write_file(&path, b"new\n").expect_err("the temporary file cannot be made");
        assert!(error.starts_with(&format!("cannot write {}", path.display())), "{error}");
        assert_eq!(names(dir.path()), Vec::<String>::new());
    }

    #[test]
    #[cfg(unix)]
    fn names_already_taken_are_passed_over_and_a_planted_link_is_never_followed() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("countries.csv");
        std::fs::write(&path, "old\n").expect("the old file");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "victim\n").expect("a file a link points at");
        // The first names a write tries, taken: links to the victim, and a folder.
        let name = |count: usize| format!("countries.csv.bilat-{}-{count}.tmp", std::process::id());
        let plant = |count: usize| {
            let at = dir.path().join(name(count));
            if count % 5 == 4 {
                std::fs::create_dir(at).expect("a folder");
            } else {
                std::os::unix::fs::symlink(&victim, at).expect("a link");
            }
        };
        (0..10).for_each(plant);
        write_file(&path, b"new\n").expect("the write");
        assert_eq!(std::fs::read_to_string(&path).expect("the new file"), "new\n");
        assert_eq!(std::fs::read_to_string(&victim).expect("the victim"), "victim\n", "no link was followed");
        assert_eq!(names(dir.path()).len(), 12, "the file, the victim and the ten names taken");
        // Every name taken: the write does not start, and the old file is whole.
        (10..TEMPORARY_NAMES).for_each(plant);
        let error = write_file(&path, b"newer\n").expect_err("no name is free");
        assert!(error.starts_with(&format!("cannot write {}", path.display())), "{error}");
        assert_eq!(std::fs::read_to_string(&path).expect("the file"), "new\n");
        assert_eq!(std::fs::read_to_string(&victim).expect("the victim"), "victim\n");
    }

    #[test]
    // Unix only: elsewhere a rename onto a file that another rename is replacing may be refused.
    #[cfg(unix)]
    fn writes_of_one_file_at_once_each_leave_it_whole() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("trade.csv");
        let contents: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 200_000]).collect();
        std::thread::scope(|scope| {
            for content in &contents {
                let path = &path;
                scope.spawn(move || {
                    for _ in 0..5 {
                        write_file(path, content).expect("each write");
                    }
                });
            }
        });
        let left = std::fs::read(&path).expect("the file");
        assert!(contents.contains(&left), "the file is one write's bytes, whole");
        assert_eq!(names(dir.path()), ["trade.csv"], "no temporary file is left");
    }
}
