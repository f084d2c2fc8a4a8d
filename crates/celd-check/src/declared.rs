//! Declared types: CEL type syntax whose names resolve through the environment, as
//! identifiers in expressions do — in the container, against the library's type names, the
//! message and enum types loaded, and whatever else the environment declares.

use celd_types::suggest::{did_you_mean, hint};
use celd_types::{Type, TypeErrorKind, TypeParseError, candidate_names, parse_type_with};

use crate::env::EnvInner;

/// The names type syntax itself knows, for hints (`integr` → `int`).
const KEYWORDS: &[&str] = &[
    "dyn",
    "null_type",
    "bool",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "timestamp",
    "duration",
    "any",
    "list",
    "map",
    "type",
    "wrapper",
];

impl EnvInner {
    /// Parses `text` as a CEL type, each name resolved in `container`.
    pub(crate) fn parse_type(&self, text: &str, container: &str) -> Result<Type, TypeParseError> {
        parse_type_with(text, &mut |name, params| {
            self.resolve_type_name(name, params, container)
        })
    }

    fn resolve_type_name(
        &self,
        name: &str,
        params: Vec<Type>,
        container: &str,
    ) -> Result<Type, TypeParseError> {
        for candidate in candidate_names(container, name) {
            if let Some(ty) = self.named_type(&candidate, params.len())? {
                return Ok(with_params(ty, params));
            }
        }
        Err(self.unknown_type(name, container))
    }

    /// The type `name` (fully qualified) denotes with `n_params` parameters, if it names one.
    fn named_type(&self, name: &str, n_params: usize) -> Result<Option<Type>, TypeParseError> {
        let found = match self.type_names.get(name) {
            Some(ty) => Some(ty.clone()),
            None => self.provider.message_type(name).or_else(|| {
                let strong = self.options.strong_enums;
                self.provider.find_enum(name).map(|e| match strong {
                    true => Type::enum_type(e.full_name()),
                    false => Type::Int,
                })
            }),
        };
        let Some(ty) = found else {
            return Ok(None);
        };
        let takes = match &ty {
            Type::Opaque(o) => o.params.len(),
            _ => 0,
        };
        if takes != n_params {
            let message = format!("'{name}' takes {takes} type parameter(s)");
            return Err(TypeParseError::unknown(TypeErrorKind::Syntax, message));
        }
        Ok(Some(ty))
    }

    fn unknown_type(&self, name: &str, container: &str) -> TypeParseError {
        let known = self.known_type_names(container);
        let suggestion = did_you_mean(name, known.iter().map(String::as_str));
        let last = name.rsplit('.').next().unwrap_or(name);
        let message_like = name.contains('.') || last.starts_with(|c: char| c.is_ascii_uppercase());
        match (suggestion, message_like) {
            (None, true) => TypeParseError::unknown(
                TypeErrorKind::UnknownMessage,
                format!("unknown message type '{name}'"),
            ),
            (suggestion, _) => TypeParseError::unknown(
                TypeErrorKind::UnknownType,
                format!("unknown type '{name}'{}", hint(suggestion)),
            ),
        }
    }

    /// Every type name the environment knows, and each as it may be written in `container`
    /// (`TestAllTypes` for `pkg.TestAllTypes` in container `pkg`).
    fn known_type_names(&self, container: &str) -> Vec<String> {
        let full = KEYWORDS
            .iter()
            .map(|k| k.to_string())
            .chain(self.type_names.keys().map(ToString::to_string))
            .chain(self.provider.type_names());
        let mut names = Vec::new();
        for name in full {
            let mut prefix = container;
            while !prefix.is_empty() {
                if let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
                    names.push(rest.to_owned());
                }
                prefix = prefix.rsplit_once('.').map_or("", |(parent, _)| parent);
            }
            names.push(name);
        }
        names
    }
}

/// A parameterized type with the parameters written (`optional_type(int)`).
fn with_params(ty: Type, params: Vec<Type>) -> Type {
    match ty {
        Type::Opaque(o) if !params.is_empty() => Type::opaque(&o.name, params),
        ty => ty,
    }
}
