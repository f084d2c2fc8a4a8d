//! Container name resolution order.

use celd_types::candidate_names;

fn names(container: &str, name: &str) -> Vec<String> {
    candidate_names(container, name)
        .map(|c| c.into_owned())
        .collect()
}

#[test]
fn langdef_order() {
    assert_eq!(names("x.y", "a.b"), ["x.y.a.b", "x.a.b", "a.b"]);
    assert_eq!(names("a.b.c", "M"), ["a.b.c.M", "a.b.M", "a.M", "M"]);
    assert_eq!(names("", "a.b"), ["a.b"]);
}

#[test]
fn leading_dot_is_root_only() {
    assert_eq!(names("x.y", ".a.b"), ["a.b"]);
    assert_eq!(names("", ".a"), ["a"]);
}
