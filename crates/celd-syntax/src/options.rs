//! Parser configuration: limits with safe defaults, optional syntax, and which macros expand.

/// How to parse: limits, optional syntax and the macros to expand.
///
/// The defaults are safe for untrusted input; see each field for what it bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Longest accepted expression, in Unicode code points (default 100,000). Longer input is
    /// rejected with one diagnostic before it is lexed.
    pub max_code_points: usize,
    /// Deepest accepted nesting (default 250): both the parser's recursion and the depth of
    /// the produced tree after macro expansion. Passes over the AST may recurse this deep.
    pub max_depth: u32,
    /// Most nodes the tree may have after macro expansion (default 100,000). Macros that
    /// repeat their target (`optMap`, `optFlatMap`) double it, so a chain of them would grow
    /// exponentially from short text; this bounds the tree every later pass walks.
    pub max_nodes: usize,
    /// Most diagnostics collected before parsing stops (default 100).
    pub max_errors: usize,
    /// Accept `a.?b`, `a[?b]`, `[?x]`, `{?k: v}` and `Msg{?f: v}` (default true).
    pub optional_syntax: bool,
    /// The macros expanded at parse time (default: all).
    pub macros: Macros,
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            max_code_points: 100_000,
            max_depth: 250,
            max_nodes: 100_000,
            max_errors: 100,
            optional_syntax: true,
            macros: Macros::all(),
        }
    }
}

/// Which families of macros expand; a disabled macro is parsed as an ordinary call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Macros {
    /// `has(a.f)`, `all`, `exists`, `exists_one`/`existsOne`, `map`, `filter`.
    pub standard: bool,
    /// `cel.bind(v, init, e)`.
    pub bindings: bool,
    /// `cel.block`, `cel.index`, `cel.iterVar`, `cel.accuVar`.
    pub block: bool,
    /// `all`/`exists`/`existsOne` with two variables, `transformList`, `transformMap`,
    /// `transformMapEntry`.
    pub two_var_comprehensions: bool,
    /// `optMap` and `optFlatMap`.
    pub optional: bool,
    /// `math.greatest` and `math.least`.
    pub math: bool,
    /// `sortBy`.
    pub lists: bool,
    /// `proto.getExt` and `proto.hasExt`.
    pub protos: bool,
}

impl Macros {
    pub const fn all() -> Macros {
        Macros {
            standard: true,
            bindings: true,
            block: true,
            two_var_comprehensions: true,
            optional: true,
            math: true,
            lists: true,
            protos: true,
        }
    }

    pub const fn none() -> Macros {
        Macros {
            standard: false,
            bindings: false,
            block: false,
            two_var_comprehensions: false,
            optional: false,
            math: false,
            lists: false,
            protos: false,
        }
    }
}

impl Default for Macros {
    fn default() -> Macros {
        Macros::all()
    }
}
