//! Which header field is which declared column, also when the header is not written exactly
//! as declared: a renamed, misspelt, padded or reordered header still lets the rows below be
//! read, so that their own problems are not hidden behind the header's.
//!
//! Names are matched in decreasing order of certainty: the exact name; the name with spaces
//! around it; the name without invisible characters and in lowercase; the declared name it is
//! unambiguously closest to; and, when the header has as many fields as the table declares
//! columns and every recognised name is in its declared place, the field at the column's place.

/// How a header field was matched to a declared column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Match {
    /// The name, exactly.
    Exact,
    /// The name, with spaces around it.
    Padded,
    /// The name, once invisible characters are removed and letters lowercased.
    Spelling,
    /// The declared name the field's name is unambiguously closest to: a guess.
    Similar,
    /// The field at the column's place in the declared order: a guess.
    Position,
}

impl Match {
    /// Whether the field's name says which column it is; guesses by position do not.
    pub(crate) fn is_recognised(self) -> bool {
        self != Match::Position
    }
}

/// A header's fields matched to a table's declared columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// For each declared column, the field read as it and how it was matched.
    pub(crate) columns: Vec<Option<(usize, Match)>>,
    /// Fields whose name is a declared column's that an earlier field already names:
    /// `(field, column)`.
    pub(crate) duplicates: Vec<(usize, usize)>,
}

impl Mapping {
    /// The column a field is read as, and how it was matched.
    pub(crate) fn column_of(&self, field: usize) -> Option<(usize, Match)> {
        self.columns.iter().enumerate().find_map(|(column, m)| match m {
            Some((f, how)) if *f == field => Some((column, *how)),
            _ => None,
        })
    }

    /// Whether every declared column was found under its exact name.
    pub(crate) fn is_exact(&self) -> bool {
        self.columns.iter().all(|m| matches!(m, Some((_, Match::Exact))))
    }

    /// Whether the mapping is worth reading rows with: at least half of the declared columns
    /// are recognised by their names. A header line that is data, or mostly unknown names,
    /// is not.
    pub(crate) fn is_sensible(&self) -> bool {
        let recognised = self.columns.iter().flatten().filter(|(_, how)| how.is_recognised()).count();
        recognised > 0 && recognised * 2 >= self.columns.len()
    }

    /// Whether no name of the header is a declared column's, even by spelling or similarity:
    /// the line is no header (a file that starts with its rows).
    pub(crate) fn recognises_nothing(&self) -> bool {
        !self.columns.iter().flatten().any(|(_, how)| how.is_recognised()) && self.duplicates.is_empty()
    }

    /// The same mapping with its guesses (by similarity or position) dropped.
    pub(crate) fn certain(&self) -> Mapping {
        let columns = self
            .columns
            .iter()
            .map(|m| m.filter(|(_, how)| matches!(how, Match::Exact | Match::Padded | Match::Spelling)))
            .collect();
        Mapping { columns, duplicates: self.duplicates.clone() }
    }
}

