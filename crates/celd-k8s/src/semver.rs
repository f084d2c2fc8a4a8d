//! Semantic versions as Kubernetes' `semver()` reads them: the rules and error messages of
//! `github.com/blang/semver/v4`, and the library's `normalize` option.
//!
//! Hand-written rather than on the `semver` crate: the crate accepts the same strings, but its
//! errors are worded differently, and its ordering breaks ties on build metadata, which blang's
//! `Compare` (and so `compareTo`) ignores.

use std::cmp::Ordering;
use std::fmt;

/// A parsed version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<PreRelease>,
    pub build: Vec<String>,
}

/// One dot-separated pre-release identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreRelease {
    Numeric(u64),
    Alphanumeric(String),
}

/// Why a string is not a version; `Display` is blang's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemverError(String);

impl fmt::Display for SemverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SemverError {}

fn err(message: impl Into<String>) -> SemverError {
    SemverError(message.into())
}

const ALPHANUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-0123456789";

fn contains_only(s: &str, set: &str) -> bool {
    s.chars().all(|c| set.contains(c))
}

fn numeric(s: &str) -> bool {
    contains_only(s, "0123456789")
}

fn has_leading_zero(s: &str) -> bool {
    s.len() > 1 && s.starts_with('0')
}

/// Go's `strconv.ParseUint(s, 10, 64)` on digits, with its error text.
fn parse_uint(s: &str) -> Result<u64, SemverError> {
    if s.is_empty() || !numeric(s) {
        return Err(err(format!(
            "strconv.ParseUint: parsing {}: invalid syntax",
            crate::go::quote(s)
        )));
    }
    s.parse().map_err(|_| {
        err(format!(
            "strconv.ParseUint: parsing {}: value out of range",
            crate::go::quote(s)
        ))
    })
}

fn number(part: &str, name: &str) -> Result<u64, SemverError> {
    let q = crate::go::quote(part);
    if !numeric(part) {
        return Err(err(format!(
            "Invalid character(s) found in {name} number {q}"
        )));
    }
    if has_leading_zero(part) {
        let capital = if name == "major" {
            "Major"
        } else if name == "minor" {
            "Minor"
        } else {
            "Patch"
        };
        return Err(err(format!(
            "{capital} number must not contain leading zeroes {q}"
        )));
    }
    parse_uint(part)
}

impl PreRelease {
    fn parse(s: &str) -> Result<PreRelease, SemverError> {
        if s.is_empty() {
            return Err(err("Prerelease is empty"));
        }
        let q = crate::go::quote(s);
        if numeric(s) {
            if has_leading_zero(s) {
                return Err(err(format!(
                    "Numeric PreRelease version must not contain leading zeroes {q}"
                )));
            }
            return parse_uint(s).map(PreRelease::Numeric);
        }
        if contains_only(s, ALPHANUM) {
            return Ok(PreRelease::Alphanumeric(s.to_string()));
        }
        Err(err(format!("Invalid character(s) found in prerelease {q}")))
    }

    fn compare(&self, other: &PreRelease) -> Ordering {
        match (self, other) {
            (PreRelease::Numeric(a), PreRelease::Numeric(b)) => a.cmp(b),
            (PreRelease::Numeric(_), PreRelease::Alphanumeric(_)) => Ordering::Less,
            (PreRelease::Alphanumeric(_), PreRelease::Numeric(_)) => Ordering::Greater,
            (PreRelease::Alphanumeric(a), PreRelease::Alphanumeric(b)) => a.cmp(b),
        }
    }
}

