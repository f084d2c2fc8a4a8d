//! CEL types, declarations and the standard library declared as data.
