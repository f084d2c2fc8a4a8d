//! RE2's syntax on the `regex` crate: a pattern is checked against RE2's grammar and the few
//! constructs both accept with different meanings are rewritten to mean what RE2 means.
//!
//! cel-go (Go's `regexp`) and cel-cpp (RE2) share one syntax, a subset of what the `regex`
//! crate accepts. What this module rejects, each as RE2 does:
//!
//! - stacked repetitions (`a**`, `a++`, `a*+`, `a{2}{3}`): RE2 has no possessive operators
//!   and does not repeat a repetition without a group;
//! - repetition counts over 1,000, and nested counted repetitions whose counts multiply to
//!   more than 1,000 (`(a{100}){100}`);
//! - flags other than `i`, `m`, `s` and `U` (`(?x)`, `(?u)`, `(?R)`);
//! - Unicode classes other than general categories (`\pL`, `\p{Lu}`), scripts by their exact
//!   names (`\p{Greek}`, `\p{Old_Italic}`) and `\p{Any}` — no `\p{Letter}`, `\p{greek}`,
//!   `\p{gc=L}` or binary properties;
//! - `\u0041` and `\U00000041` (RE2 writes `\x{41}`), and `\1`-style backreferences;
//! - capture names other than ASCII letters, digits and `_` (`(?P<a.b>x)`);
//! - nested classes and class set operations (`[a[bc]]`, `[a-z&&[^x]]`, `[a--b]`,
//!   `[a~~b]`), which RE2 would read as literal characters.
//!
//! What it rewrites: `\d`, `\w`, `\s` (and their negations) are ASCII in RE2 (`\s` is
//! `[\t\n\f\r ]`), as are `\b` and `\B`; `\<` and `\>` are the characters `<` and `>`;
//! `\b{start}` is `\b` followed by the text `{start}`, and `a{ 2 }` (with spaces) is `a`
//! followed by the text `{ 2 }`; octal escapes (`\0`, `\012`) are code points.
//!
//! Still rejected though RE2 accepts them (the `regex` crate has no equivalent the rewrite
//! could use, and being stricter is safe): `\Q...\E`, `\C`, `\p{^Greek}`, `a{,3}` and other
//! braces RE2 reads as literal text.

use std::borrow::Cow;

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassPerl, ClassPerlKind, ClassSetBinaryOp, ClassSetItem,
    ClassUnicode, ClassUnicodeKind, Flag, Flags, FlagsItemKind, GroupKind, HexLiteralKind, Literal,
    LiteralKind, Repetition, RepetitionKind, RepetitionRange,
};

/// The largest repetition count, and the largest product of nested counts, RE2 accepts.
pub const MAX_REPEAT: u32 = 1000;

/// A pattern that follows RE2's syntax, in the `regex` crate's syntax with RE2's meaning.
#[derive(Debug)]
pub struct Translated<'p> {
    pub pattern: Cow<'p, str>,
    /// Whether translating the syntax tree to the automaton's form can still fail (Unicode
    /// classes look their tables up only then); when false the pattern is known to be valid.
    pub needs_translation_check: bool,
}

/// Why a pattern is not RE2 syntax: the message, without the "invalid regular expression"
/// prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Re2Error(pub String);

/// Checks `pattern` against RE2's syntax and rewrites it for the `regex` crate.
pub fn translate(pattern: &str) -> Result<Translated<'_>, Re2Error> {
    let parsed = ast::parse::ParserBuilder::new()
        .octal(true)
        .build()
        .parse(pattern)
        .map_err(|e| Re2Error(last_line(&e.to_string()).to_owned()))?;
    let visitor = Re2Visitor {
        pattern,
        edits: Vec::new(),
        budgets: vec![MAX_REPEAT],
        needs_translation_check: false,
    };
    let (mut edits, needs_translation_check) = ast::visit(&parsed, visitor)?;
    if edits.is_empty() {
        return Ok(Translated {
            pattern: Cow::Borrowed(pattern),
            needs_translation_check,
        });
    }
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(pattern.len() + 16 * edits.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&pattern[at..edit.start]);
        out.push_str(&edit.replacement);
        at = edit.end;
    }
    out.push_str(&pattern[at..]);
    Ok(Translated {
        pattern: Cow::Owned(out),
        needs_translation_check,
    })
}

/// The last line of a `regex-syntax` error ("error: unclosed group"), without its label.
pub fn last_line(text: &str) -> &str {
    let last = text.lines().last().unwrap_or(text).trim();
    last.strip_prefix("error: ").unwrap_or(last)
}

/// One replacement of the pattern's bytes `start..end`.
struct Edit {
    start: usize,
    end: usize,
    replacement: Cow<'static, str>,
}

struct Re2Visitor<'p> {
    pattern: &'p str,
    edits: Vec<Edit>,
    /// For each open repetition, how many copies of its operand the counts above it still
    /// allow (RE2's nested-repetition rule), innermost last.
    budgets: Vec<u32>,
    needs_translation_check: bool,
}

