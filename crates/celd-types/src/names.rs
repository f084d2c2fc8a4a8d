//! Name resolution inside a container (namespace), in langdef's order.
//!
//! The checker and the planner (for unchecked evaluation) both use
//! [`candidate_names`], so a name means the same thing in both.

use std::borrow::Cow;

/// The fully qualified names `name` may refer to inside `container`, most
/// specific first.
///
/// In container `x.y`, the name `a.b` tries `x.y.a.b`, then `x.a.b`, then
/// `a.b`. A name with a leading dot (`.a.b`) is already fully qualified and
/// tries only `a.b`. With an empty container the only candidate is the name itself.
///
/// ```
/// use celd_types::candidate_names;
/// let names: Vec<_> = candidate_names("x.y", "a.b").collect();
/// assert_eq!(names, ["x.y.a.b", "x.a.b", "a.b"]);
/// ```
pub fn candidate_names<'a>(container: &'a str, name: &'a str) -> CandidateNames<'a> {
    match name.strip_prefix('.') {
        Some(rooted) => CandidateNames {
            container: "",
            name: rooted,
            prefix_end: None,
            done: false,
        },
        None => CandidateNames {
            container,
            name,
            prefix_end: (!container.is_empty()).then_some(container.len()),
            done: false,
        },
    }
}

/// The iterator returned by [`candidate_names`].
#[derive(Clone, Debug)]
pub struct CandidateNames<'a> {
    container: &'a str,
    name: &'a str,
    /// End of the container prefix to try next; `None` once only the bare name is left.
    prefix_end: Option<usize>,
    done: bool,
}

impl<'a> Iterator for CandidateNames<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        if self.done {
            return None;
        }
        let Some(end) = self.prefix_end else {
            self.done = true;
            return Some(Cow::Borrowed(self.name));
        };
        let prefix = &self.container[..end];
        self.prefix_end = prefix.rfind('.');
        Some(Cow::Owned(format!("{prefix}.{}", self.name)))
    }
}
