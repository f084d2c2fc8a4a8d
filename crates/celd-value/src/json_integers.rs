//! Integer literals out of range in JSON text. A JSON parser reads an integer beyond the
//! 64-bit range as the nearest double (`100000000000000000001` becomes `1e20`), so the
//! integer a client wrote would silently become another number of another type. This scan
//! of the text finds such literals first: beyond the range of `int` and `uint`, an integer
//! is an error (a double is written with a decimal point or an exponent).

use crate::error::brief;
use crate::json::JsonError;

/// Fails at the first integer literal (no `.`, no exponent) outside the range of `int`
/// (below −2^63) and `uint` (above 2^64 − 1) in the JSON text `text`; strings are skipped.
pub fn check_integer_range(text: &[u8]) -> Result<(), JsonError> {
    let mut i = 0;
    let mut in_string = false;
    while i < text.len() {
        let b = text[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < text.len()
                    && matches!(text[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                check_number(&text[start..i], start)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn check_number(token: &[u8], offset: usize) -> Result<(), JsonError> {
    if token.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return Ok(());
    }
    let (negative, digits) = match token.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, token),
    };
    let digits = std::str::from_utf8(digits).unwrap_or("");
    let fits = match digits.parse::<u128>() {
        Ok(n) if negative => n <= 1u128 << 63,
        Ok(n) => n <= u128::from(u64::MAX),
        // More digits than a u128 holds, or not a number at all (the parser will say so).
        Err(_) => digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()),
    };
    if fits {
        return Ok(());
    }
    let shown = brief(String::from_utf8_lossy(token));
    Err(JsonError {
        path: String::new(),
        message: format!(
            "integer {shown} at byte {offset} is outside the range of int and uint \
             (write a double with a decimal point or an exponent)"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_64_bits_are_errors_and_nothing_else_is() {
        let ok = [
            r#"{"a": 18446744073709551615, "b": -9223372036854775808}"#,
            r#"{"a": 1e400, "b": 100000000000000000000.0, "c": 1E5}"#,
            r#"{"s": "123456789012345678901234567890", "t": "\" 99999999999999999999"}"#,
            r#"[0, -1, 12, "-"]"#,
        ];
        for text in ok {
            assert_eq!(check_integer_range(text.as_bytes()), Ok(()), "{text}");
        }
        let bad = [
            (
                r#"{"a": 18446744073709551616}"#,
                "18446744073709551616 at byte 6",
            ),
            (
                r#"[-9223372036854775809]"#,
                "-9223372036854775809 at byte 1",
            ),
        ];
        for (text, part) in bad {
            let e = check_integer_range(text.as_bytes()).unwrap_err();
            assert!(e.message.contains(part), "{}", e.message);
        }
        let huge = format!("[{}]", "9".repeat(900_000));
        let e = check_integer_range(huge.as_bytes()).unwrap_err();
        assert!(e.message.len() < 300, "the literal is shown cut");
    }
}
