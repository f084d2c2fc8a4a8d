//! Kubernetes' regex library: `find` and `findAll`, with Go's `regexp` answers.
//!
//! Go and the `regex` crate agree on how successive matches are found, empty ones included: an
//! empty match right after the previous match is skipped. So `"123 abc 456".findAll('[0-9]*')`
//! is `["123", "", "", "", "", "456"]`, and `"abc 123".find('[0-9]*')` is `""` (the empty match
//! at the start); the Kubernetes documentation shows `['123', '456']` and `'123'`, which is not
//! what kube-apiserver returns.

use regex::Regex;

/// The message of an invalid pattern, as Kubernetes words it around the regex error.
pub fn illegal_regex(reason: &str) -> String {
    format!("Illegal regex: {reason}")
}

/// `s.find(re)`: the leftmost match, or `""`.
pub fn find<'a>(re: &Regex, s: &'a str) -> &'a str {
    re.find(s).map_or("", |m| m.as_str())
}

/// `s.findAll(re, limit)`: successive matches; all of them when `limit` is negative, at most
/// `limit` otherwise (none for 0).
pub fn find_all<'a>(re: &Regex, s: &'a str, limit: i64) -> Vec<&'a str> {
    let matches = re.find_iter(s).map(|m| m.as_str());
    match usize::try_from(limit) {
        Ok(n) => matches.take(n).collect(),
        Err(_) => matches.collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn go_semantics() {
        assert_eq!(find(&re("[0-9]+"), "abc 123"), "123");
        assert_eq!(find(&re("[0-9]*"), "abc 123"), "");
        assert_eq!(find(&re("xyz"), "abc 123"), "");
        assert_eq!(
            find_all(&re("[0-9]*"), "123 abc 456", -1),
            vec!["123", "", "", "", "", "456"]
        );
        assert_eq!(
            find_all(&re("[0-9]+"), "123 abc 456", -1),
            vec!["123", "456"]
        );
        assert_eq!(find_all(&re("[0-9]+"), "123 abc 456", 1), vec!["123"]);
        assert_eq!(
            find_all(&re("[0-9]+"), "123 abc 456", 0),
            Vec::<&str>::new()
        );
        assert_eq!(find_all(&re("xyz"), "123 abc 456", -1), Vec::<&str>::new());
        assert_eq!(find_all(&re(""), "añb", -1), vec!["", "", "", ""]);
    }
}
