//! Applying [`Fix`]es to a file's bytes: what `cargo xtask fix` does between reading and
//! writing the file.
//!
//! A fix is applied whole or not at all. Fixes are taken in file order; one whose edits
//! overlap an edit already taken, or reach past the end of the file, or touch another file,
//! is left for a later pass (after a new check, its finding comes back with edits in the new
//! bytes). Every byte outside the edits is kept.

use std::ops::Range;

use crate::Fix;

/// The outcome of [`apply_fixes`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The file's new bytes.
    pub bytes: Vec<u8>,
    /// The indexes (into the fixes given) of the fixes applied.
    pub applied: Vec<usize>,
    /// The indexes of the fixes left out: overlapping one applied, or out of the file.
    pub skipped: Vec<usize>,
}

/// Applies to `bytes`, the content of `file`, every fix of `fixes` that overlaps no other
/// taken before it, in the order of their first edits.
pub fn apply_fixes(file: &str, bytes: &[u8], fixes: &[&Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| (fixes[i].edits.iter().map(|e| e.span.start).min().unwrap_or(usize::MAX), i));
    let mut taken: Vec<(Range<usize>, &str)> = Vec::new();
    let mut applied = Vec::new();
    let mut skipped = Vec::new();
    for i in order {
        let edits = &fixes[i].edits;
        let fits = !edits.is_empty()
            && edits.iter().all(|e| e.file == file && e.span.start <= e.span.end && e.span.end <= bytes.len())
            && edits.iter().enumerate().all(|(j, e)| {
                !taken.iter().any(|(span, _)| overlaps(span, &e.span))
                    && !edits[..j].iter().any(|other| overlaps(&other.span, &e.span))
            });
        if fits {
            taken.extend(edits.iter().map(|e| (e.span.clone(), e.replacement.as_str())));
            applied.push(i);
        } else {
            skipped.push(i);
        }
    }
    taken.sort_by_key(|(span, _)| (span.start, span.end));
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (span, replacement) in taken {
        out.extend_from_slice(&bytes[at..span.start]);
        out.extend_from_slice(replacement.as_bytes());
        at = span.end;
    }
    out.extend_from_slice(&bytes[at..]);
    applied.sort_unstable();
    skipped.sort_unstable();
    Applied { bytes: out, applied, skipped }
}

/// Whether two edits cannot both be applied: their spans share a byte, or both insert at the
/// same place (their order would be a guess), or one inserts inside the other.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() {
        return a.start == b.start || (b.start < a.start && a.start < b.end);
    }
    if b.is_empty() {
        return overlaps(b, a);
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Applicability, Edit};

    fn fix(edits: &[(Range<usize>, &str)]) -> Fix {
        Fix {
            title: String::new(),
            applicability: Applicability::Safe,
            edits: edits
                .iter()
                .map(|(span, text)| Edit {
                    file: "f.csv".to_owned(),
                    span: span.clone(),
                    replacement: (*text).to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn keeps_every_byte_outside_the_edits() {
        let bytes = b"a,\"2,90\",28%\nb,x,y\n";
        let fixes = [fix(&[(2..8, "2.90")]), fix(&[(9..12, "28")])];
        let applied = apply_fixes("f.csv", bytes, &fixes.iter().collect::<Vec<_>>());
        assert_eq!(applied.bytes, b"a,2.90,28\nb,x,y\n");
        assert_eq!((applied.applied, applied.skipped), (vec![0, 1], vec![]));
    }

    #[test]
    fn an_overlapping_fix_waits_and_a_fix_applies_whole_or_not_at_all() {
        let bytes = b"0123456789";
        let fixes = [fix(&[(0..10, "whole")]), fix(&[(2..3, "x"), (8..9, "y")]), fix(&[(5..5, "+")])];
        let applied = apply_fixes("f.csv", bytes, &fixes.iter().collect::<Vec<_>>());
        assert_eq!(applied.bytes, b"whole");
        assert_eq!((applied.applied, applied.skipped), (vec![0], vec![1, 2]));
        let later = [fix(&[(2..3, "x"), (8..9, "y")]), fix(&[(3..3, "+")])];
        let applied = apply_fixes("f.csv", bytes, &later.iter().collect::<Vec<_>>());
        assert_eq!(applied.bytes, b"01x+34567y9");
    }

    #[test]
    fn edits_out_of_the_file_or_in_another_file_are_skipped() {
        let mut other = fix(&[(0..1, "z")]);
        other.edits[0].file = "g.csv".to_owned();
        let fixes = [fix(&[(3..9, "x")]), other];
        let applied = apply_fixes("f.csv", b"abc", &fixes.iter().collect::<Vec<_>>());
        assert_eq!((applied.bytes.as_slice(), applied.skipped), (b"abc".as_slice(), vec![0, 1]));
    }
}
