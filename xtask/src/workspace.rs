//! Where the repository is, seen from the current directory: its `data/` folder, found from any
//! folder inside it, and its `bilat.toml`.
//!
//! Cargo runs `cargo xtask` in the caller's directory, so `cd data && cargo xtask check` starts
//! in `data/`: the repository's root is the nearest folder at or above the current one that
//! holds a `Cargo.toml` declaring a `[workspace]` and a `data/` folder beside it.

use std::path::{Component, Path, PathBuf};

/// The name of the settings file, next to the data folder.
pub(crate) const CONFIG_FILE: &str = "bilat.toml";

/// The data folder to read when none is given: the repository root's `data/`, as a path
/// relative to the current directory (`data` at the root, `../data` inside it), so that the
/// files named in findings open from where the command was run. Outside a repository,
/// `data` in the current directory.
pub(crate) fn default_data() -> PathBuf {
    let Ok(cwd) = std::env::current_dir() else {
        return PathBuf::from("data");
    };
    let Some(root) = root_around(&cwd) else {
        return PathBuf::from("data");
    };
    relative(&cwd, &root.join("data"))
}

/// The nearest folder at or above `dir` with a workspace `Cargo.toml` and a `data/` folder.
pub(crate) fn root_around(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|candidate| {
            candidate.join("data").is_dir()
                && std::fs::read_to_string(candidate.join("Cargo.toml"))
                    .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
}

/// `target` as a path from `from`; both absolute, `target` inside `from` or an ancestor's.
/// From inside `target` itself it is `../NAME`, never an empty path.
fn relative(from: &Path, target: &Path) -> PathBuf {
    let from = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
    if from == target
        && let Some(name) = target.file_name()
    {
        return Path::new("..").join(name);
    }
    let common = from.ancestors().find(|a| target.starts_with(a)).unwrap_or(Path::new("/"));
    let ups = from.strip_prefix(common).map_or(0, |rest| rest.components().count());
    let mut path: PathBuf = std::iter::repeat_n(Component::ParentDir.as_os_str(), ups).collect();
    path.push(target.strip_prefix(common).unwrap_or(target));
    path
}

/// The folder that holds the data folder `data`: the repository's root, where `bilat.toml`
/// and `docs/` are.
/// An empty path is the current directory.
pub(crate) fn root_of(data: &Path) -> PathBuf {
    match (data.file_name(), data.parent()) {
        (Some(_), Some(parent)) => parent.to_path_buf(),
        _ => data
            .canonicalize()
            .ok()
            .and_then(|d| d.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("..")),
    }
}

/// The settings next to the data folder `data`: `bilat.toml` in its parent folder, parsed by
/// `validate::Config`; the defaults without the file.
pub(crate) fn config_for(data: &Path) -> Result<validate::Config, String> {
    let path = root_of(data).join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => validate::Config::parse(&path.display().to_string(), &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(validate::Config::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relative_to_the_current_directory() {
        // Any folder name: these are path computations, on paths that need not exist.
        assert_eq!(relative(Path::new("/r"), Path::new("/r/tables")), PathBuf::from("tables"));
        assert_eq!(relative(Path::new("/r/tables"), Path::new("/r/tables")), PathBuf::from("../tables"));
        assert_eq!(relative(Path::new("/r/crates/x"), Path::new("/r/tables")), PathBuf::from("../../tables"));
        assert_eq!(root_of(Path::new("tables")), PathBuf::from(""));
        assert_eq!(root_of(Path::new("../tables")), PathBuf::from(".."));
        assert_eq!(root_of(Path::new("/r/tables")), PathBuf::from("/r"));
    }
}
