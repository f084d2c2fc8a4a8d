//! The encoders extension: base64.

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov("base64.decode", "base64_decode_string", "(string) -> bytes"),
    ov("base64.encode", "base64_encode_bytes", "(bytes) -> string"),
];
