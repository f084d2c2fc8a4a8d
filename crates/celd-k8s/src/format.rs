//! The named formats of `format.named()` and `format.<name>()`, and their `validate()`
//! messages, worded as `k8s.io/apimachinery/pkg/util/validation` and kube-openapi's `strfmt`
//! word them.

use std::sync::LazyLock;

use regex::Regex;

/// A named format (`kubernetes.NamedFormat`); equal when the names are.
#[derive(Clone, Copy, Debug)]
pub struct NamedFormat {
    /// The name `format.named()` takes (`dns1123Label`).
    pub name: &'static str,
    /// The regular expression size Kubernetes assumes in its cost estimate.
    pub max_regex_size: u64,
    validate: fn(&str) -> Vec<String>,
}

impl PartialEq for NamedFormat {
    fn eq(&self, other: &NamedFormat) -> bool {
        self.name == other.name
    }
}

impl Eq for NamedFormat {}

impl NamedFormat {
    /// The messages for a value that does not have the format; empty when it does.
    pub fn validate(&self, value: &str) -> Vec<String> {
        (self.validate)(value)
    }

    /// The format with this name, as `format.named(name)` finds it.
    pub fn named(name: &str) -> Option<NamedFormat> {
        FORMATS.iter().copied().find(|f| f.name == name)
    }
}

const QNAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QNAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const UUID_PATTERN: &str = "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$";
const BASE64_PATTERN: &str =
    "^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=|[A-Za-z0-9+\\/]{4})$";
const DATE_TIME_PATTERN: &str =
    "^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$";
/// `uri`'s regex size. Kubernetes charges the length of govalidator's URL pattern (a composed
/// pattern of more than a thousand characters, which differs between govalidator releases); the
/// static estimate's figure for every named format (`MaxNameFormatRegexSize`) stands in for it.
const URL_PATTERN_LEN: u64 = crate::cost::MAX_NAME_FORMAT_REGEX_SIZE;

fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("a valid built-in pattern")
}

static QNAME: LazyLock<Regex> = LazyLock::new(|| anchored(QNAME_FMT));
static LABEL_VALUE: LazyLock<Regex> = LazyLock::new(|| anchored(LABEL_VALUE_FMT));
static DNS1123_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_LABEL_FMT));
static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_SUBDOMAIN_FMT));
static DNS1035_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1035_LABEL_FMT));
static UUID: LazyLock<Regex> = LazyLock::new(|| Regex::new(UUID_PATTERN).expect("valid"));
static BASE64: LazyLock<Regex> = LazyLock::new(|| Regex::new(BASE64_PATTERN).expect("valid"));
static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(DATE_TIME_PATTERN).expect("valid"));