/// Matches the header's `names` (unquoted, as written) to the `declared` column names.
pub(crate) fn map(names: &[&str], declared: &[&str]) -> Mapping {
    let mut mapping = Mapping { columns: vec![None; declared.len()], duplicates: Vec::new() };
    let mut taken = vec![false; names.len()];
    for (field, name) in names.iter().enumerate() {
        let trimmed = name.trim();
        let Some(column) = declared.iter().position(|d| *d == trimmed) else { continue };
        taken[field] = true;
        if mapping.columns[column].is_some() {
            mapping.duplicates.push((field, column));
        } else {
            let how = if trimmed == *name { Match::Exact } else { Match::Padded };
            mapping.columns[column] = Some((field, how));
        }
    }
    let normal: Vec<String> = names.iter().map(|n| normalised(n)).collect();
    for field in 0..names.len() {
        if taken[field] || normal[field].is_empty() {
            continue;
        }
        if let Some(column) =
            (0..declared.len()).find(|&c| mapping.columns[c].is_none() && declared[c] == normal[field])
        {
            taken[field] = true;
            mapping.columns[column] = Some((field, Match::Spelling));
        }
    }
    // By similarity: a field and a column each the other's one closest match.
    let free_fields: Vec<usize> = (0..names.len()).filter(|&f| !taken[f] && !normal[f].is_empty()).collect();
    let free_columns: Vec<usize> = (0..declared.len()).filter(|&c| mapping.columns[c].is_none()).collect();
    let near = |field: usize, column: usize| {
        let (a, b) = (normal[field].as_str(), declared[column]);
        let (a_chars, b_chars) = (a.chars().count(), b.chars().count());
        let limit = (a_chars.max(b_chars) / 3).max(1);
        // The distance is at least the difference in length: a long name is not compared.
        if a_chars.abs_diff(b_chars) > limit {
            return None;
        }
        let distance = model::edit_distance(a, b);
        (distance <= limit).then_some(distance)
    };
    let closest = |candidates: &mut dyn Iterator<Item = (usize, usize)>| -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        let mut tied = false;
        for (candidate, distance) in candidates {
            match best {
                Some((_, d)) if distance == d => tied = true,
                Some((_, d)) if distance > d => {}
                _ => {
                    best = Some((candidate, distance));
                    tied = false;
                }
            }
        }
        best.filter(|_| !tied).map(|(candidate, _)| candidate)
    };
    let mut similar = Vec::new();
    for &field in &free_fields {
        let Some(column) = closest(&mut free_columns.iter().filter_map(|&c| near(field, c).map(|d| (c, d)))) else {
            continue;
        };
        if closest(&mut free_fields.iter().filter_map(|&f| near(f, column).map(|d| (f, d)))) == Some(field) {
            similar.push((field, column));
        }
    }
    for (field, column) in similar {
        taken[field] = true;
        mapping.columns[column] = Some((field, Match::Similar));
    }
    // By position: only in a header of the declared width whose recognised names are all in
    // their declared places.
    let in_place = mapping.columns.iter().enumerate().all(|(column, m)| m.is_none_or(|(field, _)| field == column));
    if names.len() == declared.len() && in_place && mapping.duplicates.is_empty() {
        for (column, (slot, taken)) in mapping.columns.iter_mut().zip(&taken).enumerate() {
            if slot.is_none() && !taken {
                *slot = Some((column, Match::Position));
            }
        }
    }
    mapping
}

/// A name without invisible characters and spaces around it, in lowercase: how a declared
/// name is compared with a written one.
fn normalised(name: &str) -> String {
    name.chars().filter(|&c| !is_invisible(c)).collect::<String>().trim().to_lowercase()
}

/// Whether `c` shows as nothing, or as something other than itself, in a name: a control
/// character, a bidirectional control, a zero-width character, a byte-order mark, a soft
/// hyphen.
fn is_invisible(c: char) -> bool {
    diagnostic::text::is_unsafe(c) || diagnostic::text::is_invisible(c)
}

/// What is invisible in `name`, named, and where: `an invisible ZERO WIDTH SPACE (U+200B)
/// after `country``; `None` when every character of the name shows.
pub(crate) fn invisible_in(name: &str) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let at = chars.iter().position(|&c| is_invisible(c))?;
    let mut what = invisible_character(chars[at]);
    // A line break written CRLF is one break.
    let mut next = at + 1;
    if chars[at] == '\r' && chars.get(next) == Some(&'\n') {
        next += 1;
    }
    let visible = |part: &[char]| part.iter().filter(|&&c| !is_invisible(c)).collect::<String>().trim().to_owned();
    let (before, after) = (visible(&chars[..at]), visible(&chars[next..]));
    let place = match (before.is_empty(), after.is_empty()) {
        (false, true) => format!(" after `{before}`"),
        (true, false) => format!(" before `{after}`"),
        (false, false) => format!(" between `{before}` and `{after}`"),
        (true, true) => String::new(),
    };
    what.push_str(&place);
    // Counted as written, a CRLF line break as one.
    let rest = &chars[next..];
    let more = (0..rest.len())
        .filter(|&i| is_invisible(rest[i]) && !(rest[i] == '\n' && i > 0 && rest[i - 1] == '\r'))
        .count();
    match more {
        0 => {}
        1 => what.push_str(", and one more invisible character"),
        n => what.push_str(&format!(", and {n} more invisible characters")),
    }
    Some(what)
}

