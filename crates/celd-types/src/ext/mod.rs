//! Extension libraries declared as data, one table per library, with the
//! overload ids cel-go's `ext` package uses.
