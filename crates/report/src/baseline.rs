//! How each finding of a check stands against a base revision: introduced by the change, or
//! already present there. `check --base REV` marks every finding with it, in every format, and
//! `--fail-on new` fails only on introduced ones.

use std::collections::HashSet;

use diagnostic::Diagnostic;
use serde::Serialize;
use validate::Report;

use crate::split::Split;

/// Whether a finding is new since the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The base does not have it: the change introduced it.
    Introduced,
    /// The base has it too.
    Present,
}

impl Change {
    /// How the outputs name it: `introduced`, `already present`.
    pub fn label(self) -> &'static str {
        match self {
            Change::Introduced => "introduced",
            Change::Present => "already present",
        }
    }
}

/// The [`Change`] of every finding of a report, matched by identity as [`Split`] does.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// How the base is named, e.g. `origin/main`.
    pub label: String,
    /// One entry per finding of the head report, in its order.
    changes: Vec<Change>,
}

impl Baseline {
    /// Marks `head`'s findings against `base`'s.
    pub fn new(label: &str, base: &Report, head: &Report) -> Baseline {
        let split = Split::new(base, head);
        let introduced: HashSet<*const Diagnostic> = split.introduced.iter().map(|f| *f as *const Diagnostic).collect();
        let changes = head
            .findings
            .iter()
            .map(|f| if introduced.contains(&(f as *const Diagnostic)) { Change::Introduced } else { Change::Present })
            .collect();
        Baseline { label: label.to_owned(), changes }
    }

    /// The mark of `report.findings[index]`.
    pub fn of(&self, index: usize) -> Option<Change> {
        self.changes.get(index).copied()
    }

    /// The introduced findings of `report` (the report these marks were made for) that fail
    /// the check: what `--fail-on new` fails on.
    pub fn introduced_failures(&self, report: &Report) -> usize {
        report.findings.iter().zip(&self.changes).filter(|(f, c)| **c == Change::Introduced && f.is_failure()).count()
    }

    /// "2 introduced, 5 already present since origin/main".
    pub fn line(&self) -> String {
        let introduced = self.changes.iter().filter(|c| **c == Change::Introduced).count();
        format!("{introduced} introduced, {} already present since {}", self.changes.len() - introduced, self.label)
    }
}

/// The mark of finding `index` under an optional baseline.
pub(crate) fn mark(baseline: Option<&Baseline>, index: usize) -> Option<Change> {
    baseline.and_then(|b| b.of(index))
}
