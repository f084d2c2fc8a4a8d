//! URLs as Go's `net/url` parses them, for Kubernetes' `url()` and `isURL()`.
//!
//! Not the `url` crate: it follows the WHATWG URL standard, which normalizes (`HTTP://A/b/../c`
//! becomes `http://a/c`), percent-encodes as it goes and accepts what Go rejects (`https://a:b:c/`,
//! a relative `../x` against no base), and the answers Kubernetes gives are Go's: the host and port
//! exactly as written, paths unescaped and re-escaped by Go's rules, errors worded by Go.
//!
//! `url(s)` succeeds when `ParseRequestURI(s)` does (an absolute URI or an absolute path), and then
//! holds `Parse(s)`, which also reads a `#fragment`.

use std::fmt;

use crate::go::quote;

/// A parsed URL (Go's `url.URL`); strings that Go holds as raw bytes are kept as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoUrl {
    pub scheme: String,
    pub opaque: String,
    pub user: Option<UserInfo>,
    host: Vec<u8>,
    path: Vec<u8>,
    raw_path: String,
    pub omit_host: bool,
    pub force_query: bool,
    pub raw_query: String,
    fragment: Vec<u8>,
}

/// `username[:password]`, unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub username: Vec<u8>,
    pub password: Option<Vec<u8>>,
}

/// A parse failure: `Display` is Go's `parse "<url>": <reason>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError {
    url: String,
    reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse {}: {}", quote(&self.url), self.reason)
    }
}

impl std::error::Error for UrlError {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::QueryComponent => return true,
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// Go's `unescape`: `%XX` decoded, `+` a space in query components, host rules enforced.
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(s.len());
                    return Err(escape_error(&s[i..end]));
                }
                let escape = &s[i..i + 3];
                if mode == Mode::Host && unhex(s[i + 1]) < 8 && escape != b"%25" {
                    return Err(escape_error(escape));
                }
                if mode == Mode::Zone {
                    let v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
                    if escape != b"%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(escape_error(escape));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote(&String::from_utf8_lossy(&[c]))
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                out.push(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
                i += 3;
            }
            b'+' if mode == Mode::QueryComponent => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn escape_error(escape: &[u8]) -> String {
    format!(
        "invalid URL escape {}",
        quote(&String::from_utf8_lossy(escape))
    )
}

/// Go's `escape`: percent-encodes what `should_escape` says (always ASCII output).
fn escape(s: &[u8], mode: Mode) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == Mode::QueryComponent {
            out.push('+');
        } else if should_escape(c, mode) {
            out.push('%');
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 15)] as char);
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Splits off a scheme (`[a-zA-Z][a-zA-Z0-9+.-]*:`), as Go's `getScheme`.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i == 0 => return Ok(("", raw)),
            b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn valid_userinfo(s: &str) -> bool {
    s.chars().all(|r| {
        r.is_ascii_alphanumeric()
            || matches!(
                r,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
}

fn parse_host(host: &str) -> Result<Vec<u8>, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote(colon_port)));
        }
        if let Some(zone) = host[..i].find("%25") {
            let mut out = unescape(&host.as_bytes()[..zone], Mode::Host)?;
            out.extend(unescape(&host.as_bytes()[zone..i], Mode::Zone)?);
            out.extend(unescape(&host.as_bytes()[i..], Mode::Host)?);
            return Ok(out);
        }
    } else if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote(colon_port)));
        }
    }
    unescape(host.as_bytes(), Mode::Host)
}