/// One invisible character (a control character included), named for a header message by
/// the names of [`diagnostic::text::INVISIBLE`].
fn invisible_character(c: char) -> String {
    let name = match c {
        '\n' | '\r' => return "a line break".to_owned(),
        '\t' => "TAB",
        c => match diagnostic::text::invisible_name(c) {
            Some(name) => name,
            None => return format!("an invisible character (U+{:04X})", c as u32),
        },
    };
    // U+FEFF is better known as a byte-order mark, which a file may carry at its start.
    let also = if c == '\u{feff}' { ", a byte-order mark" } else { "" };
    format!("an invisible {name} (U+{:04X}{also})", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESIDENTS: &[&str] = &["country", "citizenship", "year", "count", "source"];

    fn how(names: &[&str]) -> Vec<Option<(usize, Match)>> {
        map(names, RESIDENTS).columns
    }

    #[test]
    fn names_are_matched_exactly_then_by_spelling_then_by_similarity_then_by_place() {
        use Match::*;
        assert_eq!(
            how(&["country", " citizenship", "Year", "count\u{200b}", "sourse"]),
            vec![Some((0, Exact)), Some((1, Padded)), Some((2, Spelling)), Some((3, Spelling)), Some((4, Similar))]
        );
        assert_eq!(how(&["land", "citizenship", "year", "count", ""])[0], Some((0, Position)));
        assert_eq!(how(&["land", "citizenship", "year", "count", ""])[4], Some((4, Position)));
        // In another order, names are matched wherever they are, but nothing by its place.
        let reordered = how(&["year", "land", "citizenship", "count", "source"]);
        assert_eq!(reordered[2], Some((0, Exact)));
        assert_eq!(reordered[0], None);
    }

    #[test]
    fn only_an_unambiguous_similarity_is_a_match() {
        let declared = ["value_a", "value_b"];
        assert_eq!(
            map(&["value_c", "value_b"], &declared).columns,
            vec![Some((0, Match::Similar)), Some((1, Match::Exact))]
        );
        // Both fields nearest `value_a`, equally: neither is read as it, but by its place.
        let mapping = map(&["value_x", "value_y"], &declared);
        assert!(mapping.columns.iter().all(|m| matches!(m, Some((_, Match::Position)))));
        assert!(!mapping.is_sensible());
    }

    #[test]
    fn a_header_of_data_is_not_a_sensible_mapping() {
        let mapping = map(&["NO", "JP", "2009", "799", "no-jp-2015"], RESIDENTS);
        assert!(!mapping.is_sensible());
        assert!(map(&["country", "citizenship", "year", "n", "src"], RESIDENTS).is_sensible());
        assert!(!map(&["country", "citizenship", "yr", "n", "src"], RESIDENTS).is_sensible());
        assert!(!map(&["country", "citizenship", "a", "b", "c", "d"], RESIDENTS).is_sensible());
    }

    #[test]
    fn a_name_written_twice_is_a_duplicate() {
        let mapping = map(&["country", "citizenship", "year", "count", "source", "year"], RESIDENTS);
        assert_eq!(mapping.duplicates, vec![(5, 2)]);
        assert!(mapping.is_exact());
    }

    #[test]
    fn invisible_characters_are_named_where_they_are() {
        assert_eq!(
            invisible_in("country\u{200b}").as_deref(),
            Some("an invisible ZERO WIDTH SPACE (U+200B) after `country`")
        );
        assert_eq!(
            invisible_in("\u{feff}country").as_deref(),
            Some("an invisible ZERO WIDTH NO-BREAK SPACE (U+FEFF, a byte-order mark) before `country`")
        );
        assert_eq!(invisible_in("citizen\r\nship").as_deref(), Some("a line break between `citizen` and `ship`"));
        assert_eq!(
            invisible_in("co\u{200d}un\u{ad}try\u{7}").as_deref(),
            Some("an invisible ZERO WIDTH JOINER (U+200D) between `co` and `untry`, and 2 more invisible characters")
        );
        assert_eq!(invisible_in("country"), None);
    }
}
