//! `cargo xtask report`: being built; see the open issue.

use std::process::ExitCode;

pub(crate) fn run(_args: &[String]) -> Result<ExitCode, String> {
    Err("`report` is not available yet".to_owned())
}