impl ast::Visitor for Re2Visitor<'_> {
    type Output = (Vec<Edit>, bool);
    type Err = Re2Error;

    fn finish(self) -> Result<Self::Output, Re2Error> {
        Ok((self.edits, self.needs_translation_check))
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), Re2Error> {
        match ast {
            Ast::Repetition(rep) => self.repetition(rep),
            Ast::ClassPerl(class) => {
                self.perl_class(class);
                Ok(())
            }
            Ast::ClassUnicode(class) => self.unicode_class(class),
            Ast::Assertion(assertion) => {
                self.assertion(assertion);
                Ok(())
            }
            Ast::Literal(literal) => self.literal(literal),
            Ast::Flags(set) => check_flags(self.pattern, &set.flags),
            Ast::Group(group) => match &group.kind {
                GroupKind::CaptureName { name, .. } => check_capture_name(&name.name),
                GroupKind::NonCapturing(flags) => check_flags(self.pattern, flags),
                GroupKind::CaptureIndex(_) => Ok(()),
            },
            _ => Ok(()),
        }
    }

    fn visit_post(&mut self, ast: &Ast) -> Result<(), Re2Error> {
        if matches!(ast, Ast::Repetition(_)) {
            self.budgets.pop();
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), Re2Error> {
        match item {
            ClassSetItem::Bracketed(nested) => Err(Re2Error(format!(
                "'[' inside a character class is a literal in RE2, not a nested class: escape it as \\[ (at {})",
                self.text(nested.span.start.offset, nested.span.end.offset)
            ))),
            ClassSetItem::Perl(class) => {
                self.perl_class(class);
                Ok(())
            }
            ClassSetItem::Unicode(class) => self.unicode_class(class),
            ClassSetItem::Literal(literal) => self.literal(literal),
            _ => Ok(()),
        }
    }

    fn visit_class_set_binary_op_pre(&mut self, op: &ClassSetBinaryOp) -> Result<(), Re2Error> {
        let operator = match op.kind {
            ast::ClassSetBinaryOpKind::Intersection => "&&",
            ast::ClassSetBinaryOpKind::Difference => "--",
            ast::ClassSetBinaryOpKind::SymmetricDifference => "~~",
        };
        Err(Re2Error(format!(
            "'{operator}' inside a character class is literal text in RE2, not a set operation: escape it"
        )))
    }
}

