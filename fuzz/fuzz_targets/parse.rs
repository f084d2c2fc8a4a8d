//! Fuzz target: arbitrary bytes (UTF-8, lossily) through the parser; whatever parses must
//! print to text that parses again.
#![no_main]

use celd::layers::syntax::{ParseOptions, Source, parse, print};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = ParseOptions::default();
    if let Ok(ast) = parse(Source::new(text.as_ref()), &options) {
        let printed = print(&ast);
        if let Err(e) = parse(Source::new(printed.as_str()), &options) {
            // Printing may add parentheses that pass the depth limit; anything else is a bug.
            assert!(
                e.kind() == celd::layers::syntax::ParseErrorKind::Limit,
                "{text:?} printed as {printed:?}, which does not parse: {e}"
            );
        }
    }
});
