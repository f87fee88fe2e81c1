//! Shared by the report's integration tests: loading fixture folders and the frozen dataset.

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

/// The frozen copy of the dataset (`tests/fixtures/dataset/` of the workspace), shown as `data`
/// like the folder it was copied from. Tests never read the live `data/`: a contributor's valid
/// rows there must not change a snapshot.
pub(crate) fn dataset() -> DataDir {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/dataset");
    ingest::read_dir_as(&dir, "data").unwrap()
}
