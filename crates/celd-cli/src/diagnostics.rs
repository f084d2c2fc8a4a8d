//! Errors on stderr, coloured on a terminal: `ERROR:` and `celd:` in red, the caret in green.
//! No colour when stderr is not a terminal or `NO_COLOR` is set (`CLICOLOR_FORCE=1` forces it),
//! as anstream decides.

use std::io::Write;

use anstyle::{AnsiColor, Style};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const CARET: Style = AnsiColor::Green.on_default().bold();

/// Writes a rendered diagnostic (`ERROR: <input>:1:5: ...`, the source line, the caret line).
pub fn print_error(rendered: &str) {
    let mut err = anstream::stderr().lock();
    for line in rendered.lines() {
        let _ = match (line.strip_prefix("ERROR:"), caret_line(line)) {
            (Some(rest), _) => writeln!(err, "{ERROR}ERROR:{ERROR:#}{rest}"),
            (None, Some(dots)) => writeln!(err, " | {dots}{CARET}^{CARET:#}"),
            (None, None) => writeln!(err, "{line}"),
        };
    }
}

/// A usage error: `celd: message`.
pub fn print_usage_error(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}celd:{ERROR:#} {message}");
}

/// The dots of a caret line ` | ....^`.
fn caret_line(line: &str) -> Option<&str> {
    let dots = line.strip_prefix(" | ")?.strip_suffix('^')?;
    dots.bytes().all(|b| b == b'.').then_some(dots)
}
