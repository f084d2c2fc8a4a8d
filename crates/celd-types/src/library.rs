//! Libraries: named declaration tables (the standard library and each
//! extension) that an environment enables by name.

use crate::decls::{FunctionDecl, OverloadRow, TypeNameRow, function_decls};
use crate::parse::TypeParseError;
use crate::{ext, stdlib};

/// A named set of function overloads and type names.
#[derive(Clone, Copy, Debug)]
pub struct Library {
    /// The name an environment enables it by (`strings`, `math`, ...).
    pub name: &'static str,
    pub overloads: &'static [OverloadRow],
    pub type_names: &'static [TypeNameRow],
    /// Opaque types the library's signatures name (`net.IP`): each is also a type name.
    pub opaque_types: &'static [&'static str],
}

impl Library {
    /// The function declarations of this library, grouped by function name.
    pub fn function_decls(&self) -> Result<Vec<FunctionDecl>, TypeParseError> {
        function_decls(self.overloads)
    }
}

/// The standard library every environment starts with.
pub const STANDARD: Library = Library {
    name: "standard",
    overloads: stdlib::STANDARD,
    type_names: stdlib::STANDARD_TYPE_NAMES,
    opaque_types: &[],
};

/// Every extension library, by name.
pub const EXTENSIONS: &[Library] = &[
    ext::STRINGS,
    ext::MATH,
    ext::LISTS,
    ext::SETS,
    ext::ENCODERS,
    ext::OPTIONAL,
    ext::BINDINGS,
    ext::BLOCK,
    ext::TWO_VAR_COMPREHENSIONS,
    ext::REGEX,
    ext::NETWORK,
    ext::PROTOS,
];

/// The extension library called `name`, if there is one.
pub fn extension(name: &str) -> Option<&'static Library> {
    EXTENSIONS.iter().find(|lib| lib.name == name)
}
