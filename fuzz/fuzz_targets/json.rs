//! Fuzz target: celd JSON decoding of arbitrary bytes; a decoded value written back as celd
//! JSON must decode to the same JSON again.
#![no_main]

use celd::layers::value::json::{JsonReader, to_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let reader = JsonReader::default();
    let Ok(value) = reader.read(&json) else {
        return;
    };
    let written = to_json(&value);
    let again = reader
        .read(&written)
        .unwrap_or_else(|e| panic!("{written} (written from {json}) does not read back: {e}"));
    assert_eq!(to_json(&again), written, "from {json}");
});
