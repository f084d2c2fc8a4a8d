//! Fuzz target: arbitrary text compiled (checked and unchecked) with every extension and
//! evaluated with small limits and a deadline against fixed variables; the result is written
//! as celd JSON. Nothing may panic, hang or overflow.
#![no_main]

use celd::layers::value::json::to_json;
use celd_fuzz::{ENV, activation, eval, limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let act = activation();
    let limits = limits();
    for program in [ENV.compile(&text), ENV.compile_unchecked(&text)] {
        if let Ok(program) = program {
            if let Ok(value) = eval(&program, &act, &limits) {
                let _ = to_json(&value).to_string();
                let _ = value.to_string();
            }
            let _ = program.dump_plan();
        }
    }
});
