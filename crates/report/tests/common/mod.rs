//! Shared by the report's integration tests: loading fixture folders.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ingest::DataDir;
use model::TableId;

/// `crates/report/tests/fixtures/<name>`.
pub(crate) fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A fixture folder, shown as `data` like the real one. A table without a file is missing.
pub(crate) fn fixture(name: &str) -> DataDir {
    let dir = fixture_path(name);
    DataDir::from_memory("data", |table: TableId| std::fs::read(dir.join(table.file())).ok())
}

/// The repository's real `data/` folder, shown as `data`.
pub(crate) fn real_data() -> DataDir {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    ingest::read_dir_as(&dir, "data").unwrap()
}