impl Re2Visitor<'_> {
    fn text(&self, start: usize, end: usize) -> &str {
        self.pattern.get(start..end).unwrap_or("")
    }

    fn edit(&mut self, span: ast::Span, replacement: impl Into<Cow<'static, str>>) {
        self.edits.push(Edit {
            start: span.start.offset,
            end: span.end.offset,
            replacement: replacement.into(),
        });
    }

    fn repetition(&mut self, rep: &Repetition) -> Result<(), Re2Error> {
        let budget = self.budgets.last().copied().unwrap_or(MAX_REPEAT);
        if self.is_literal_braces(rep) {
            // `a{ 2 }`: RE2 reads braces that do not form a count as text.
            let text = self.text(rep.op.span.start.offset, rep.op.span.end.offset);
            let escaped = text.replace('{', "\\{").replace('}', "\\}");
            self.edit(rep.op.span, escaped);
            self.budgets.push(budget);
            return Ok(());
        }
        if let Ast::Repetition(inner) = &*rep.ast
            && !self.is_literal_braces(inner)
        {
            let operators = self.text(inner.op.span.start.offset, rep.op.span.end.offset);
            return Err(Re2Error(format!(
                "bad repetition operator: {operators} (RE2 has no possessive or stacked repetitions; group the operand to repeat it)"
            )));
        }
        let copies = match &rep.op.kind {
            RepetitionKind::Range(range) => {
                let (min, max) = match *range {
                    RepetitionRange::Exactly(n) => (n, Some(n)),
                    RepetitionRange::AtLeast(n) => (n, None),
                    RepetitionRange::Bounded(m, n) => (m, Some(n)),
                };
                let op = self.text(rep.op.span.start.offset, rep.op.span.end.offset);
                if min > MAX_REPEAT || max.is_some_and(|n| n > MAX_REPEAT) {
                    return Err(Re2Error(format!(
                        "bad repetition operator: {op} (RE2 allows counts up to {MAX_REPEAT})"
                    )));
                }
                let copies = max.unwrap_or(min);
                if copies > budget {
                    return Err(Re2Error(format!(
                        "bad repetition operator: {op} (nested repetition counts multiply to more than {MAX_REPEAT})"
                    )));
                }
                copies
            }
            _ => 1,
        };
        // A count of 0 removes its operand, however large the counts inside it.
        let inner = budget.checked_div(copies).unwrap_or(MAX_REPEAT);
        self.budgets.push(inner);
        Ok(())
    }

    /// Whether a counted repetition's braces hold spaces (`{ 2 }`), which RE2 reads as text.
    fn is_literal_braces(&self, rep: &Repetition) -> bool {
        matches!(rep.op.kind, RepetitionKind::Range(_))
            && self
                .text(rep.op.span.start.offset, rep.op.span.end.offset)
                .contains(char::is_whitespace)
    }

    /// `\d`, `\w`, `\s` and their negations as RE2's ASCII classes.
    fn perl_class(&mut self, class: &ClassPerl) {
        let ascii = match (&class.kind, class.negated) {
            (ClassPerlKind::Digit, false) => "[0-9]",
            (ClassPerlKind::Digit, true) => "[^0-9]",
            (ClassPerlKind::Word, false) => "[0-9A-Za-z_]",
            (ClassPerlKind::Word, true) => "[^0-9A-Za-z_]",
            (ClassPerlKind::Space, false) => r"[\t\n\x0C\r ]",
            (ClassPerlKind::Space, true) => r"[^\t\n\x0C\r ]",
        };
        self.edit(class.span, ascii);
    }

    fn assertion(&mut self, assertion: &Assertion) {
        let replacement: Cow<'static, str> = match assertion.kind {
            AssertionKind::WordBoundary => r"(?-u:\b)".into(),
            AssertionKind::NotWordBoundary => r"(?-u:\B)".into(),
            AssertionKind::WordBoundaryStartAngle => "<".into(),
            AssertionKind::WordBoundaryEndAngle => ">".into(),
            AssertionKind::WordBoundaryStart
            | AssertionKind::WordBoundaryEnd
            | AssertionKind::WordBoundaryStartHalf
            | AssertionKind::WordBoundaryEndHalf => {
                // `\b{start}`: a word boundary, then the text `{start}`.
                let text = self.text(assertion.span.start.offset + 2, assertion.span.end.offset);
                let escaped = text.replace('{', "\\{").replace('}', "\\}");
                format!(r"(?-u:\b){escaped}").into()
            }
            _ => return,
        };
        self.edit(assertion.span, replacement);
    }

    fn literal(&mut self, literal: &Literal) -> Result<(), Re2Error> {
        let text = self.text(literal.span.start.offset, literal.span.end.offset);
        match &literal.kind {
            LiteralKind::Octal => {
                // `\1` alone is a backreference; `\0`, `\01`, `\012` are octal code points.
                if text.len() == 2 && text != "\\0" {
                    return Err(Re2Error(format!(
                        "backreferences are not supported: {text}"
                    )));
                }
                let code = literal.c as u32;
                self.edit(literal.span, format!("\\x{{{code:X}}}"));
                Ok(())
            }
            LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
                Err(Re2Error(format!(
                    "invalid escape sequence: {text} (RE2 writes code points as \\x{{{:X}}})",
                    literal.c as u32
                )))
            }
            _ => Ok(()),
        }
    }

    fn unicode_class(&mut self, class: &ClassUnicode) -> Result<(), Re2Error> {
        self.needs_translation_check = true;
        let known = match &class.kind {
            ClassUnicodeKind::OneLetter(c) => GENERAL_CATEGORIES.contains(&c.to_string().as_str()),
            ClassUnicodeKind::Named(name) => {
                name == "Any"
                    || GENERAL_CATEGORIES.contains(&name.as_str())
                    || SCRIPTS.binary_search(&name.as_str()).is_ok()
            }
            ClassUnicodeKind::NamedValue { .. } => false,
        };
        if known {
            return Ok(());
        }
        Err(Re2Error(format!(
            "invalid character class range: {} (RE2 knows general categories such as L or Lu, scripts such as Greek, and Any)",
            self.text(class.span.start.offset, class.span.end.offset)
        )))
    }
}

fn check_flags(pattern: &str, flags: &Flags) -> Result<(), Re2Error> {
    for item in &flags.items {
        if let FlagsItemKind::Flag(Flag::Unicode | Flag::IgnoreWhitespace | Flag::CRLF) = item.kind
        {
            let written = pattern
                .get(item.span.start.offset..item.span.end.offset)
                .unwrap_or("");
            return Err(Re2Error(format!(
                "invalid or unsupported Perl syntax: flag '{written}' (RE2's flags are i, m, s and U)"
            )));
        }
    }
    Ok(())
}

fn check_capture_name(name: &str) -> Result<(), Re2Error> {
    if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Ok(());
    }
    Err(Re2Error(format!(
        "invalid named capture group: {name} (RE2's names are ASCII letters, digits and _)"
    )))
}

/// Unicode general categories as RE2 names them.
const GENERAL_CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Unicode scripts by their exact names (Unicode 16, the version of the `regex` crate's
/// tables), sorted.
const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Garay",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Gurung_Khema",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Kirat_Rai",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Ol_Onal",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Sunuwar",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Todhri",
    "Toto",
    "Tulu_Tigalari",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_names_are_sorted_for_the_binary_search() {
        assert!(SCRIPTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn patterns_without_rewrites_are_borrowed() {
        let plain = translate("^[a-z]+(?:x|y)*$").unwrap();
        assert!(matches!(plain.pattern, Cow::Borrowed(_)));
        assert!(!plain.needs_translation_check);
        let rewritten = translate(r"\d+\b\012").unwrap();
        assert_eq!(rewritten.pattern, r"[0-9]+(?-u:\b)\x{A}");
        assert!(translate(r"\pL").unwrap().needs_translation_check);
    }
}
