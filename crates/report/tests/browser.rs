//! A real browser loads `index.html`: headless Chromium dumps the DOM after loading and takes
//! a screenshot. The page must show the summary figures, the findings, every partner country
//! with its charts and the data dictionary, and no script from the data may have run.
//!
//! An accessibility audit runs axe-core on the page at 1280 and 390 px wide, and measures there
//! whether the page scrolls sideways and how small the charts' text is drawn. The Nu HTML
//! Checker (`vnu.jar`, run with `java`, named in `$BILAT_VNU`) finds no error in the page.
//!
//! Needs Chromium, found as `cargo xtask test` finds it (`$BILAT_CHROMIUM`, `$CHROME`, or
//! `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on `PATH`); that
//! command installs it where it may. The audit needs axe-core's `axe.min.js`, named in
//! `$BILAT_AXE`, which `cargo xtask test` installs from npm into `target/`. Without either these
//! tests fail with the line that says what to install: never skipped.

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

/// A fresh folder for one test's files. The next run replaces it: the screenshot stays there
/// to be looked at, and runs do not pile up copies of it.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{name}"));
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

/// The variable naming axe-core's `axe.min.js`.
const AXE: &str = "BILAT_AXE";

/// What the audit script found on the page at one width.
#[derive(Debug)]
struct Audit {
    /// axe-core's violations: rule id, impact, and up to five elements.
    violations: Vec<serde_json::Value>,
    /// The page's width, and its viewport's: the page scrolls sideways when the first is larger.
    scroll_width: f64,
    viewport_width: f64,
    /// The smallest font size any chart text is drawn at, in CSS pixels.
    smallest_chart_text: f64,
}

/// Audits `outputs`'s page at `width` px. The page's Content Security Policy forbids scripts, so
/// the audited copy leaves that one `<meta>` out and gains axe-core and a script that writes
/// the results into the page around it, which Chromium's DOM dump then carries out.
fn audit(name: &str, outputs: &Outputs, width: u32) -> Audit {
    let axe_path = std::env::var_os(AXE).filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("{AXE} is not set: run `cargo xtask test`, which installs axe-core from npm into target/, or set it to axe-core's axe.min.js")
    });
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|e| panic!("{AXE} names {}, which cannot be read: {e}", Path::new(&axe_path).display()));
    let csp_start = outputs.html.find("<meta http-equiv=\"Content-Security-Policy\"").expect("the page has a CSP");
    let csp_end = csp_start + outputs.html[csp_start..].find('>').unwrap() + 1;
    let script = r#"
window.addEventListener('load', function () {
  axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
    var smallest = 1e9;
    document.querySelectorAll('svg text').forEach(function (text) {
      var matrix = text.getScreenCTM();
      if (!matrix || text.getBBox().width === 0) { return; }
      var size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(matrix.a, matrix.b);
      if (size < smallest) { smallest = size; }
    });
    var audit = {
      violations: result.violations.map(function (v) {
        return { id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); }) };
      }),
      scroll_width: document.documentElement.scrollWidth,
      viewport_width: document.documentElement.clientWidth,
      smallest_chart_text: smallest
    };
    var out = document.createElement('pre');
    out.id = 'bilat-audit';
    out.textContent = JSON.stringify(audit);
    parent.document.body.appendChild(out);
  });
});
"#;
    let page_text = format!(
        "{}{}<script>{axe}</script><script>{script}</script>",
        &outputs.html[..csp_start],
        &outputs.html[csp_end..]
    );
    // Chromium's window is at least 500 px wide: the page is audited in a frame of `width`.
    let dir = scratch(&format!("{name}-{width}"));
    std::fs::write(dir.join("index.html"), page_text).unwrap();
    let frame = dir.join("frame.html");
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html lang=\"en\"><title>audit</title><body style=\"margin:0\">\
             <iframe title=\"report\" src=\"index.html\" style=\"border:0;width:{width}px;height:900px\"></iframe>"
        ),
    )
    .unwrap();
    let (status, dom) = chromium(
        &dir,
        "audit",
        &frame,
        &[
            "--dump-dom".to_owned(),
            "--allow-file-access-from-files".to_owned(),
            "--virtual-time-budget=60000".to_owned(),
            "--window-size=1400,900".to_owned(),
        ],
    );
    assert!(status.success(), "chromium --dump-dom failed: {status}");
    let start =
        dom.find("<pre id=\"bilat-audit\">").unwrap_or_else(|| panic!("the audit did not finish:\n{dom:.2000}"))
            + "<pre id=\"bilat-audit\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let found: serde_json::Value = serde_json::from_str(&json).unwrap();
    Audit {
        violations: found["violations"].as_array().cloned().unwrap_or_default(),
        scroll_width: found["scroll_width"].as_f64().unwrap(),
        viewport_width: found["viewport_width"].as_f64().unwrap(),
        smallest_chart_text: found["smallest_chart_text"].as_f64().unwrap(),
    }
}

