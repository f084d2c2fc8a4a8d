//! The encoders extension: `base64.encode` and `base64.decode` (standard alphabet; decoding
//! also accepts input without padding, as cel-go does).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use celd_value::{EvalError, Result, Value};

use super::check_string_len;
use crate::functions::{Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    r.unary("base64.encode", encode);
    r.unary("base64.decode", decode);
}

fn encode(v: &Value) -> Result<Value> {
    let Value::Bytes(bytes) = v else {
        return Err(no_such_overload("base64.encode", std::slice::from_ref(v)));
    };
    check_string_len(bytes.len().div_ceil(3).saturating_mul(4))?;
    Ok(Value::from(STANDARD.encode(bytes)))
}

fn decode(v: &Value) -> Result<Value> {
    let Value::String(text) = v else {
        return Err(no_such_overload("base64.decode", std::slice::from_ref(v)));
    };
    // Go's decoder skips line breaks; so does this one.
    let text: std::borrow::Cow<'_, str> = if text.contains(['\r', '\n']) {
        text.replace(['\r', '\n'], "").into()
    } else {
        (&**text).into()
    };
    STANDARD
        .decode(&*text)
        .or_else(|_| STANDARD_NO_PAD.decode(&*text))
        .map(|bytes| Value::bytes(&bytes))
        .map_err(|e| EvalError::invalid_argument(format!("invalid base64 data: {e}")))
}
