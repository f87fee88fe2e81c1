//! `cargo xtask synth`: writes a synthetic dataset, optionally with planted errors.

use std::path::PathBuf;
use std::process::ExitCode;

use synth::Params;

/// Parses `--partners`, `--years`, `--commodities` and `--seed` into `params`; returns
/// whether `flag` was one of them.
pub(crate) fn param_flag(params: &mut Params, flag: &str, value: &mut FlagValue<'_>) -> Result<bool, String> {
    let number = |text: String| text.parse::<u64>().map_err(|_| format!("{flag} takes a whole number, not `{text}`"));
    match flag {
        "--partners" => params.partners = usize::try_from(number(value()?)?).unwrap_or(usize::MAX),
        "--commodities" => params.commodities = usize::try_from(number(value()?)?).unwrap_or(usize::MAX),
        "--seed" => params.seed = number(value()?)?,
        "--years" => {
            let text = value()?;
            let (a, b) = text
                .split_once("..=")
                .or_else(|| text.split_once(".."))
                .ok_or_else(|| format!("--years takes A..B, not `{text}`"))?;
            let year = |t: &str| t.parse::<u16>().map_err(|_| format!("--years takes A..B, not `{text}`"));
            params.years = year(a)?..=year(b)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Gives the value of the flag being handled, from `--flag=value` or the next argument.
pub(crate) type FlagValue<'v> = dyn FnMut() -> Result<String, String> + 'v;

/// Handles one flag; returns whether it was known.
pub(crate) type FlagHandler<'h> = dyn FnMut(&str, &mut FlagValue<'_>) -> Result<bool, String> + 'h;

/// Splits `--flag=value` and `--flag value` and hands each flag to `handle`.
pub(crate) fn parse_flags(args: &[String], handle: &mut FlagHandler<'_>) -> Result<(), String> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            inline.take().or_else(|| rest.next().cloned()).ok_or_else(|| format!("{flag} needs a value"))
        };
        if !handle(flag, &mut value)? {
            return Err(format!("unknown option `{arg}`"));
        }
    }
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut params = Params::default();
    let mut out = None;
    let mut inject = 0usize;
    let mut planted_file = None;
    parse_flags(args, &mut |flag, value| {
        match flag {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--inject" => inject = value()?.parse().map_err(|_| "--inject takes a whole number".to_owned())?,
            "--planted" => planted_file = Some(PathBuf::from(value()?)),
            _ => return param_flag(&mut params, flag, value),
        }
        Ok(true)
    })?;
    let out = out.ok_or("synth needs --out DIR")?;
    params.validate()?;
    let mut data = synth::generate(&params);
    let planted = synth::inject(&mut data, inject);
    data.write_dir(&out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!(
        "wrote {} ({} partners, years {}..{}, {} commodity lines, seed {})",
        out.display(),
        params.partners,
        params.years.start(),
        params.years.end(),
        params.commodity_rows(),
        params.seed
    );
    if inject > 0 {
        let path = planted_file.unwrap_or_else(|| out.join("planted.csv"));
        std::fs::write(&path, synth::planted_csv(&planted))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("planted {} errors; their places are in {}", planted.len(), path.display());
    }
    Ok(ExitCode::SUCCESS)
}
