//! A team's settings for `check`: `bilat.toml` at the repository's root, and `--deny warnings`.
//!
//! ```toml
//! [check]
//! deny = ["warnings"]          # every warning fails the check, as an error
//!
//! [rules]
//! "residents/jump" = "error"   # raise a rule's findings
//! "source/unused" = "warning"  # or lower them
//! ```
//!
//! A key of `[rules]` is a finding's id (`field/range`) or a rule's id, which covers every id
//! that rule reports (`field`). Any finding can be raised to an error. Only a consistency
//! rule's findings can be lowered to a warning. What ingest reports leaves rows out of every rule, so a table that was not read
//! completely always fails, whatever the configuration says.
//!
//! Without the file, the defaults apply: every rule at its declared severity, warnings pass.
//! The file is parsed with the `toml` crate (parsing only); unknown keys, unknown ids and
//! values other than `"error"` and `"warning"` are refused with the reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use diagnostic::{RuleId, Severity};
use serde::{Deserialize, Serialize};

use crate::exceptions::why_not_lowerable;
use crate::rules::ALL;

/// The settings a check runs with. `Config::default()` is the rules as declared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Config {
    /// Where the settings come from, e.g. `bilat.toml` or `bilat.toml, --deny warnings`;
    /// `None` for the defaults.
    pub source: Option<String>,
    /// Every warning fails the check: it is reported as an error.
    pub deny_warnings: bool,
    /// The severity set for an id (a finding's id, or a rule's id covering all its ids).
    pub severities: BTreeMap<String, Severity>,
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    check: CheckSection,
    #[serde(default)]
    rules: BTreeMap<String, Severity>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    #[serde(default)]
    deny: Vec<String>,
}

impl Config {
    /// Parses the text of `bilat.toml`; `name` is how the file is shown. Refuses unknown
    /// sections, keys and ids, and lowering a finding that could not be acknowledged.
    pub fn parse(name: &str, text: &str) -> Result<Config, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("{name}: {}", e.to_string().trim_end()))?;
        let mut config = Config { source: Some(name.to_owned()), ..Config::default() };
        for denied in file.check.deny {
            match denied.as_str() {
                "warnings" => config.deny_warnings = true,
                other => {
                    return Err(format!("{name}: [check] deny: unknown `{other}`: only \"warnings\" can be denied"));
                }
            }
        }
        for (id, severity) in file.rules {
            check_setting(&id, severity).map_err(|e| format!("{name}: [rules] \"{id}\": {e}"))?;
            config.severities.insert(id, severity);
        }
        Ok(config)
    }

    /// Adds `--deny warnings` from the command line.
    pub fn deny_warnings_too(&mut self) {
        self.deny_warnings = true;
        self.source = Some(match self.source.take() {
            Some(file) => format!("{file}, --deny warnings"),
            None => "--deny warnings".to_owned(),
        });
    }

    /// Whether this is the rules as declared, with no setting changed.
    pub fn is_default(&self) -> bool {
        !self.deny_warnings && self.severities.is_empty()
    }

    /// One line on what differs from the defaults, e.g.
    /// `bilat.toml: residents/jump = error; warnings denied`; `None` for the defaults.
    pub fn describe(&self) -> Option<String> {
        if self.is_default() {
            return None;
        }
        let mut out = format!("{}:", self.source.as_deref().unwrap_or("configuration"));
        let mut parts: Vec<String> = self.severities.iter().map(|(id, s)| format!("{id} = {s}")).collect();
        if self.deny_warnings {
            parts.push("warnings denied".to_owned());
        }
        let _ = write!(out, " {}", parts.join("; "));
        Some(out)
    }

    /// The severity a finding of `id` gets under this configuration, `default` when it sets none.
    pub fn severity_of(&self, id: RuleId, default: Severity) -> Severity {
        let own = self.severities.get(id.as_str()).copied();
        let of_rule = || {
            ALL.iter()
                .find(|rule| rule.ids().contains(&id))
                .and_then(|rule| self.severities.get(rule.id.as_str()))
                .copied()
        };
        let severity = own.or_else(of_rule).unwrap_or(default);
        if self.deny_warnings { Severity::Error } else { severity }
    }
}

/// Whether `id` may be set to `severity`.
fn check_setting(id: &str, severity: Severity) -> Result<(), String> {
    let reading = ingest::ErrorKind::ALL.iter().any(|kind| kind.code() == id);
    let rule = ALL.iter().find(|rule| rule.id.as_str() == id || rule.ids().iter().any(|i| i.as_str() == id));
    if !reading && rule.is_none() {
        let known: Vec<&str> = ingest::ErrorKind::ALL
            .iter()
            .map(|k| k.code())
            .chain(ALL.iter().flat_map(|r| std::iter::once(r.id.as_str()).chain(r.ids().iter().map(|i| i.as_str()))))
            .collect();
        let nearest =
            known.iter().min_by_key(|k| model::edit_distance(k, id)).filter(|k| model::edit_distance(k, id) <= 3);
        return Err(match nearest {
            Some(near) => format!("no rule has this id; did you mean \"{near}\"? (docs/rules.md lists them)"),
            None => "no rule has this id (docs/rules.md lists them)".to_owned(),
        });
    }
    if severity == Severity::Warning {
        // A rule's id stands for all its ids: each must be lowerable.
        let ids: Vec<&str> = match rule {
            Some(rule) if rule.id.as_str() == id => rule.ids().iter().map(|i| i.as_str()).collect(),
            _ => vec![id],
        };
        if let Some((why, _)) = ids.iter().find_map(|i| why_not_lowerable(i)) {
            return Err(format!("cannot be lowered to a warning: {why}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_deny_and_rule_severities() {
        let text = "[check]\ndeny = [\"warnings\"]\n\n[rules]\n\"residents/jump\" = \"error\"\n\"source/unused\" = \"warning\"\n";
        let config = Config::parse("bilat.toml", text).unwrap();
        assert!(config.deny_warnings);
        assert_eq!(config.severities.get("residents/jump"), Some(&Severity::Error));
        assert_eq!(
            config.describe().as_deref(),
            Some("bilat.toml: residents/jump = error; source/unused = warning; warnings denied")
        );
        assert!(Config::parse("bilat.toml", "").unwrap().is_default());
        assert_eq!(Config::parse("bilat.toml", "").unwrap().describe(), None);
    }

    #[test]
    fn refuses_what_it_does_not_know_and_lowering_reading_problems() {
        let error = |text: &str| Config::parse("bilat.toml", text).unwrap_err();
        assert!(error("[rules]\n\"residents/jum\" = \"error\"\n").contains("did you mean \"residents/jump\""));
        assert!(error("[rules]\n\"residents/jump\" = \"fatal\"\n").contains("bilat.toml:"));
        assert!(error("[check]\ndeny = [\"errors\"]\n").contains("only \"warnings\" can be denied"));
        assert!(error("[checks]\n").contains("bilat.toml:"));
        assert!(error("[rules]\n\"cell/invalid\" = \"warning\"\n").contains("cannot be lowered"));
        assert!(error("[rules]\n\"exception/stale\" = \"warning\"\n").contains("cannot be lowered"));
        // Raising a reading problem is allowed; so is lowering a whole consistency rule.
        assert!(
            Config::parse("bilat.toml", "[rules]\n\"csv/blank-row\" = \"error\"\n\"field\" = \"warning\"\n").is_ok()
        );
    }
}
