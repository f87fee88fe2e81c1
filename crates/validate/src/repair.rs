//! Repair: applying the fixes that findings carry to the files of a data folder held in
//! memory, as `cargo xtask fix` does, then checking again.
//!
//! Each pass checks the files, takes the fixes wanted (safe ones, and unsafe ones when asked),
//! and applies to each file those that overlap no other ([`diagnostic::apply_fixes`]); the
//! findings whose fixes had to wait come back from the next pass's check with edits in the new
//! bytes. Passes stop when no fix changes a file, or after [`MAX_PASSES`]. Nothing here reads
//! or writes a file.

use diagnostic::{Applicability, Diagnostic, apply_fixes};
use ingest::DataDir;
use model::TableId;

use crate::{Report, check_dir};

/// Passes at most: a conversion of a file's dialect, then the cell fixes, then fixes that
/// waited for an overlapping one, with room to spare.
pub const MAX_PASSES: usize = 8;

/// What to repair.
#[derive(Clone, Debug, Default)]
pub struct RepairOptions {
    /// Also apply fixes that are guesses a person must confirm.
    pub unsafe_fixes: bool,
    /// Repair only these tables; all when empty.
    pub tables: Vec<TableId>,
}

/// The outcome of [`repair`].
#[derive(Debug)]
pub struct Repair {
    /// Every table's file after the repair, in [`TableId::ALL`] order; `None` for a missing file.
    pub files: Vec<Option<Vec<u8>>>,
    /// The findings whose fixes were applied, in the order they were, as each pass found them.
    pub fixed: Vec<Diagnostic>,
    /// Passes that changed something.
    pub passes: usize,
    /// The check of the repaired files.
    pub report: Report,
}

impl Repair {
    /// The findings left whose fix is unsafe: what `--unsafe` would apply.
    pub fn unsafe_left(&self) -> impl Iterator<Item = &Diagnostic> {
        self.report.findings.iter().filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == Applicability::Unsafe))
    }
}

/// Repairs the files `files` (in [`TableId::ALL`] order, `None` for a missing one) of a data
/// folder shown as `shown`.
pub fn repair(shown: &str, mut files: Vec<Option<Vec<u8>>>, options: &RepairOptions) -> Repair {
    let mut fixed = Vec::new();
    let mut passes = 0;
    let wanted = |finding: &Diagnostic| {
        finding.acknowledged.is_none()
            && finding.fix.as_ref().is_some_and(|fix| options.unsafe_fixes || fix.applicability == Applicability::Safe)
            && (options.tables.is_empty() || finding.table.is_some_and(|t| options.tables.contains(&t)))
    };
    for _ in 0..MAX_PASSES {
        let dir = DataDir::from_memory(shown, |t| files[t as usize].clone());
        let report = check_dir(&dir);
        let mut changed = false;
        for &table in TableId::ALL {
            let name = &dir.file(table).name;
            let findings: Vec<&Diagnostic> = report.findings.iter().filter(|f| &f.file == name && wanted(f)).collect();
            let Some(bytes) = files[table as usize].as_ref() else { continue };
            if findings.is_empty() {
                continue;
            }
            let fixes: Vec<_> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
            let applied = apply_fixes(name, bytes, &fixes);
            if applied.bytes != *bytes {
                fixed.extend(applied.applied.iter().map(|&i| findings[i].clone()));
                files[table as usize] = Some(applied.bytes);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        passes += 1;
    }
    let dir = DataDir::from_memory(shown, |t| files[t as usize].clone());
    let report = check_dir(&dir);
    Repair { files, fixed, passes, report }
}