/// What is wrong with `outputs`'s page at 1280 and 390 px, one line each.
fn accessibility_problems(name: &str, outputs: &Outputs) -> Vec<String> {
    let mut problems = Vec::new();
    for width in [1280, 390] {
        let audit = audit(name, outputs, width);
        println!("{name} at {width} px: {audit:?}");
        if audit.viewport_width != f64::from(width) {
            problems.push(format!("{name}: the window is {} px wide, not {width}", audit.viewport_width));
        }
        for violation in &audit.violations {
            problems.push(format!("{name} at {width} px: axe-core finds {violation}"));
        }
        if audit.scroll_width > audit.viewport_width {
            problems
                .push(format!("{name} at {width} px: the page is {} px wide and scrolls sideways", audit.scroll_width));
        }
        if audit.smallest_chart_text < 11.0 {
            problems.push(format!("{name} at {width} px: chart text is drawn at {:.1} px", audit.smallest_chart_text));
        }
    }
    problems
}

#[test]
fn the_report_is_accessible_and_fits_at_1280_and_390_px() {
    let mut problems = accessibility_problems("dataset", &render(&common::dataset(), None, &Options::default()));
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let review = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    problems.extend(accessibility_problems("review", &review));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The variable naming the Nu HTML Checker's `vnu.jar`.
const VNU: &str = "BILAT_VNU";

#[test]
fn the_nu_html_checker_finds_no_error() {
    let vnu = std::env::var_os(VNU).filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("{VNU} is not set: run `cargo xtask test`, which installs vnu-jar from npm into target/, or set it to vnu.jar")
    });
    let dir = scratch("vnu");
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let pages = [
        ("dataset.html", render(&common::dataset(), None, &Options::default())),
        ("review.html", render(&head, Some(Base { label: "main", dir: &base }), &Options::default())),
        (
            "hostile.html",
            render(&common::fixture("hostile"), Some(Base { label: "main", dir: &head }), &Options::default()),
        ),
    ];
    let mut command = Command::new("java");
    command.arg("-jar").arg(&vnu).args(["--errors-only", "--format", "json"]);
    for (name, outputs) in &pages {
        std::fs::write(dir.join(name), &outputs.html).unwrap();
        command.arg(dir.join(name));
    }
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot run java (the Nu HTML Checker needs it; Debian: apt-get install default-jre-headless): {e}")
    });
    // The checker writes its JSON report to standard error.
    let report = String::from_utf8_lossy(&output.stderr);
    let messages: serde_json::Value =
        serde_json::from_str(&report).unwrap_or_else(|e| panic!("the Nu HTML Checker wrote no JSON ({e}):\n{report}"));
    let messages = messages["messages"].as_array().cloned().unwrap_or_default();
    assert!(messages.is_empty(), "the Nu HTML Checker finds: {messages:#?}");
    assert!(output.status.success(), "the Nu HTML Checker ended with {}: {report}", output.status);
}
