//! Findings split by what a change did to them: introduced, fixed, or already present.

use std::collections::HashMap;

use diagnostic::Diagnostic;
use validate::Report;

use crate::DataDiff;

/// The findings of two versions of the data, matched by [`Diagnostic::identity`] (rule, file
/// name, row key, column), which survives edits that move rows.
///
/// When several findings share an identity, they are matched in order: the head's first with
/// the base's first, and any left over on one side are introduced or fixed.
#[derive(Debug)]
pub struct Split<'r> {
    /// Findings of the head that the base does not have, in the head report's order.
    pub introduced: Vec<&'r Diagnostic>,
    /// Findings of the base that the head no longer has, in the base report's order.
    pub fixed: Vec<&'r Diagnostic>,
    /// Findings of the head that the base has too, in the head report's order.
    pub present: Vec<&'r Diagnostic>,
}

impl<'r> Split<'r> {
    /// Splits `head`'s findings against `base`'s.
    pub fn new(base: &'r Report, head: &'r Report) -> Split<'r> {
        Split::across(base, head, &|_| None)
    }

    /// Splits `head`'s findings against `base`'s, where `diff` says which rows were renumbered:
    /// a finding on a renumbered row is matched under the key the row had at the base.
    pub fn renumbered(base: &'r Report, head: &'r Report, diff: &'r DataDiff) -> Split<'r> {
        Split::across(base, head, &|finding| diff.old_key(finding.table?, finding.key.as_deref()?))
    }

    /// Splits, reading a head finding's key at the base as `old_key` says, or as it is.
    fn across(base: &'r Report, head: &'r Report, old_key: &dyn Fn(&'r Diagnostic) -> Option<&'r str>) -> Split<'r> {
        let identity = |finding: &'r Diagnostic| {
            let (rule, file, key, column) = finding.identity();
            (rule, file, old_key(finding).unwrap_or(key), column)
        };
        let mut at_base: HashMap<_, usize> = HashMap::new();
        for finding in &base.findings {
            *at_base.entry(finding.identity()).or_default() += 1;
        }
        let mut split = Split { introduced: Vec::new(), fixed: Vec::new(), present: Vec::new() };
        let mut kept: HashMap<_, usize> = HashMap::new();
        for finding in &head.findings {
            match at_base.get_mut(&identity(finding)) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    *kept.entry(identity(finding)).or_default() += 1;
                    split.present.push(finding);
                }
                _ => split.introduced.push(finding),
            }
        }
        for finding in &base.findings {
            match kept.get_mut(&finding.identity()) {
                Some(matched) if *matched > 0 => *matched -= 1,
                _ => split.fixed.push(finding),
            }
        }
        split
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ingest::DataDir;
    use model::TableId;

    fn report(residents: &str) -> Report {
        let dir = DataDir::from_memory("data", |t| {
            (t == TableId::Residents)
                .then(|| format!("country,citizenship,year,count,source\n{residents}").into_bytes())
        });
        let mut report = validate::check_dir(&dir);
        report.findings.retain(|f| f.file.ends_with("residents.csv"));
        report
    }

    #[test]
    fn splits_by_identity_not_line() {
        let base = report("NO,JP,2009,7 99,s\nNO,JP,2010,8 38,s\n");
        let head = report("NO,JP,2011,8 55,s\nNO,JP,2010,8 38,s\nNO,JP,2009,799,s\n");
        let split = Split::new(&base, &head);
        let keys = |list: &[&Diagnostic]| list.iter().map(|f| f.key.clone().unwrap_or_default()).collect::<Vec<_>>();
        assert_eq!(keys(&split.introduced), vec!["NO/JP/2011"]);
        assert_eq!(keys(&split.present), vec!["NO/JP/2010"]);
        assert_eq!(keys(&split.fixed), vec!["NO/JP/2009"]);
        assert_eq!(split.introduced.iter().filter(|f| f.is_failure()).count(), 1);
    }
}
