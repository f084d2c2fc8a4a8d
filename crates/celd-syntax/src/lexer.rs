//! The lexer: CEL source text to a vector of tokens with byte spans (values are decoded later, in `literal`).

use crate::messages;
use crate::source::{Diagnostic, Span};

/// What a token is; its text is the source slice under its span.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TokenKind {
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Ident,
    /// A field name in backquotes: `` `b-c` ``.
    EscapedIdent,
    True,
    False,
    Null,
    In,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    EqEq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    AndAnd,
    OrOr,
    Question,
    Colon,
    Comma,
    Dot,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// Text that is no token; its diagnostic was reported when it was lexed.
    Error,
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Lexes all of `text` into `tokens`, ending with one `Eof` token.
///
/// Problems become `Error` tokens plus diagnostics (at most `max_errors` of them).
pub(crate) fn tokenize(
    text: &str,
    tokens: &mut Vec<Token>,
    diagnostics: &mut Vec<Diagnostic>,
    max_errors: usize,
) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        diagnostics,
        max_errors,
    };
    loop {
        let token = lexer.next_token();
        tokens.push(token);
        if token.kind == TokenKind::Eof {
            break;
        }
    }
}

struct Lexer<'a, 'd> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
    max_errors: usize,
}

impl Lexer<'_, '_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn token(&self, kind: TokenKind, start: usize) -> Token {
        Token {
            kind,
            span: Span::new(start as u32, self.pos as u32),
        }
    }

    fn error(&mut self, span: Span, message: String) {
        if self.diagnostics.len() < self.max_errors {
            self.diagnostics.push(Diagnostic::new(span, message));
        }
    }

    fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        if self.at_end() {
            return self.token(TokenKind::Eof, start);
        }
        let b = self.peek(0);
        match b {
            b'0'..=b'9' => self.number(start),
            b'.' if self.peek(1).is_ascii_digit() => self.number(start),
            b'"' | b'\'' => self.quoted(start, false),
            b'`' => self.escaped_ident(start),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(start),
            _ => self.punctuation(start),
        }
    }

    /// Skips whitespace (`\t \n \f \r` and space) and `//` comments.
    fn skip_trivia(&mut self) {
        loop {
            match self.peek(0) {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => {
                    while !self.at_end() && self.peek(0) != b'\n' {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn punctuation(&mut self, start: usize) -> Token {
        use TokenKind::*;
        let (kind, len) = match (self.peek(0), self.peek(1)) {
            (b'=', b'=') => (EqEq, 2),
            (b'!', b'=') => (NotEq, 2),
            (b'<', b'=') => (LessEq, 2),
            (b'>', b'=') => (GreaterEq, 2),
            (b'&', b'&') => (AndAnd, 2),
            (b'|', b'|') => (OrOr, 2),
            (b'<', _) => (Less, 1),
            (b'>', _) => (Greater, 1),
            (b'!', _) => (Bang, 1),
            (b'+', _) => (Plus, 1),
            (b'-', _) => (Minus, 1),
            (b'*', _) => (Star, 1),
            (b'/', _) => (Slash, 1),
            (b'%', _) => (Percent, 1),
            (b'?', _) => (Question, 1),
            (b':', _) => (Colon, 1),
            (b',', _) => (Comma, 1),
            (b'.', _) => (Dot, 1),
            (b'(', _) => (LParen, 1),
            (b')', _) => (RParen, 1),
            (b'[', _) => (LBracket, 1),
            (b']', _) => (RBracket, 1),
            (b'{', _) => (LBrace, 1),
            (b'}', _) => (RBrace, 1),
            _ => return self.unexpected_character(start),
        };
        self.pos += len;
        self.token(kind, start)
    }

    /// One error token for a character that starts no token.
    fn unexpected_character(&mut self, start: usize) -> Token {
        let c = self.text[start..].chars().next().unwrap_or('\0');
        self.pos += c.len_utf8();
        let span = Span::new(start as u32, self.pos as u32);
        self.error(span, messages::unexpected_character(c));
        self.token(TokenKind::Error, start)
    }

    /// Identifiers, keywords, and the `r`/`b`/`br` prefixes of string literals.
    fn word(&mut self, start: usize) -> Token {
        while matches!(self.peek(0), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_') {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        if matches!(self.peek(0), b'"' | b'\'')
            && let Some(token) = self.prefixed_string(start, word)
        {
            return token;
        }
        let kind = match word {
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            "null" => TokenKind::Null,
            "in" => TokenKind::In,
            _ => TokenKind::Ident,
        };
        self.token(kind, start)
    }

    /// A string or bytes literal whose prefix `word` was just read, or `None` if `word` is no prefix.
    fn prefixed_string(&mut self, start: usize, word: &str) -> Option<Token> {
        let prefix = word.as_bytes();
        let is_raw = |b: u8| b == b'r' || b == b'R';
        let is_bytes = |b: u8| b == b'b' || b == b'B';
        match prefix {
            [r] if is_raw(*r) => Some(self.quoted(start, true)),
            [b] if is_bytes(*b) => Some(self.quoted(start, false)),
            [b, r] if is_bytes(*b) && is_raw(*r) => Some(self.quoted(start, true)),
            [r, b] if is_raw(*r) && is_bytes(*b) => {
                let token = self.quoted(start, true);
                let span = Span::new(start as u32, start as u32 + 2);
                self.error(span, messages::reversed_bytes_prefix(word));
                Some(Token {
                    kind: TokenKind::Error,
                    ..token
                })
            }
            _ => None,
        }
    }

    /// A quoted literal starting at the quote under `self.pos`; `start` includes any prefix.
    fn quoted(&mut self, start: usize, raw: bool) -> Token {
        let quote = self.peek(0);
        let is_bytes = matches!(self.bytes.get(start), Some(b'b' | b'B'));
        let kind = if is_bytes {
            TokenKind::Bytes
        } else {
            TokenKind::String
        };
        let terminated = if self.peek(1) == quote && self.peek(2) == quote {
            self.pos += 3;
            self.skip_triple_quoted_body(quote, raw)
        } else {
            self.pos += 1;
            self.skip_quoted_body(quote, raw)
        };
        self.pos = self.pos.min(self.bytes.len());
        if terminated {
            return self.token(kind, start);
        }
        let span = Span::new(start as u32, start as u32 + 1);
        self.error(span, messages::UNTERMINATED_STRING.to_string());
        self.token(TokenKind::Error, start)
    }

    /// Skips to after the closing quote; false if a line ends first.
    fn skip_quoted_body(&mut self, quote: u8, raw: bool) -> bool {
        loop {
            match self.peek(0) {
                _ if self.at_end() => return false,
                b'\n' | b'\r' => return false,
                b'\\' if !raw => {
                    // An escaped line break is still a line break inside a one-line string.
                    if matches!(self.peek(1), b'\n' | b'\r') {
                        self.pos += 1;
                        return false;
                    }
                    self.pos += 2;
                }
                b if b == quote => {
                    self.pos += 1;
                    return true;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips to after the closing triple quote; false if the text ends first.
    fn skip_triple_quoted_body(&mut self, quote: u8, raw: bool) -> bool {
        loop {
            match self.peek(0) {
                _ if self.at_end() => return false,
                b'\\' if !raw => self.pos += 2,
                b if b == quote && self.peek(1) == quote && self.peek(2) == quote => {
                    self.pos += 3;
                    return true;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// `` `name` ``: letters, digits, `_ . - /` and space, on one line.
    fn escaped_ident(&mut self, start: usize) -> Token {
        self.pos += 1;
        let body_start = self.pos;
        while !self.at_end() && !matches!(self.peek(0), b'`' | b'\n' | b'\r') {
            self.pos += 1;
        }
        if self.peek(0) != b'`' || self.at_end() {
            self.pos = self.pos.min(self.bytes.len());
            let span = Span::new(start as u32, start as u32 + 1);
            self.error(span, messages::UNTERMINATED_ESCAPED_IDENT.to_string());
            return self.token(TokenKind::Error, start);
        }
        let body = &self.text[body_start..self.pos];
        self.pos += 1;
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ' ');
        if let Some(bad) = body.chars().find(|&c| !valid(c)) {
            let span = Span::new(start as u32, self.pos as u32);
            self.error(span, messages::invalid_escaped_ident_char(bad));
            return self.token(TokenKind::Error, start);
        }
        if body.is_empty() {
            let span = Span::new(start as u32, self.pos as u32);
            self.error(span, messages::EMPTY_ESCAPED_IDENT.to_string());
            return self.token(TokenKind::Error, start);
        }
        self.token(TokenKind::EscapedIdent, start)
    }

    /// Ints (`12`, `0x1F`), uints (`12u`, `0x1FU`) and doubles (`1.5`, `.5`, `1e10`, `2.5E-3`).
    ///
    /// Like the reference grammar, a number ends where its form ends: `0xg` is `0` then `xg`.
    fn number(&mut self, start: usize) -> Token {
        if self.peek(0) == b'0'
            && matches!(self.peek(1), b'x' | b'X')
            && self.peek(2).is_ascii_hexdigit()
        {
            self.pos += 2;
            while self.peek(0).is_ascii_hexdigit() {
                self.pos += 1;
            }
            return self.int_or_uint(start);
        }
        self.skip_digits();
        let mut is_double = false;
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.skip_digits();
            is_double = true;
        }
        if self.at_exponent() {
            self.pos += if self.peek(1).is_ascii_digit() { 1 } else { 2 };
            self.skip_digits();
            is_double = true;
        }
        if is_double {
            return self.token(TokenKind::Double, start);
        }
        self.int_or_uint(start)
    }

    fn int_or_uint(&mut self, start: usize) -> Token {
        if matches!(self.peek(0), b'u' | b'U') {
            self.pos += 1;
            return self.token(TokenKind::Uint, start);
        }
        self.token(TokenKind::Int, start)
    }

    fn skip_digits(&mut self) {
        while self.peek(0).is_ascii_digit() {
            self.pos += 1;
        }
    }

    /// An exponent `e`/`E`, an optional sign, then at least one digit.
    fn at_exponent(&self) -> bool {
        matches!(self.peek(0), b'e' | b'E')
            && (self.peek(1).is_ascii_digit()
                || (matches!(self.peek(1), b'+' | b'-') && self.peek(2).is_ascii_digit()))
    }
}
