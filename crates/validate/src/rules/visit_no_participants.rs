//! A warning for a visit that has no row in `visit_participants.csv`.
//!
//! Every entry of a source's visit list names who travelled; a visit without participants
//! usually means the participant rows were forgotten or cite a mistyped visit id.
//!
//! Failing (no participant row names `khno-2008-1`):
//!
//! ```csv
//! visit,seq,title,name,note
//! khno-2011-1,1,Stortingets Familie- og Kulturkomite,,
//! ```
//!
//! Passing:
//!
//! ```csv
//! visit,seq,title,name,note
//! khno-2011-1,1,Stortingets Familie- og Kulturkomite,,
//! khno-2008-1,1,Stortingets Justiskomite,,
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use model::TableId;
use rayon::prelude::*;

use crate::engine::{Context, Rule, Set};

/// See the module documentation.
pub(crate) static NO_PARTICIPANTS: Rule = Rule {
    id: RuleId::new("visit/no-participants"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: true,
    reads: &[TableId::VisitParticipants, TableId::Visits],
    source: include_str!("visit_no_participants.rs"),
    check,
    watch: None,
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    if !data.visit_participants.is_complete() {
        return Vec::new();
    }
    let named: Set<&str> = data.visit_participants.rows.iter().map(|r| &*r.record.visit).collect();
    data.visits
        .rows
        .par_iter()
        .filter(|row| !named.contains(&*row.record.id))
        .map(|row| {
            let id = diagnostic::text::one_line(&row.record.id);
            let message = format!("visit `{id}` has no participants");
            let help =
                format!("add a row `{id},1,<title>,<name>,` to visit_participants.csv for each person or delegation");
            context.finding(&NO_PARTICIPANTS, &data.visits, row, "id", message, Some(help))
        })
        .collect()
}
