//! `cargo xtask docs`: writes the generated documentation files, and the data package that
//! `cargo xtask export` writes.

use std::process::ExitCode;

/// Makes a generated file's content from its current content, or says why it cannot.
type Generator = fn(&str) -> Result<String, String>;

/// The generated files: where each goes, and how to make it.
pub(crate) fn generated() -> Vec<(&'static str, Generator)> {
    vec![
        ("docs/rules.md", |_| Ok(validate::rules::markdown())),
        ("data/README.md", |readme| {
            Ok(validate::rules::splice_acknowledgeable(&model::dictionary::splice_into_readme(readme)))
        }),
        ("data/datapackage.json", |_| crate::export::package(&workspace_root().join("data"))),
    ]
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode, String> {
    let check_only = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("docs takes only --check".to_owned()),
    };
    let root = workspace_root();
    let mut stale = Vec::new();
    for (path, make) in generated() {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        let wanted = make(&current)?;
        if wanted == current {
            continue;
        }
        if check_only {
            stale.push(path);
        } else {
            std::fs::write(&full, wanted).map_err(|e| format!("cannot write {path}: {e}"))?;
            println!("wrote {path}");
        }
    }
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("out of date: {}; run `cargo xtask docs`", stale.join(", "));
    Ok(ExitCode::from(1))
}

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(std::path::Path::to_path_buf).unwrap_or_default()
}
