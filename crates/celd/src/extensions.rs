//! The extension libraries an environment can enable by name.

use celd_eval::Registry;

/// An extension library: declarations for the checker plus implementations for the evaluator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Extension {
    /// `charAt`, `indexOf`, `split`, `format`, `strings.quote`, ...
    Strings,
    /// `math.greatest`, `math.ceil`, bit operations, ...
    Math,
    /// `slice`, `flatten`, `sort`, `distinct`, `lists.range`, ...
    Lists,
    /// `sets.contains`, `sets.equivalent`, `sets.intersects`.
    Sets,
    /// `base64.encode`, `base64.decode`.
    Encoders,
    /// `optional.of`, `?.`, `[?]`, `orValue`, ...
    Optional,
    /// `cel.bind`.
    Bindings,
    /// `cel.block`.
    Block,
    /// Two-variable `all`, `exists`, `existsOne`, `transformList`, `transformMap`, `transformMapEntry`.
    TwoVarComprehensions,
    /// `regex.replace`, `regex.extract`, `regex.extractAll`.
    Regex,
    /// `ip`, `cidr` and their methods.
    Network,
    /// `proto.getExt`, `proto.hasExt`.
    Protos,
}

impl Extension {
    pub const ALL: &'static [Extension] = &[
        Extension::Strings,
        Extension::Math,
        Extension::Lists,
        Extension::Sets,
        Extension::Encoders,
        Extension::Optional,
        Extension::Bindings,
        Extension::Block,
        Extension::TwoVarComprehensions,
        Extension::Regex,
        Extension::Network,
        Extension::Protos,
    ];

    /// The library name, as declaration tables and configuration files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Extension::Strings => "strings",
            Extension::Math => "math",
            Extension::Lists => "lists",
            Extension::Sets => "sets",
            Extension::Encoders => "encoders",
            Extension::Optional => "optional",
            Extension::Bindings => "bindings",
            Extension::Block => "block",
            Extension::TwoVarComprehensions => "two_var_comprehensions",
            Extension::Regex => "regex",
            Extension::Network => "network",
            Extension::Protos => "protos",
        }
    }

    pub fn from_name(name: &str) -> Option<Extension> {
        Extension::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// Whether the checker has declarations for this library.
    pub(crate) fn is_declared(self) -> bool {
        celd_types::library::extension(self.name()).is_some()
    }
}

/// The JSON readers of the enabled extensions' host types (`net.IP`, `net.CIDR`).
pub(crate) fn json_types(extensions: &[Extension]) -> celd_value::HostTypes {
    use celd_eval::functions::ext::{Cidr, Ip};
    let mut types = celd_value::HostTypes::new();
    if extensions.contains(&Extension::Network) {
        types.register::<Ip>();
        types.register::<Cidr>();
    }
    types
}

/// The standard library plus the implementations of the enabled extensions.
pub(crate) fn registry(extensions: &[Extension]) -> Registry {
    use celd_eval::functions::ext;
    let mut registry = Registry::standard();
    for e in extensions {
        let register: fn(&mut Registry) = match e {
            Extension::Strings => ext::register_strings,
            Extension::Math => ext::register_math,
            Extension::Lists => ext::register_lists,
            Extension::Sets => ext::register_sets,
            Extension::Encoders => ext::register_encoders,
            Extension::Optional => ext::register_optional,
            Extension::TwoVarComprehensions => ext::register_two_var_comprehensions,
            Extension::Regex => ext::register_regex,
            Extension::Network => ext::register_network,
            // Macros only: the parser expands them into calls the planner knows.
            Extension::Bindings | Extension::Block | Extension::Protos => continue,
        };
        register(&mut registry);
    }
    registry
}