fn parse_authority(authority: &str) -> Result<(Option<UserInfo>, Vec<u8>), String> {
    let at = authority.rfind('@');
    let host = parse_host(at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(at) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => UserInfo {
            username: unescape(userinfo.as_bytes(), Mode::UserPassword)?,
            password: None,
        },
        Some((name, password)) => UserInfo {
            username: unescape(name.as_bytes(), Mode::UserPassword)?,
            password: Some(unescape(password.as_bytes(), Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

fn parse(raw: &str, via_request: bool) -> Result<GoUrl, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    if raw.is_empty() && via_request {
        return Err("empty url".into());
    }
    let mut url = GoUrl {
        scheme: String::new(),
        opaque: String::new(),
        user: None,
        host: Vec::new(),
        path: Vec::new(),
        raw_path: String::new(),
        omit_host: false,
        force_query: false,
        raw_query: String::new(),
        fragment: Vec::new(),
    };
    if raw == "*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((before, query)) = rest.split_once('?') {
        url.raw_query = query.to_string();
        rest = before;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        if via_request {
            return Err("invalid URI for request".into());
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !via_request && !rest.starts_with("///"))
        && rest.starts_with("//")
    {
        let after = &rest[2..];
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest.as_bytes(), Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_string();
    }
    Ok(url)
}

impl GoUrl {
    /// Go's `url.ParseRequestURI`: an absolute URI or an absolute path, no fragment.
    pub fn parse_request_uri(raw: &str) -> Result<GoUrl, UrlError> {
        parse(raw, true).map_err(|reason| UrlError {
            url: raw.into(),
            reason,
        })
    }

    /// Go's `url.Parse`: any URI reference, with a `#fragment`.
    pub fn parse(raw: &str) -> Result<GoUrl, UrlError> {
        let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
        let mut url = parse(u, false).map_err(|reason| UrlError {
            url: u.into(),
            reason,
        })?;
        if !frag.is_empty() {
            url.fragment =
                unescape(frag.as_bytes(), Mode::Fragment).map_err(|reason| UrlError {
                    url: raw.into(),
                    reason,
                })?;
        }
        Ok(url)
    }

    /// Kubernetes' `url(s)`: checked by `ParseRequestURI`, then held as `Parse` reads it.
    pub fn kubernetes(raw: &str) -> Result<GoUrl, UrlError> {
        GoUrl::parse_request_uri(raw)?;
        GoUrl::parse(raw)
    }

    /// `u.Host`: host and port as written (IPv6 in brackets), unescaped.
    pub fn host(&self) -> String {
        String::from_utf8_lossy(&self.host).into_owned()
    }

    /// `u.Hostname()`: the host without a valid port and without IPv6 brackets.
    pub fn hostname(&self) -> String {
        let (host, _) = self.split_host_port();
        String::from_utf8_lossy(host).into_owned()
    }

    /// `u.Port()`: the digits after the last colon, when they are a valid port.
    pub fn port(&self) -> String {
        let (_, port) = self.split_host_port();
        String::from_utf8_lossy(port).into_owned()
    }

    fn split_host_port(&self) -> (&[u8], &[u8]) {
        let mut host: &[u8] = &self.host;
        let mut port: &[u8] = &[];
        if let Some(colon) = host.iter().rposition(|&b| b == b':')
            && valid_optional_port(&String::from_utf8_lossy(&host[colon..]))
        {
            port = &host[colon + 1..];
            host = &host[..colon];
        }
        if host.len() >= 2 && host.starts_with(b"[") && host.ends_with(b"]") {
            host = &host[1..host.len() - 1];
        }
        (host, port)
    }

    /// `u.EscapedPath()`: the path as written when that is a valid escaping of it, else Go's
    /// escaping of the unescaped path.
    pub fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(self.raw_path.as_bytes())
            && unescape(self.raw_path.as_bytes(), Mode::Path)
                .ok()
                .as_deref()
                == Some(&self.path[..])
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".into();
        }
        escape(&self.path, Mode::Path)
    }

    /// The unescaped fragment.
    pub fn fragment(&self) -> String {
        String::from_utf8_lossy(&self.fragment).into_owned()
    }

    /// `u.Query()`: each key with its values in order (keys in order of first appearance);
    /// malformed pairs are dropped, as Go drops them.
    pub fn query(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for pair in self.raw_query.split('&') {
            if pair.contains(';') || pair.is_empty() {
                continue;
            }
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (Ok(key), Ok(value)) = (
                unescape(key.as_bytes(), Mode::QueryComponent),
                unescape(value.as_bytes(), Mode::QueryComponent),
            ) else {
                continue;
            };
            let key = String::from_utf8_lossy(&key).into_owned();
            let value = String::from_utf8_lossy(&value).into_owned();
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, values)) => values.push(value),
                None => out.push((key, vec![value])),
            }
        }
        out
    }
}

/// Go's `validEncoded` for paths.
fn valid_encoded(s: &[u8]) -> bool {
    s.iter().all(|&c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, Mode::Path)
    })
}

