//! `jsonpatch.escapeKey`: a map key as a JSON Pointer segment (RFC 6901).

/// `~` becomes `~0` and `/` becomes `~1`.
pub fn escape_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example() {
        assert_eq!(
            format!("/metadata/labels/{}", escape_key("k8s.io/my~label")),
            "/metadata/labels/k8s.io~1my~0label"
        );
        assert_eq!(escape_key("~1"), "~01");
        assert_eq!(escape_key("plain"), "plain");
    }
}
