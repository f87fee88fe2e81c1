//! A real browser loads `index.html`: headless Chromium dumps the DOM after loading and takes
//! a screenshot. The page must show the summary figures, the findings, every partner country
//! with its charts and the data dictionary, and no script from the data may have run.
//!
//! Needs Chromium, found as `cargo xtask test` finds it (`$BILAT_CHROMIUM`, `$CHROME`, or
//! `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on `PATH`); that
//! command installs it where it may. Without one these tests fail with the line that says what
//! to install: never skipped.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

/// The lookup `cargo xtask test` uses, shared so that both find the same browser.
#[path = "../../../xtask/src/chromium.rs"]
mod chromium;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use report::{Base, Options, Outputs, render};

const TIMEOUT: Duration = Duration::from_secs(120);

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `page` with `args`, a fresh profile in `dir`, standard output to
/// `dir/<name>.out`; fails the test after [`TIMEOUT`].
fn chromium(dir: &Path, name: &str, page: &Path, args: &[String]) -> (ExitStatus, String) {
    let browser = chromium::find().unwrap_or_else(|missing| panic!("{missing}"));
    let out = dir.join(format!("{name}.out"));
    let err = dir.join(format!("{name}.err"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", dir.join(format!("profile-{name}")).display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish within {TIMEOUT:?}; its errors: {}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (status, std::fs::read_to_string(&out).unwrap_or_default())
}

fn write_page(dir: &Path, outputs: &Outputs) -> PathBuf {
    let page = dir.join("index.html");
    std::fs::write(&page, &outputs.html).unwrap();
    page
}

/// The DOM after loading, and the screenshot's bytes.
fn load(name: &str, outputs: &Outputs) -> (String, Vec<u8>) {
    let dir = scratch(name);
    let page = write_page(&dir, outputs);
    let (status, dom) = chromium(&dir, "dom", &page, &["--dump-dom".to_owned()]);
    assert!(status.success(), "chromium --dump-dom failed: {status}");
    let shot = dir.join("screenshot.png");
    let (status, _) = chromium(
        &dir,
        "shot",
        &page,
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,2400".to_owned()],
    );
    assert!(status.success(), "chromium --screenshot failed: {status}");
    let png = std::fs::read(&shot).unwrap_or_default();
    println!("screenshot: {}", shot.display());
    (dom, png)
}

fn assert_rendered(dom: &str, png: &[u8], outputs: &Outputs) {
    let s = outputs.summary;
    let stat = |name: &str, value: usize, class: &str| {
        let class = if value > 0 && !class.is_empty() { format!(" class=\"{class}\"") } else { String::new() };
        format!("<dt>{name}</dt><dd{class}>{value}</dd>")
    };
    for figure in [stat("Errors", s.errors, "bad"), stat("Warnings", s.warnings, "warn"), stat("Rows", s.records, "")] {
        assert!(dom.contains(&figure), "the summary figure {figure} is not in the DOM");
    }
    for part in ["id=\"findings\"", "id=\"dictionary\"", "<svg", "Primary key"] {
        assert!(dom.contains(part), "{part} is not in the DOM");
    }
    // The browser parsed the page as we wrote it: a body without attributes, no element that
    // the data could have smuggled in, the title untouched.
    assert!(dom.contains("<body>"), "the body was altered");
    assert!(!dom.contains("<script") && !dom.contains("<img"), "an element from the data was parsed");
    assert!(!dom.contains("data-pwned=\""), "a script from the data ran");
    assert!(dom.contains("<title>bilat data report: "), "the title was altered");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000, "no screenshot ({} bytes)", png.len());
}

#[test]
fn chromium_shows_hostile_data_as_text_and_runs_no_script() {
    let base = common::fixture("review/head");
    let head = common::fixture("hostile");
    let outputs = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    let (dom, png) = load("hostile", &outputs);
    assert_rendered(&dom, &png, &outputs);
    assert!(
        dom.contains("Japan&lt;script&gt;document.title='PWNED'&lt;/script&gt;"),
        "the hostile name is not shown as text"
    );
    assert!(dom.contains("id=\"changes\"") && dom.contains("Introduced by this change"));
}

#[test]
fn chromium_renders_the_frozen_dataset() {
    let outputs = render(&common::dataset(), None, &Options::default());
    let (dom, png) = load("dataset", &outputs);
    assert_rendered(&dom, &png, &outputs);
    let lookup = common::dataset();
    let (data, _) = ingest::parse(&lookup);
    // Every partner country has its section.
    for row in &data.relations.rows {
        let id = format!("id=\"country-{}\"", row.record.country.as_str().to_ascii_lowercase());
        assert!(dom.contains(&id), "{id} is not in the DOM");
    }
}