/// `isURL(s)`.
pub fn is_url(s: &str) -> bool {
    GoUrl::parse_request_uri(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> GoUrl {
        GoUrl::kubernetes(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn documented_examples() {
        assert!(is_url(
            "https://user:pass@example.com:80/path?query=val#fragment"
        ));
        assert!(is_url("/absolute-path"));
        assert!(!is_url("https://a:b:c/"));
        assert!(!is_url("../relative-path"));
        assert_eq!(url("/path").scheme, "");
        assert_eq!(url("https://example.com/").scheme, "https");
        assert_eq!(url("https://example.com:80/").host(), "example.com:80");
        assert_eq!(url("https://example.com/").host(), "example.com");
        assert_eq!(url("https://[::1]:80/").host(), "[::1]:80");
        assert_eq!(url("https://[::1]/").host(), "[::1]");
        assert_eq!(url("/path").host(), "");
        assert_eq!(url("https://example.com:80/").hostname(), "example.com");
        assert_eq!(url("https://127.0.0.1:80/").hostname(), "127.0.0.1");
        assert_eq!(url("https://[::1]:80/").hostname(), "::1");
        assert_eq!(url("/path").hostname(), "");
        assert_eq!(url("https://example.com:80/").port(), "80");
        assert_eq!(url("https://example.com/").port(), "");
        assert_eq!(url("/path").port(), "");
        assert_eq!(url("https://example.com/path").escaped_path(), "/path");
        assert_eq!(
            url("https://example.com/path with spaces/").escaped_path(),
            "/path%20with%20spaces/"
        );
        assert_eq!(url("https://example.com").escaped_path(), "");
        assert_eq!(
            url("https://example.com/path?k1=a&k2=b&k2=c").query(),
            vec![
                ("k1".to_string(), vec!["a".to_string()]),
                ("k2".to_string(), vec!["b".to_string(), "c".to_string()])
            ]
        );
        assert_eq!(
            url("https://example.com/path?key with spaces=value with spaces").query(),
            vec![(
                "key with spaces".to_string(),
                vec!["value with spaces".to_string()]
            )]
        );
        assert!(url("https://example.com/path?").query().is_empty());
        assert!(url("https://example.com/path").query().is_empty());
    }

    #[test]
    fn go_rules_where_whatwg_differs() {
        // Kept as written: no case folding of the host, no dot-segment removal.
        assert_eq!(url("HTTP://Example.COM/a/../b").host(), "Example.COM");
        assert_eq!(url("HTTP://Example.COM/a/../b").scheme, "http");
        assert_eq!(url("HTTP://Example.COM/a/../b").escaped_path(), "/a/../b");
        // The escaping as written is kept when it is a valid one.
        assert_eq!(url("http://x/a%2Fb").escaped_path(), "/a%2Fb");
        assert_eq!(url("http://x/a%41").escaped_path(), "/a%41");
        // Opaque and rootless forms are URLs for ParseRequestURI when they have a scheme.
        assert!(is_url("mailto:someone@example.com"));
        assert!(is_url("http:"));
        assert!(is_url("*"));
        assert!(!is_url(""));
        assert!(!is_url("example.com/path"));
        // An absolute path for ParseRequestURI, a network-path reference for Parse.
        assert!(is_url("//example.com/path"));
        assert_eq!(url("//example.com/path").host(), "example.com");
        assert_eq!(url("https://x/p?a=1#frag").fragment(), "frag");
        assert_eq!(
            url("https://user@x/").user.map(|u| u.username),
            Some(b"user".to_vec())
        );
        assert_eq!(url("https://x:/").port(), "");
        assert_eq!(url("https://x:/").hostname(), "x");
    }

    #[test]
    fn errors_are_gos() {
        let cases = [
            (
                "https://a:b:c/",
                "parse \"https://a:b:c/\": invalid port \":c\" after host",
            ),
            (
                "../relative-path",
                "parse \"../relative-path\": invalid URI for request",
            ),
            (":foo", "parse \":foo\": missing protocol scheme"),
            ("", "parse \"\": empty url"),
            (
                "http://[::1/",
                "parse \"http://[::1/\": missing ']' in host",
            ),
            (
                "http://x/%zz",
                "parse \"http://x/%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "http://x/%4",
                "parse \"http://x/%4\": invalid URL escape \"%4\"",
            ),
            (
                "http://a b/",
                "parse \"http://a b/\": invalid character \" \" in host name",
            ),
            (
                "http://a%20b/",
                "parse \"http://a%20b/\": invalid URL escape \"%20\"",
            ),
            (
                "http://u ser@x/",
                "parse \"http://u ser@x/\": net/url: invalid userinfo",
            ),
            (
                "http://x/\u{1}",
                "parse \"http://x/\\x01\": net/url: invalid control character in URL",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                GoUrl::kubernetes(input)
                    .map(|u| u.host())
                    .unwrap_err()
                    .to_string(),
                want
            );
        }
    }

    #[test]
    fn queries_drop_malformed_pairs() {
        let u = url("http://x/?a=1;b=2&c=%zz&d=%41&&e&f=+");
        assert_eq!(
            u.query(),
            vec![
                ("d".to_string(), vec!["A".to_string()]),
                ("e".to_string(), vec![String::new()]),
                ("f".to_string(), vec![" ".to_string()]),
            ]
        );
    }

    #[test]
    fn ipv6_zones_in_hosts() {
        let u = url("http://[fe80::1%25en0]:8080/");
        assert_eq!(u.host(), "[fe80::1%en0]:8080");
        assert_eq!(u.hostname(), "fe80::1%en0");
        assert_eq!(u.port(), "8080");
    }
}
