//! Shared code of the pipeline tests: fixture cases, run in memory, rendered for snapshots.
//!
//! A fixture case is a folder under `tests/fixtures/ok/` or `tests/fixtures/err/` holding the
//! CSV files that differ from `tests/fixtures/base/`, a small consistent dataset. A file named
//! `REMOVE` lists base files the case deletes, and one named `OTHER_FILES` the names of other
//! files the data folder holds besides the tables (their content is never read, so only their
//! names are given). The case's expected diagnostics are stored beside it as `expected.snap`.
//!
//! An `err/` case is named `<family>.<rule>[.<variant>]`, e.g. `csv.unclosed-quote` or
//! `trade.commodity-share.approximate`, and must raise rule `<family>/<rule>`.

use std::path::{Path, PathBuf};

use model::TableId;
use validate::Report;

/// `tests/fixtures`.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `tests/fixtures/dataset`: the frozen copy of `data/` that tests read instead of the live
/// folder (see its README).
pub fn dataset_root() -> PathBuf {
    fixtures_root().join("dataset")
}

/// The frozen dataset, shown as `data` like the folder it was copied from.
pub fn dataset() -> ingest::DataDir {
    ingest::read_dir_as(&dataset_root(), "data").unwrap_or_else(|e| panic!("tests/fixtures/dataset is unreadable: {e}"))
}

/// The line ending a case is converted to before it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// As stored.
    AsStored,
    /// Every line break as `\r\n`.
    Crlf,
    /// Every line break as a lone `\r`.
    Cr,
}

/// A fixture case.
#[derive(Debug)]
pub struct Case {
    /// `ok` or `err`.
    pub group: String,
    /// The folder name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

impl Case {
    /// The rule an `err/` case must raise, from its name.
    pub fn expected_rule(&self) -> Option<String> {
        if self.group != "err" {
            return None;
        }
        let mut parts = self.name.splitn(3, '.');
        Some(format!("{}/{}", parts.next()?, parts.next()?))
    }

    /// The case's files over the base, with line breaks converted.
    pub fn files(&self, ending: LineEnding) -> impl FnMut(TableId) -> Option<Vec<u8>> + '_ {
        let removed = std::fs::read_to_string(self.dir.join("REMOVE")).unwrap_or_default();
        move |table| {
            if removed.lines().any(|l| l.trim() == table.file()) {
                return None;
            }
            let own = self.dir.join(table.file());
            let path = if own.exists() { own } else { fixtures_root().join("base").join(table.file()) };
            std::fs::read(path).ok().map(|bytes| convert(&bytes, ending))
        }
    }

    /// Checks the case as if it were the data folder `data`.
    pub fn check(&self, ending: LineEnding) -> Report {
        self.check_in_blocks(ending, ingest::DEFAULT_BLOCK_SIZE)
    }

    /// Checks the case with ingest cutting files into blocks of `block_size` bytes, as it cuts
    /// files above twice that size to parse them on all cores.
    pub fn check_in_blocks(&self, ending: LineEnding, block_size: usize) -> Report {
        let dir = ingest::DataDir::from_memory("data", self.files(ending))
            .with_other_files(self.other_files())
            .with_block_size(block_size);
        validate::check_dir(&dir)
    }

    /// Checks the case from a folder on the disk, as `cargo xtask check` does: the commodity
    /// lines are read from their file block by block, never held whole.
    pub fn check_on_disk(&self, ending: LineEnding, block_size: usize) -> Report {
        // Removed when dropped, also when a panic unwinds through here.
        let folder = tempfile::Builder::new()
            .prefix(&format!("bilat-case-{}-{ending:?}-{block_size}-", self.name))
            .tempdir()
            .expect("a temporary folder");
        let mut files = self.files(ending);
        for &table in model::TableId::ALL {
            if let Some(bytes) = files(table) {
                std::fs::write(folder.path().join(table.file()), bytes).expect("a temporary file");
            }
        }
        let dir = ingest::read_dir_streaming_as(folder.path(), "data")
            .expect("the temporary folder is readable")
            .with_other_files(self.other_files())
            .with_block_size(block_size);
        let report = validate::check_dir(&dir);
        folder.close().expect("the temporary folder is removed");
        report
    }

    /// Checks the case holding every row in memory ([`ingest::parse`] and [`validate::check`],
    /// as the reviewers' report does), where [`Case::check`] streams the commodity lines.
    pub fn check_held(&self, ending: LineEnding, block_size: usize) -> Report {
        let dir = ingest::DataDir::from_memory("data", self.files(ending))
            .with_other_files(self.other_files())
            .with_block_size(block_size);
        let (data, problems) = ingest::parse(&dir);
        validate::check(&data, problems)
    }

    /// The other files of the case's data folder, shown as `data/<name>`, sorted as
    /// `ingest::read_dir` lists them.
    pub fn other_files(&self) -> Vec<String> {
        let listed = std::fs::read_to_string(self.dir.join("OTHER_FILES")).unwrap_or_default();
        let mut names: Vec<String> =
            listed.lines().filter(|l| !l.is_empty()).map(|name| format!("data/{name}")).collect();
        names.sort();
        names
    }
}

/// Every case of `ok/` and `err/`, sorted.
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for group in ["ok", "err"] {
        let Ok(entries) = std::fs::read_dir(fixtures_root().join(group)) else { continue };
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                cases.push(Case {
                    group: group.to_owned(),
                    name: entry.file_name().to_string_lossy().into_owned(),
                    dir: entry.path(),
                });
            }
        }
    }
    cases.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    cases
}

/// Converts every line break of `bytes` to `ending`, leaving other bytes alone.
pub fn convert(bytes: &[u8], ending: LineEnding) -> Vec<u8> {
    let target: &[u8] = match ending {
        LineEnding::AsStored => return bytes.to_vec(),
        LineEnding::Crlf => b"\r\n",
        LineEnding::Cr => b"\r",
    };
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(target);
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(target);
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// One line per finding: the facts tests assert (rule, file, line, character column, column
/// name, state), then the findings as a person sees them.
pub fn listing(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let col = f.char_column().map_or(String::new(), |c| format!(":{c}"));
        let state = match (&f.acknowledged, f.severity) {
            (Some(_), _) => "acknowledged",
            (None, diagnostic::Severity::Error) => "error",
            (None, diagnostic::Severity::Warning) => "warning",
        };
        out.push_str(&format!(
            "{state} {} @ {}:{}{col} [{}]\n",
            f.rule(),
            f.file,
            f.line,
            f.column.as_deref().unwrap_or("")
        ));
    }
    out.push('\n');
    out.push_str(&report::human::human(report, report::human::HumanOptions::default()));
    out
}

/// Where a finding is: rule, file, line, character column, column name.
pub type Fact = (String, String, u32, Option<u32>, Option<String>);

/// The facts of each finding that must not depend on line endings or thread counts.
pub fn facts(report: &Report) -> Vec<Fact> {
    report
        .findings
        .iter()
        .map(|f| (f.rule().as_str().to_owned(), f.file.clone(), f.line, f.char_column(), f.column.clone()))
        .collect()
}
