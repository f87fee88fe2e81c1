//! `cargo xtask export`: writes `datapackage.json` beside the tables, the dataset described as a
//! Frictionless Data Package (made by `report::datapackage` from the model's declarations and
//! the rows of `sources.csv`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The package's file name inside the data folder.
pub(crate) const FILE: &str = "datapackage.json";

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let data = match args {
        [] => PathBuf::from("data"),
        [flag, dir] if flag == "--data" => PathBuf::from(dir),
        [arg] if arg.starts_with("--data=") => PathBuf::from(&arg["--data=".len()..]),
        _ => return Err("export takes only --data DIR".to_owned()),
    };
    let text = package(&data)?;
    let path = data.join(FILE);
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {} ({:.1} KiB)", path.display(), text.len() as f64 / 1024.0);
    Ok(ExitCode::SUCCESS)
}

/// The package for the data folder `data`. Its sources are the rows of `sources.csv`, which
/// must therefore be read completely: a row left out would be a source missing from the package.
pub(crate) fn package(data: &Path) -> Result<String, String> {
    let dir = ingest::read_dir(data).map_err(|e| format!("cannot read the data folder {}: {e}", data.display()))?;
    let (dataset, _) = ingest::parse(&dir);
    if !dataset.sources.is_complete() {
        return Err(format!(
            "{} has rows that cannot be read, and the package lists every source: run `cargo xtask check`",
            data.join("sources.csv").display()
        ));
    }
    let sources: Vec<model::Source<'_>> = dataset.sources.rows.iter().map(|row| row.record.clone()).collect();
    Ok(report::datapackage::package(&sources))
}