/// `validation.RegexError`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{example}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// `validation.IsDNS1123Label`.
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !DNS1123_LABEL.is_match(value) {
        if DNS1123_SUBDOMAIN.is_match(value) {
            errs.push("must not contain dots".into());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `validation.IsDNS1123Subdomain`.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !DNS1123_SUBDOMAIN.is_match(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `validation.IsDNS1035Label`.
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !DNS1035_LABEL.is_match(value) {
        errs.push(regex_error(
            DNS1035_LABEL_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `validation.IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".into());
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QNAME_MSG, QNAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !QNAME.is_match(name) {
        errs.push(format!(
            "name part {}",
            regex_error(QNAME_MSG, QNAME_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

/// `validation.IsValidLabelValue`.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !LABEL_VALUE.is_match(value) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `maskTrailingDash`: a name that will have a suffix appended may end in `-`. Kubernetes
/// replaces the last *two* characters by `a`, and this does the same.
fn mask_trailing_dash(name: &str) -> String {
    if name.len() > 1 && name.ends_with('-') {
        let mut cut = name.len() - 2;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        return format!("{}a", &name[..cut]);
    }
    name.to_string()
}

/// `strfmt`'s `date`: Go's `time.Parse("2006-01-02", s)`.
pub fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i16> {
        value
            .get(r)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let Ok(month) = i8::try_from(month) else {
        return false;
    };
    let Ok(day) = i8::try_from(day) else {
        return false;
    };
    jiff::civil::Date::new(year, month, day).is_ok()
}

/// `strfmt`'s `datetime` check (`IsDateTime`), quirks included: the text is split at every
/// `t` (case-insensitively) and only the first two pieces are looked at.
pub fn is_datetime(value: &str) -> bool {
    if value.len() < 4 {
        return false;
    }
    let lower = value.to_lowercase();
    let pieces: Vec<&str> = lower.split('t').collect();
    if pieces.len() < 2 || !is_date(pieces[0]) {
        return false;
    }
    let Some(m) = DATE_TIME.captures(pieces[1]) else {
        return false;
    };
    &m[1] <= "23" && &m[2] <= "59" && &m[3] <= "59"
}

fn messages_if(failed: bool, message: &str) -> Vec<String> {
    if failed {
        vec![message.to_string()]
    } else {
        Vec::new()
    }
}

/// Every named format, in the order Kubernetes documents them.
pub static FORMATS: &[NamedFormat] = &[
    NamedFormat {
        name: "dns1123Label",
        max_regex_size: 30,
        validate: is_dns1123_label,
    },
    NamedFormat {
        name: "dns1123Subdomain",
        max_regex_size: 60,
        validate: is_dns1123_subdomain,
    },
    NamedFormat {
        name: "dns1035Label",
        max_regex_size: 30,
        validate: is_dns1035_label,
    },
    NamedFormat {
        name: "qualifiedName",
        max_regex_size: 60,
        validate: is_qualified_name,
    },
    NamedFormat {
        name: "dns1123LabelPrefix",
        max_regex_size: 30,
        validate: |s| is_dns1123_label(&mask_trailing_dash(s)),
    },
    NamedFormat {
        name: "dns1123SubdomainPrefix",
        max_regex_size: 60,
        validate: |s| is_dns1123_subdomain(&mask_trailing_dash(s)),
    },
    NamedFormat {
        name: "dns1035LabelPrefix",
        max_regex_size: 30,
        validate: |s| is_dns1035_label(&mask_trailing_dash(s)),
    },
    NamedFormat {
        name: "labelValue",
        max_regex_size: 40,
        validate: is_valid_label_value,
    },
    NamedFormat {
        name: "uri",
        max_regex_size: URL_PATTERN_LEN,
        validate: |s| match crate::url::GoUrl::parse_request_uri(s) {
            Ok(_) => Vec::new(),
            Err(e) => vec![e.to_string()],
        },
    },
    NamedFormat {
        name: "uuid",
        max_regex_size: UUID_PATTERN.len() as u64,
        validate: |s| messages_if(!UUID.is_match(s), "does not match the UUID format"),
    },
    NamedFormat {
        name: "byte",
        max_regex_size: BASE64_PATTERN.len() as u64,
        validate: |s| messages_if(!BASE64.is_match(s), "invalid base64"),
    },
    NamedFormat {
        name: "date",
        max_regex_size: DATE_TIME_PATTERN.len() as u64,
        validate: |s| messages_if(!is_date(s), "invalid date"),
    },
    NamedFormat {
        name: "datetime",
        max_regex_size: DATE_TIME_PATTERN.len() as u64,
        validate: |s| messages_if(!is_datetime(s), "invalid datetime"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(name: &str, value: &str) -> Vec<String> {
        NamedFormat::named(name)
            .unwrap_or_else(|| panic!("{name}"))
            .validate(value)
    }

    #[test]
    fn documented_examples_are_valid() {
        let cases = [
            ("dns1123Label", "my-label-name"),
            ("dns1123Subdomain", "apiextensions.k8s.io"),
            ("dns1035Label", "my-label-name"),
            ("qualifiedName", "apiextensions.k8s.io/v1beta1"),
            ("dns1123LabelPrefix", "my-label-prefix-"),
            ("dns1123SubdomainPrefix", "mysubdomain.prefix.-"),
            ("dns1035LabelPrefix", "my-label-prefix-"),
            ("uri", "http://example.com"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000"),
            ("byte", "aGVsbG8="),
            ("date", "2021-01-01"),
            ("datetime", "2021-01-01T00:00:00Z"),
            ("labelValue", "my-cool-label-Value"),
            ("dns1123Subdomain", "example.com"),
            ("qualifiedName", "my.name"),
            ("labelValue", ""),
            ("uuid", "123E4567E89B12D3A456426614174000"),
            ("datetime", "2021-01-01t10:20:30.5+01:00"),
            ("date", "2020-02-29"),
        ];
        for (name, value) in cases {
            assert_eq!(
                validate(name, value),
                Vec::<String>::new(),
                "{name} {value}"
            );
        }
        assert!(NamedFormat::named("unknown").is_none());
        assert!(NamedFormat::named("portName").is_none());
        assert_eq!(FORMATS.len(), 13);
    }

    #[test]
    fn messages_are_kubernetes() {
        let label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
        let subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        let dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        let qname = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        let label_value = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        let cases: [(&str, &str, Vec<&str>); 12] = [
            ("dns1123Label", "contains a space", vec![label]),
            ("dns1123Subdomain", "contains a space", vec![subdomain]),
            ("dns1035Label", "contains a space", vec![dns1035]),
            ("qualifiedName", "contains a space", vec![qname]),
            ("dns1123LabelPrefix", "contains a space-", vec![label]),
            (
                "dns1123SubdomainPrefix",
                "contains a space-",
                vec![subdomain],
            ),
            ("dns1035LabelPrefix", "contains a space-", vec![dns1035]),
            (
                "labelValue",
                "my-cool-label-Value!!\n\n!!!",
                vec![label_value],
            ),
            ("byte", "aGVsbG8", vec!["invalid base64"]),
            ("date", "2020-01-32", vec!["invalid date"]),
            ("datetime", "2020-01-32T00:00:00Z", vec!["invalid datetime"]),
            ("dns1123Label", "a.b", vec!["must not contain dots"]),
        ];
        for (name, value, want) in cases {
            assert_eq!(validate(name, value), want, "{name} {value:?}");
        }
        assert_eq!(
            validate("dns1123Label", &"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        assert_eq!(
            validate("qualifiedName", "a/b/c")[0],
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        );
        assert_eq!(
            validate("qualifiedName", "/x"),
            vec!["prefix part must be non-empty"]
        );
        assert_eq!(
            validate("uri", "../x"),
            vec!["parse \"../x\": invalid URI for request"]
        );
        assert_eq!(
            validate("uuid", "nope"),
            vec!["does not match the UUID format"]
        );
        assert_eq!(validate("byte", ""), vec!["invalid base64"]);
        assert_eq!(validate("date", "2021-02-29"), vec!["invalid date"]);
        assert_eq!(
            validate("datetime", "2021-01-01T24:00:00Z"),
            vec!["invalid datetime"]
        );
    }

    #[test]
    fn the_trailing_dash_mask_drops_two_characters() {
        assert_eq!(mask_trailing_dash("abc-"), "aba");
        assert_eq!(mask_trailing_dash("-"), "-");
        assert_eq!(mask_trailing_dash("é-"), "a");
        assert_eq!(validate("dns1123LabelPrefix", "a-"), Vec::<String>::new());
    }

    #[test]
    fn datetime_reads_only_the_first_two_pieces() {
        assert!(is_datetime("2021-01-01T00:00:00ZTanything"));
        assert!(!is_datetime("2021-01-01"));
        assert!(!is_datetime("2021-01-01T00:00:00"));
    }
}
