//! "Did you mean ...?": the declared name closest to a misspelt one.
//!
//! Used for unknown type names in declarations and for unknown variables, functions and
//! fields in check errors. Only called on error paths; names longer than
//! [`MAX_SUGGESTED_LEN`] get no suggestion, so a hostile name costs nothing.

/// Names longer than this (in bytes) are not compared: no declared name is that long.
pub const MAX_SUGGESTED_LEN: usize = 128;

/// The candidate closest to `name` by edit distance (transpositions count as one edit),
/// if it is close enough to be a likely misspelling: at most a third of the name's length
/// away (at least one edit), or — for names of three or more characters — one is a prefix of
/// the other (`integer` → `int`, `str` → `string`). Ties go to the alphabetically first.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if name.is_empty() || name.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let allowed = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name || candidate.is_empty() || candidate.len() > MAX_SUGGESTED_LEN {
            continue;
        }
        let score = if candidate.len().abs_diff(name.len()) <= allowed {
            strsim::damerau_levenshtein(name, candidate)
        } else {
            usize::MAX
        };
        let prefix = name.len().min(candidate.len()) >= 3
            && (name.starts_with(candidate) || candidate.starts_with(name));
        // A prefix relation ranks after every close spelling.
        let score = match score {
            s if s <= allowed => s,
            _ if prefix => allowed + 1,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((s, c)) => score < s || (score == s && candidate < c),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean 'x'?"` for a suggestion, or nothing.
pub fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean '{s}'?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested() {
        let names = ["int", "uint", "string", "bool", "startsWith", "endsWith"];
        let cases = [
            ("integr", Some("int")),
            ("integer", Some("int")),
            ("strng", Some("string")),
            ("str", Some("string")),
            ("startWith", Some("startsWith")),
            ("bol", Some("bool")),
            ("xyzzy", None),
            ("", None),
        ];
        for (name, expected) in cases {
            assert_eq!(did_you_mean(name, names), expected, "{name}");
        }
    }

    #[test]
    fn long_names_are_not_compared() {
        let long = "a".repeat(MAX_SUGGESTED_LEN + 1);
        assert_eq!(did_you_mean(&long, [long.as_str()[1..].as_ref()]), None);
    }
}
