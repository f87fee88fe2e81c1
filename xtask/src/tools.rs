//! The tools some tests run besides the workspace's own code, installed by `cargo xtask test`
//! into the target folder, never onto the machine: frictionless (from PyPI), the reference
//! implementation of Frictionless Data, for the data package's test. Each is passed to the
//! tests in a variable; a plain `cargo test` without it fails in those tests with one line
//! saying how to get it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable through which the data package's test finds frictionless.
pub(crate) const FRICTIONLESS_VARIABLE: &str = "BILAT_FRICTIONLESS";

/// The version installed: pinned, so that every machine runs the same reference.
const FRICTIONLESS_VERSION: &str = "5.21.0";

/// The target folder: `CARGO_TARGET_DIR`, or `target/` of the workspace.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).join("target"),
    }
}

/// The `frictionless` executable of a Python virtual environment in `target/test-tools/python`,
/// created and installed with pip unless it already holds the pinned version.
pub(crate) fn frictionless() -> Result<PathBuf, String> {
    let venv = target_dir().join("test-tools/python");
    let program = venv.join("bin/frictionless");
    let installed = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == FRICTIONLESS_VERSION);
    if installed {
        return Ok(program);
    }
    println!("--- installing frictionless {FRICTIONLESS_VERSION} from PyPI into {}", venv.display());
    if !venv.join("bin/pip").is_file() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).map_err(|e| {
            format!(
                "the data package's test needs frictionless, installed with Python 3's venv, which failed ({e}): \
                 install python3-venv (Debian) or python3, or set {FRICTIONLESS_VARIABLE}"
            )
        })?;
    }
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("frictionless=={FRICTIONLESS_VERSION}"),
    ]))
    .map_err(|e| format!("cannot install frictionless with pip ({e}): set {FRICTIONLESS_VARIABLE} to a frictionless"))?;
    Ok(program)
}

/// Runs a command to its end; `Err` says how it failed.
fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{:?} ended with {status}", command.get_program())) }
}
