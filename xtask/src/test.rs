//! `cargo xtask test`: every test of the workspace, from a fresh clone. It makes sure the
//! browser that the report's browser tests need is there, and the tools of `tools.rs`, then
//! runs `cargo test --workspace --locked` with them.
//!
//! Without a browser: as root on Debian (a CI container, a fresh machine) it installs Debian's
//! `chromium`; anywhere else it stops with one line saying what to install, rather than
//! touching a machine it does not own.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::chromium::{self, Missing};
use crate::tools;

/// Runs the tests; `args` go to `cargo test` after `--workspace --locked`.
pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let browser = match browser() {
        Ok(browser) => browser,
        Err(line) => {
            eprintln!("error: {line}");
            return Ok(ExitCode::from(crate::USAGE_OR_IO));
        }
    };
    let installed = tools::frictionless().and_then(|frictionless| Ok((frictionless, tools::npm_tools()?)));
    let (frictionless, (axe, vnu)) = match installed {
        Ok(tools) => tools,
        Err(line) => {
            eprintln!("error: {line}");
            return Ok(ExitCode::from(crate::USAGE_OR_IO));
        }
    };
    println!("--- cargo test --workspace --locked (the browser tests use {})", browser.display());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--workspace", "--locked"])
        .args(args)
        .env(chromium::VARIABLES[0], &browser)
        .env(tools::FRICTIONLESS_VARIABLE, &frictionless)
        .env(tools::AXE_VARIABLE, &axe)
        .env(tools::VNU_VARIABLE, &vnu)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The browser found, or installed where that is ours to do; else the line to show.
fn browser() -> Result<PathBuf, String> {
    match chromium::find() {
        Ok(browser) => Ok(browser),
        Err(Missing::Nowhere) if root_on_debian() => {
            install_chromium()?;
            chromium::find().map_err(|missing| format!("after installing Debian's chromium: {missing}"))
        }
        Err(missing) => Err(missing.to_string()),
    }
}

/// Whether this is Debian (or a derivative that says so) and we are root, so that installing a
/// package is expected rather than a surprise.
fn root_on_debian() -> bool {
    Path::new("/etc/debian_version").is_file()
        && Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

fn install_chromium() -> Result<(), String> {
    println!("--- no Chromium found: installing Debian's chromium (apt-get update, apt-get install chromium)");
    for args in [&["update", "-q"][..], &["install", "-y", "-q", "chromium"][..]] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if !status.success() {
            return Err(format!("`apt-get {}` failed ({status}): install Chromium by hand", args.join(" ")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::ffi::{OsStr, OsString};

    use crate::chromium::{Missing, PROGRAMS, VARIABLES, find_in};

    /// A fresh folder with one subfolder per entry of `layout`, holding the named files;
    /// names starting with `-` are written without the executable bit. The folder, removed
    /// when dropped, and the subfolders as a `PATH`.
    fn folders(name: &str, layout: &[&[&str]]) -> (tempfile::TempDir, OsString) {
        let root = tempfile::Builder::new().prefix(&format!("bilat-chromium-{name}-")).tempdir().unwrap();
        let mut dirs = Vec::new();
        for (index, files) in layout.iter().enumerate() {
            let dir = root.path().join(index.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            for file in *files {
                let (plain, executable) = file.strip_prefix('-').map_or((*file, true), |f| (f, false));
                let path = dir.join(plain);
                std::fs::write(&path, "#!/bin/sh\n").unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = if executable { 0o755 } else { 0o644 };
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
                }
            }
            dirs.push(dir);
        }
        let path = std::env::join_paths(&dirs).unwrap();
        (root, path)
    }

    fn unset(_: &str) -> Option<OsString> {
        None
    }

    #[test]
    fn programs_are_tried_in_order_before_the_order_of_path() {
        let (root, path) = folders("order", &[&["google-chrome"], &["chromium-browser"]]);
        assert_eq!(find_in(unset, Some(&path)), Ok(root.path().join("1/chromium-browser")));
        let (root, path) = folders("first", &[&["chromium-browser"], &["chromium", "google-chrome-stable"]]);
        assert_eq!(find_in(unset, Some(&path)), Ok(root.path().join("1/chromium")));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_that_is_not_executable_is_not_a_browser() {
        let (root, path) = folders("mode", &[&["-chromium"], &["google-chrome-stable"]]);
        assert_eq!(find_in(unset, Some(&path)), Ok(root.path().join("1/google-chrome-stable")));
    }

    #[test]
    fn a_variable_wins_and_may_name_a_path_or_a_program() {
        let (root, path) = folders("variable", &[&["chromium", "my-chrome"]]);
        let by_path = root.path().join("0/my-chrome");
        let chrome = |name: &str| (name == "CHROME").then(|| by_path.clone().into_os_string());
        assert_eq!(find_in(chrome, Some(&path)), Ok(by_path.clone()));
        let by_name = |name: &str| (name == "CHROME").then(|| OsString::from("my-chrome"));
        assert_eq!(find_in(by_name, Some(&path)), Ok(by_path.clone()));
        // The variable that `cargo xtask test` sets comes first.
        let both = |name: &str| match name {
            "BILAT_CHROMIUM" => Some(OsString::from("chromium")),
            _ => Some(OsString::from("my-chrome")),
        };
        assert_eq!(find_in(both, Some(&path)), Ok(root.path().join("0/chromium")));
        // An empty variable counts as unset.
        let empty = |_: &str| Some(OsString::new());
        assert_eq!(find_in(empty, Some(&path)), Ok(root.path().join("0/chromium")));
    }

    #[test]
    fn a_variable_naming_nothing_is_an_error_not_a_fallback() {
        let (_root, path) = folders("bad", &[&["chromium"]]);
        let bad = |name: &str| (name == "CHROME").then(|| OsString::from("/no/such/chrome"));
        let missing = find_in(bad, Some(&path)).unwrap_err();
        assert_eq!(missing, Missing::BadVariable { name: "CHROME", value: "/no/such/chrome".to_owned() });
        assert_eq!(
            missing.to_string(),
            "CHROME is set to `/no/such/chrome`, which is not an executable file: point it at Chromium or unset it"
        );
    }

    #[test]
    fn without_a_browser_one_line_says_what_to_install() {
        let (_root, path) = folders("none", &[&["firefox"], &[]]);
        for path in [Some(path.as_os_str()), Some(OsStr::new("")), None] {
            assert_eq!(find_in(unset, path), Err(Missing::Nowhere));
        }
        let line = Missing::Nowhere.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("apt-get install chromium"), "{line}");
        for name in PROGRAMS.iter().chain(&VARIABLES) {
            assert!(line.contains(name), "{name} is not named: {line}");
        }
    }
}
