//! Source text, byte spans, line/column lookup and the one diagnostic renderer.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A half-open byte range `start..end` into a [`Source`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column; the column counts Unicode code points.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

/// Expression text plus a description of where it came from (`<input>` by default).
#[derive(Clone, PartialEq, Eq)]
pub struct Source {
    inner: Arc<SourceInner>,
}

#[derive(PartialEq, Eq)]
struct SourceInner {
    name: Cow<'static, str>,
    text: String,
    /// Byte offset of the first character of every line but the first (which starts at 0):
    /// empty for one-line text, so most sources need no table.
    line_starts: Vec<u32>,
}

impl Source {
    pub fn new(text: impl Into<String>) -> Source {
        Source::with_name(Cow::Borrowed("<input>"), text.into())
    }

    pub fn named(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source::with_name(Cow::Owned(name.into()), text.into())
    }

    fn with_name(name: Cow<'static, str>, text: String) -> Source {
        // Collecting no element allocates nothing.
        let line_starts = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i as u32 + 1)
            .collect();
        Source {
            inner: Arc::new(SourceInner {
                name,
                text,
                line_starts,
            }),
        }
    }

    /// Where 0-based line `index` starts.
    fn line_start(&self, index: usize) -> Option<u32> {
        match index {
            0 => Some(0),
            _ => self.inner.line_starts.get(index - 1).copied(),
        }
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text()
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Line and column of a byte offset; offsets past the end map to the end.
    pub fn location(&self, offset: u32) -> Location {
        let text = self.text();
        let offset = (offset as usize).min(text.len());
        // The number of later line starts at or before `offset` is the 0-based line.
        let line_index = self
            .inner
            .line_starts
            .partition_point(|&start| start as usize <= offset);
        let line_start = self.line_start(line_index).unwrap_or(0) as usize;
        let column = text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count());
        Location {
            line: line_index as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// The text of 1-based line `line`, without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let Some(start) = (line as usize)
            .checked_sub(1)
            .and_then(|index| self.line_start(index))
        else {
            return "";
        };
        let end = self
            .line_start(line as usize)
            .map_or(self.text().len(), |next| next as usize - 1);
        let line = &self.text()[start as usize..end];
        line.strip_suffix('\r').unwrap_or(line)
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name())
            .field("text", &self.text())
            .finish()
    }
}

/// One problem found in a source text: a message and the span it points at.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
}

impl Diagnostic {
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            message: message.into(),
        }
    }

    /// Renders `ERROR: <input>:1:5: message`, the source line and a caret line.
    pub fn render(&self, source: &Source) -> String {
        let mut out = String::new();
        self.render_into(source, &mut out);
        out
    }

    pub fn render_into(&self, source: &Source, out: &mut String) {
        use fmt::Write;
        let loc = source.location(self.span.start);
        let _ = write!(
            out,
            "ERROR: {}:{}:{}: {}",
            source.name(),
            loc.line,
            loc.column,
            self.message
        );
        let line = source.line_text(loc.line);
        // Very long lines are cut around the caret so a message stays readable.
        const WINDOW: usize = 120;
        let chars: Vec<char> = line.chars().collect();
        let caret = (loc.column as usize - 1).min(chars.len());
        let from = caret.saturating_sub(WINDOW / 2);
        let to = (from + WINDOW).min(chars.len());
        let excerpt: String = chars[from..to]
            .iter()
            .map(|&c| if c == '\t' { ' ' } else { c })
            .collect();
        let prefix = if from > 0 { "..." } else { "" };
        let _ = write!(out, "\n | {prefix}{excerpt}");
        let pad = caret - from + prefix.len();
        let _ = write!(out, "\n | {}^", ".".repeat(pad));
    }
}

/// Renders a list of diagnostics, one block each, separated by newlines.
pub fn render_all(diagnostics: &[Diagnostic], source: &Source) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        d.render_into(source, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_code_points() {
        let src = Source::new("a\nbé c\n");
        assert_eq!(src.location(0), Location { line: 1, column: 1 });
        assert_eq!(src.location(2), Location { line: 2, column: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(src.location(5), Location { line: 2, column: 3 });
        assert_eq!(src.line_text(2), "bé c");
        assert_eq!(src.location(100), Location { line: 3, column: 1 });
    }

    #[test]
    fn renders_caret_under_the_span() {
        let src = Source::new("1 +");
        let d = Diagnostic::new(Span::new(3, 3), "unexpected end of input");
        assert_eq!(
            d.render(&src),
            "ERROR: <input>:1:4: unexpected end of input\n | 1 +\n | ...^"
        );
    }
}
