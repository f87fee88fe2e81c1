//! Where Chromium is, found the way users have it: a variable naming it, else a browser on
//! `PATH`. `cargo xtask test` and the report's browser tests share this one lookup (the tests
//! include this file by path), so they find the same browser and, without one, say the same
//! line.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

/// Variables naming the browser (a path, or a program on `PATH`), read in this order.
/// `cargo xtask test` passes the browser it found to the tests as the first.
pub(crate) const VARIABLES: [&str; 2] = ["BILAT_CHROMIUM", "CHROME"];

/// Programs looked for on `PATH` when no variable is set, in this order.
pub(crate) const PROGRAMS: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/// Why there is no browser.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Missing {
    /// A variable is set, but to something that is not an executable file.
    BadVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// No variable is set and none of [`PROGRAMS`] is on `PATH`.
    Nowhere,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::BadVariable { name, value } => write!(
                f,
                "{name} is set to `{value}`, which is not an executable file: point it at Chromium or unset it"
            ),
            Missing::Nowhere => write!(
                f,
                "Chromium is needed for the report's browser tests and was not found (as {} or {} on PATH, \
                 or named by {}): install it, e.g. `apt-get install chromium` on Debian, `dnf install chromium` \
                 on Fedora, `brew install --cask chromium` on macOS, or set {} to its path",
                PROGRAMS[..PROGRAMS.len() - 1].join(", "),
                PROGRAMS[PROGRAMS.len() - 1],
                VARIABLES.join(" or "),
                VARIABLES[1],
            ),
        }
    }
}

/// The browser to run: the first of [`VARIABLES`] that is set (and must name a program), else
/// the first of [`PROGRAMS`] on `PATH`.
pub(crate) fn find() -> Result<PathBuf, Missing> {
    find_in(|name| std::env::var_os(name), std::env::var_os("PATH").as_deref())
}

/// [`find`] with the environment given: `variable` reads a variable, `path` is `PATH`.
pub(crate) fn find_in(
    variable: impl Fn(&str) -> Option<std::ffi::OsString>,
    path: Option<&OsStr>,
) -> Result<PathBuf, Missing> {
    for name in VARIABLES {
        if let Some(value) = variable(name).filter(|v| !v.is_empty()) {
            return program(&value, path)
                .ok_or_else(|| Missing::BadVariable { name, value: value.to_string_lossy().into_owned() });
        }
    }
    PROGRAMS.iter().find_map(|name| program(OsStr::new(name), path)).ok_or(Missing::Nowhere)
}

/// `name` as an executable file: itself when it is a path, else the first match on `path`.
fn program(name: &OsStr, path: Option<&OsStr>) -> Option<PathBuf> {
    let as_path = Path::new(name);
    if as_path.components().count() > 1 {
        return is_executable(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(path?).flat_map(|dir| candidates(&dir, name)).find(|candidate| is_executable(candidate))
}

/// The files that `name` may be in `dir`: on Windows a program has an extension.
fn candidates(dir: &Path, name: &OsStr) -> Vec<PathBuf> {
    let plain = dir.join(name);
    if cfg!(windows) { vec![plain.with_extension("exe"), plain] } else { vec![plain] }
}

fn is_executable(path: &Path) -> bool {
    let Ok(metadata) = path.metadata() else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}