impl Semver {
    /// `semver.Parse`.
    pub fn parse(s: &str) -> Result<Semver, SemverError> {
        if s.is_empty() {
            return Err(err("Version string empty"));
        }
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        if parts.len() != 3 {
            return Err(err("No Major.Minor.Patch elements found"));
        }
        let major = number(parts[0], "major")?;
        let minor = number(parts[1], "minor")?;
        let mut patch_text = parts[2];
        let mut build = Vec::new();
        if let Some((rest, meta)) = patch_text.split_once('+') {
            build = meta.split('.').map(str::to_string).collect();
            patch_text = rest;
        }
        let mut pre_text = None;
        if let Some((rest, pre)) = patch_text.split_once('-') {
            pre_text = Some(pre);
            patch_text = rest;
        }
        let patch = number(patch_text, "patch")?;
        let pre = match pre_text {
            Some(text) => text
                .split('.')
                .map(PreRelease::parse)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        for meta in &build {
            if meta.is_empty() {
                return Err(err("Buildversion is empty"));
            }
            if !contains_only(meta, ALPHANUM) {
                return Err(err(format!(
                    "Invalid character(s) found in build meta data {}",
                    crate::go::quote(meta)
                )));
            }
        }
        Ok(Semver {
            major,
            minor,
            patch,
            pre,
            build,
        })
    }

    /// `semver(s, true)`: without a leading `v`, leading zeros removed, missing minor and patch
    /// filled in with 0.
    pub fn parse_normalized(s: &str) -> Result<Semver, SemverError> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts: Vec<String> = s
            .splitn(3, '.')
            .map(|p| {
                if p.len() > 1 {
                    let trimmed = p.trim_start_matches('0');
                    if trimmed.is_empty() || !trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                        return format!("0{trimmed}");
                    }
                    return trimmed.to_string();
                }
                p.to_string()
            })
            .collect();
        if parts.len() < 3 {
            if parts.last().is_some_and(|p| p.contains(['+', '-'])) {
                return Err(err(
                    "short version cannot contain PreRelease/Build meta data",
                ));
            }
            while parts.len() < 3 {
                parts.push("0".into());
            }
        }
        Semver::parse(&parts.join("."))
    }

    /// blang's `Compare`: build metadata plays no part.
    pub fn compare(&self, other: &Semver) -> Ordering {
        let numbers =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if numbers != Ordering::Equal {
            return numbers;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let c = a.compare(b);
            if c != Ordering::Equal {
                return c;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, p) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match p {
                PreRelease::Numeric(n) => write!(f, "{n}")?,
                PreRelease::Alphanumeric(s) => f.write_str(s)?,
            }
        }
        for (i, b) in self.build.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            f.write_str(b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        assert!(Semver::parse("1.0.0").is_ok());
        assert!(Semver::parse("0.1.0-alpha.1").is_ok());
        assert!(Semver::parse("200K").is_err());
        assert!(Semver::parse("Three").is_err());
        assert!(Semver::parse("Mi").is_err());
        assert!(Semver::parse("v1.0").is_err());
        assert_eq!(
            Semver::parse_normalized("v1.0.0").unwrap().to_string(),
            "1.0.0"
        );
        assert_eq!(
            Semver::parse_normalized("1.0").unwrap().to_string(),
            "1.0.0"
        );
        assert_eq!(
            Semver::parse_normalized("01.01.01").unwrap().to_string(),
            "1.1.1"
        );
        assert_eq!(
            Semver::parse_normalized("v1.0").unwrap().to_string(),
            "1.0.0"
        );
        let v = Semver::parse("1.2.3").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.compare(&Semver::parse("1.2.3").unwrap()), Ordering::Equal);
        assert_eq!(v.compare(&Semver::parse("2.0.0").unwrap()), Ordering::Less);
        assert_eq!(
            v.compare(&Semver::parse("0.1.2").unwrap()),
            Ordering::Greater
        );
    }

    #[test]
    fn errors_are_blangs() {
        let cases = [
            ("", "Version string empty"),
            ("1.0", "No Major.Minor.Patch elements found"),
            ("a.0.0", "Invalid character(s) found in major number \"a\""),
            (
                "01.0.0",
                "Major number must not contain leading zeroes \"01\"",
            ),
            (
                "1.01.0",
                "Minor number must not contain leading zeroes \"01\"",
            ),
            (
                "1.0.01",
                "Patch number must not contain leading zeroes \"01\"",
            ),
            ("1..0", "strconv.ParseUint: parsing \"\": invalid syntax"),
            (
                "99999999999999999999.0.0",
                "strconv.ParseUint: parsing \"99999999999999999999\": value out of range",
            ),
            ("1.0.0-", "Prerelease is empty"),
            (
                "1.0.0-01",
                "Numeric PreRelease version must not contain leading zeroes \"01\"",
            ),
            (
                "1.0.0-a_b",
                "Invalid character(s) found in prerelease \"a_b\"",
            ),
            ("1.0.0+", "Buildversion is empty"),
            (
                "1.0.0+a+b",
                "Invalid character(s) found in build meta data \"a+b\"",
            ),
            (
                "1.0-x.0",
                "Invalid character(s) found in minor number \"0-x\"",
            ),
            ("1.0-x", "No Major.Minor.Patch elements found"),
        ];
        for (input, want) in cases {
            assert_eq!(
                Semver::parse(input).map(|v| v.to_string()),
                Err(err(want)),
                "{input}"
            );
        }
        assert_eq!(
            Semver::parse_normalized("1.0-x").unwrap_err().to_string(),
            "short version cannot contain PreRelease/Build meta data"
        );
    }

    #[test]
    fn precedence_ignores_build_metadata() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for pair in order.windows(2) {
            let (a, b) = (
                Semver::parse(pair[0]).unwrap(),
                Semver::parse(pair[1]).unwrap(),
            );
            assert_eq!(a.compare(&b), Ordering::Less, "{} < {}", pair[0], pair[1]);
            assert_eq!(b.compare(&a), Ordering::Greater);
        }
        let a = Semver::parse("1.0.0+build.1").unwrap();
        let b = Semver::parse("1.0.0+build.2").unwrap();
        assert_eq!(a.compare(&b), Ordering::Equal);
    }
}
