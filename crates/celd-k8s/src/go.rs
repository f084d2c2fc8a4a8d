//! The few pieces of Go's standard library whose exact behaviour Kubernetes' answers depend on:
//! `strconv.Quote` (it words error messages) and `time.ParseDuration`.

use std::fmt::Write;

/// `strconv.Quote`: double quotes, Go's escapes for control and unprintable characters.
///
/// Go decides "printable" by Unicode category; this follows it for the characters that occur in
/// practice (controls, the separators other than the ASCII space, and the format characters
/// U+00AD, U+061C, U+180E, U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+FEFF).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// A string as Go's `encoding/json` writes it: `<`, `>` and `&` escaped for HTML, as well as
/// U+2028 and U+2029; the other controls as `\n`, `\r`, `\t` or `\u00XX`.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    let format_char = matches!(c as u32,
        0xAD | 0x61C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF);
    !(c.is_control() || c.is_whitespace() || format_char)
}

/// Why `time.ParseDuration` refused a string; `Display` is Go's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError(String);

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Go's `time.ParseDuration`, in nanoseconds: `"1h30m"`, `"-1.5s"`, `"300ms"`, `"0"`.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError(format!("time: invalid duration {}", quote(text)));
    let mut s = text;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_digits, rest) = s.split_at(int_len);
        let overflow = || DurationError(format!("time: invalid duration {}", quote(text)));
        let mut v: u64 = 0;
        for b in int_digits.bytes() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .filter(|v| *v <= 1 << 63)
                .ok_or_else(overflow)?;
        }
        s = rest;
        let mut frac: u64 = 0;
        let mut scale = 1.0f64;
        let mut frac_len = 0;
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            frac_len = s.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflowed = false;
            for b in s[..frac_len].bytes() {
                if overflowed {
                    continue;
                }
                if frac > (1 << 63) / 10 {
                    overflowed = true;
                    continue;
                }
                frac = frac * 10 + u64::from(b - b'0');
                scale *= 10.0;
            }
            s = &s[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(DurationError(format!(
                "time: missing unit in duration {}",
                quote(text)
            )));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let unit_ns: u64 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(DurationError(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit),
                    quote(text)
                )));
            }
        };
        if v > (1 << 63) / unit_ns {
            return Err(overflow());
        }
        v *= unit_ns;
        if frac > 0 {
            v += (frac as f64 * (unit_ns as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(overflow());
            }
        }
        total = total
            .checked_add(v)
            .filter(|t| *t <= 1 << 63)
            .ok_or_else(overflow)?;
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    if total > i64::MAX as u64 {
        return Err(invalid());
    }
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_like_go() {
        assert_eq!(
            json_string("a<b> & \"c\"\n\u{1}\u{2028}é"),
            "\"a\\u003cb\\u003e \\u0026 \\\"c\\\"\\n\\u0001\\u2028é\""
        );
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("tab\there\u{1}"), r#""tab\there\x01""#);
        assert_eq!(quote("café"), "\"café\"");
        assert_eq!(quote("\u{200b}"), r#""\u200b""#);
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("-1.5s"), Ok(-1_500_000_000));
        assert_eq!(parse_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_duration("1µs1ns"), Ok(1_001));
        assert_eq!(parse_duration(".5m"), Ok(30_000_000_000));
        assert_eq!(
            parse_duration("1"),
            Err(DurationError("time: missing unit in duration \"1\"".into()))
        );
        assert_eq!(
            parse_duration("1d"),
            Err(DurationError(
                "time: unknown unit \"d\" in duration \"1d\"".into()
            ))
        );
        assert!(parse_duration("").is_err());
        assert!(parse_duration(".s").is_err());
        assert!(parse_duration("9999999999h").is_err());
        assert_eq!(parse_duration("2562047h47m16.854775807s"), Ok(i64::MAX));
        assert_eq!(parse_duration("-2562047h47m16.854775808s"), Ok(i64::MIN));
    }
}
