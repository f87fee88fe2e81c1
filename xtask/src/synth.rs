//! `cargo xtask synth`: being built; see the open issue.

use std::process::ExitCode;

pub(crate) fn run(_args: &[String]) -> Result<ExitCode, String> {
    Err("`synth` is not available yet".to_owned())
}
