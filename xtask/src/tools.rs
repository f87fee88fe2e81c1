//! The tools some tests run besides the workspace's own code, installed by `cargo xtask test`
//! into the target folder, never onto the machine: frictionless (from PyPI), the reference
//! implementation of Frictionless Data, for the data package's test, and axe-core (from npm),
//! the accessibility engine, and vnu-jar (from npm), the Nu HTML Checker, for the report's
//! browser tests. Each is passed to the tests in a
//! variable; a plain `cargo test` without it fails in those tests with one line saying how to
//! get it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable through which the data package's test finds frictionless.
pub(crate) const FRICTIONLESS_VARIABLE: &str = "BILAT_FRICTIONLESS";

/// The version installed: pinned, so that every machine runs the same reference.
const FRICTIONLESS_VERSION: &str = "5.21.0";

/// The variable through which the report's browser test finds axe-core's `axe.min.js`.
pub(crate) const AXE_VARIABLE: &str = "BILAT_AXE";

/// The version of axe-core installed.
const AXE_VERSION: &str = "4.14.1";

/// The variable through which the report's browser test finds the Nu HTML Checker's `vnu.jar`
/// (run with `java`).
pub(crate) const VNU_VARIABLE: &str = "BILAT_VNU";

/// The version of vnu-jar installed.
const VNU_VERSION: &str = "26.9.27";

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
    .map_err(|e| {
        format!("cannot install frictionless with pip ({e}): set {FRICTIONLESS_VARIABLE} to a frictionless")
    })?;
    Ok(program)
}

/// axe-core's `axe.min.js` and the Nu HTML Checker's `vnu.jar` in `target/test-tools/node`,
/// installed there with npm unless those versions already are.
pub(crate) fn npm_tools() -> Result<(PathBuf, PathBuf), String> {
    let prefix = target_dir().join("test-tools/node");
    let modules = prefix.join("node_modules");
    let axe = modules.join("axe-core/axe.min.js");
    let vnu = modules.join("vnu-jar/build/dist/vnu.jar");
    let has = |package: &str, version: &str| {
        std::fs::read_to_string(modules.join(package).join("package.json"))
            .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")))
    };
    if has("axe-core", AXE_VERSION) && has("vnu-jar", VNU_VERSION) && axe.is_file() && vnu.is_file() {
        return Ok((axe, vnu));
    }
    println!("--- installing axe-core {AXE_VERSION} and vnu-jar {VNU_VERSION} from npm into {}", prefix.display());
    std::fs::create_dir_all(&prefix).map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(&prefix)
        .arg(format!("axe-core@{AXE_VERSION}"))
        .arg(format!("vnu-jar@{VNU_VERSION}")))
    .map_err(|e| {
        format!(
            "the report's browser tests need axe-core and vnu-jar, installed with npm, which failed ({e}): install \
             npm (Debian: apt-get install npm), or set {AXE_VARIABLE} and {VNU_VARIABLE}"
        )
    })?;
    Ok((axe, vnu))
}

/// Runs a command to its end; `Err` says how it failed.
fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if status.success() { Ok(()) } else { Err(format!("{:?} ended with {status}", command.get_program())) }
}
