//! `cargo xtask fmt`: writes every table in its canonical form (`ingest::canonical`), or with
//! `--check` lists the files that are not.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::fix::{read_files, write_file};

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut check_only = false;
    let mut data = PathBuf::from("data");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => check_only = true,
            "--data" => data = PathBuf::from(rest.next().ok_or("--data needs a value")?),
            flag if flag.starts_with("--data=") => data = PathBuf::from(&flag["--data=".len()..]),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let on_disk = read_files(&data)?;
    let dir = ingest::read_dir(&data).map_err(|e| format!("cannot read the data folder {}: {e}", data.display()))?;
    let (_, problems) = ingest::parse(&dir);
    let mut not_canonical = 0;
    let mut refused = 0;
    for (file, disk) in dir.files().iter().zip(&on_disk) {
        let Some(disk) = disk else { continue };
        match ingest::canonical::canonical(file, &problems) {
            Ok(Some(canonical)) if canonical != *disk => {
                not_canonical += 1;
                if check_only {
                    println!("not formatted: {}", file.name);
                } else {
                    write_file(&data.join(file.table.file()), &canonical)?;
                    println!("formatted {}", file.name);
                }
            }
            Ok(_) => {}
            Err(reason) => {
                refused += 1;
                println!("cannot format {}: {reason}", file.name);
            }
        }
    }
    if check_only && not_canonical > 0 {
        println!("{not_canonical} file(s) not formatted: run `cargo xtask fmt`");
    }
    Ok(if refused > 0 || (check_only && not_canonical > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
