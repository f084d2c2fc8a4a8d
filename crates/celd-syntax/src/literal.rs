//! Decoding of literal token text: numbers, and strings and bytes with their escape sequences.

use std::sync::Arc;

use smol_str::SmolStr;

use crate::ast::Literal;
use crate::messages;
use crate::source::{Diagnostic, Span};

/// The magnitude of an int literal (`123`, `0x7B`); `None` if it does not fit in a `u64`.
pub(crate) fn int_magnitude(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The value of a uint literal (`123u`, `0x7BU`); `None` if it does not fit in a `u64`.
pub(crate) fn uint_value(text: &str) -> Option<u64> {
    int_magnitude(text.strip_suffix(['u', 'U']).unwrap_or(text))
}

/// The value of a double literal; `None` if it is too large to be finite.
pub(crate) fn double_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|value| value.is_finite())
}

/// Decodes a string or bytes token (`'a'`, `r"\d"`, `b'''x'''`, ...) starting at byte `offset`.
pub(crate) fn decode_quoted(text: &str, offset: u32) -> Result<Literal, Diagnostic> {
    let prefix_len = text.find(['\'', '"']).unwrap_or(0);
    let prefix = text.get(..prefix_len).unwrap_or("");
    let is_bytes = prefix.contains(['b', 'B']);
    let is_raw = prefix.contains(['r', 'R']);
    let quoted = text.get(prefix_len..).unwrap_or("");
    let quote_len =
        if quoted.len() >= 6 && (quoted.starts_with("'''") || quoted.starts_with("\"\"\"")) {
            3
        } else {
            1
        };
    let body = quoted
        .get(quote_len..quoted.len().saturating_sub(quote_len))
        .unwrap_or("");
    let body_offset = offset + (prefix_len + quote_len) as u32;
    let decoded = if is_raw {
        normalize_newlines(body).into_bytes()
    } else if !body.contains(['\\', '\r']) {
        return Ok(plain_literal(body, is_bytes));
    } else {
        unescape(body, body_offset, is_bytes)?
    };
    if is_bytes {
        return Ok(Literal::Bytes(Arc::from(decoded)));
    }
    let string = String::from_utf8(decoded).map_err(|_| {
        let span = Span::new(offset, offset + text.len() as u32);
        Diagnostic::new(span, messages::INVALID_UTF8_STRING)
    })?;
    Ok(Literal::String(SmolStr::from(string)))
}

fn plain_literal(body: &str, is_bytes: bool) -> Literal {
    if is_bytes {
        Literal::Bytes(Arc::from(body.as_bytes()))
    } else {
        Literal::String(SmolStr::new(body))
    }
}

/// Line breaks inside literals are `\n`, whether the source used `\r\n`, `\r` or `\n`.
fn normalize_newlines(body: &str) -> String {
    if body.contains('\r') {
        body.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        body.to_string()
    }
}

/// One decoded escape: a code point (UTF-8 encoded in the output) or a raw byte (bytes literals only).
enum Unit {
    Char(char),
    Byte(u8),
}

/// Decodes escapes and line breaks; for strings the result is UTF-8.
fn unescape(body: &str, body_offset: u32, is_bytes: bool) -> Result<Vec<u8>, Diagnostic> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\r' => {
                out.push(b'\n');
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\\' => {
                let rest = bytes.get(i..).unwrap_or(&[]);
                let (unit, len) = escape(rest, is_bytes)
                    .map_err(|error| escape_diagnostic(body, body_offset, i, error))?;
                push_unit(&mut out, unit);
                i += len;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn push_unit(out: &mut Vec<u8>, unit: Unit) {
    match unit {
        Unit::Byte(b) => out.push(b),
        Unit::Char(c) => {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Why an escape failed, and how many bytes of it to quote in the message.
enum EscapeError {
    Invalid(usize),
    NotACodePoint(usize),
    LongUnicodeInBytes,
}

fn escape_diagnostic(body: &str, body_offset: u32, at: usize, error: EscapeError) -> Diagnostic {
    let len = match error {
        EscapeError::Invalid(len) | EscapeError::NotACodePoint(len) => len,
        EscapeError::LongUnicodeInBytes => 2,
    };
    let mut end = (at + len).min(body.len());
    while !body.is_char_boundary(end) {
        end += 1;
    }
    let sequence = body.get(at..end).unwrap_or("\\");
    let span = Span::new(body_offset + at as u32, body_offset + end as u32);
    let message = match error {
        EscapeError::Invalid(_) => messages::invalid_escape(sequence),
        EscapeError::NotACodePoint(_) => messages::escape_not_a_code_point(sequence),
        EscapeError::LongUnicodeInBytes => messages::LONG_UNICODE_ESCAPE_IN_BYTES.to_string(),
    };
    Diagnostic::new(span, message)
}

/// Decodes the escape at the start of `s` (which starts with a backslash); returns it and its length.
fn escape(s: &[u8], is_bytes: bool) -> Result<(Unit, usize), EscapeError> {
    let Some(&c) = s.get(1) else {
        return Err(EscapeError::Invalid(1));
    };
    let simple = match c {
        b'a' => Some(b'\x07'),
        b'b' => Some(b'\x08'),
        b'f' => Some(b'\x0c'),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(b'\x0b'),
        b'\\' | b'\'' | b'"' | b'`' | b'?' => Some(c),
        _ => None,
    };
    if let Some(b) = simple {
        return Ok((Unit::Byte(b), 2));
    }
    match c {
        b'x' | b'X' => {
            let value = hex_digits(s, 2)?;
            Ok((byte_or_char(value, is_bytes), 4))
        }
        b'u' => Ok((Unit::Char(code_point(hex_digits(s, 4)?, 6)?), 6)),
        b'U' if is_bytes => Err(EscapeError::LongUnicodeInBytes),
        b'U' => Ok((Unit::Char(code_point(hex_digits(s, 8)?, 10)?), 10)),
        b'0'..=b'3' => {
            let value = octal_digits(s)?;
            Ok((byte_or_char(value, is_bytes), 4))
        }
        _ => Err(EscapeError::Invalid(2)),
    }
}

/// `\x` and octal escapes are bytes in bytes literals and code points (below 256) in strings.
fn byte_or_char(value: u32, is_bytes: bool) -> Unit {
    let byte = value as u8;
    if is_bytes {
        Unit::Byte(byte)
    } else {
        Unit::Char(char::from(byte))
    }
}

/// The value of `n` hex digits after the two-byte escape introducer.
fn hex_digits(s: &[u8], n: usize) -> Result<u32, EscapeError> {
    let mut value = 0u32;
    for i in 0..n {
        let digit = s
            .get(2 + i)
            .and_then(|&b| char::from(b).to_digit(16))
            .ok_or(EscapeError::Invalid(3 + i))?;
        value = value << 4 | digit;
    }
    Ok(value)
}

/// `\[0-3][0-7][0-7]`: the backslash and first digit are at `s[0..2]`.
fn octal_digits(s: &[u8]) -> Result<u32, EscapeError> {
    let mut value = 0u32;
    for i in 1..4 {
        let digit = s
            .get(i)
            .and_then(|&b| char::from(b).to_digit(8))
            .ok_or(EscapeError::Invalid(i + 1))?;
        value = value * 8 + digit;
    }
    Ok(value)
}

/// Surrogates and values above U+10FFFF are no code points.
fn code_point(value: u32, len: usize) -> Result<char, EscapeError> {
    char::from_u32(value).ok_or(EscapeError::NotACodePoint(len))
}
