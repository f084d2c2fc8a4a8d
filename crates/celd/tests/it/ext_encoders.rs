//! The encoders extension: base64.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn encode() {
    check_all(&[
        ("base64.encode(b'hello')", r#""aGVsbG8=""#),
        ("base64.encode(b'')", r#""""#),
        ("base64.encode(b'\\xff\\xfe')", r#""//4=""#),
        (
            "base64.encode(dyn('hello'))",
            "error: no such overload: base64.encode(string)",
        ),
    ]);
}

#[test]
fn decode() {
    check_all(&[
        ("base64.decode('aGVsbG8=')", r#"b"hello""#),
        ("base64.decode('aGVsbG8')", r#"b"hello""#),
        ("base64.decode('aGVs\\nbG8=')", r#"b"hello""#),
        ("base64.decode('')", r#"b"""#),
        ("base64.decode('//4=')", r#"b"\xff\xfe""#),
        (
            "base64.decode(base64.encode(b'Hello World!'))",
            r#"b"Hello World!""#,
        ),
        (
            "base64.decode('a*b')",
            "error: invalid base64 data: Invalid symbol 42, offset 1.",
        ),
        (
            "base64.decode('aGVsbG8==')",
            "error: invalid base64 data: Invalid symbol 61, offset 7.",
        ),
        (
            "base64.decode(dyn(b'aGVsbG8='))",
            "error: no such overload: base64.decode(bytes)",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        (
            "base64.encode('hello')",
            "error: no such overload: base64.encode(string)",
        ),
        (
            "base64.decode(1)",
            "error: no such overload: base64.decode(int)",
        ),
    ]);
}
