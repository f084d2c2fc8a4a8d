//! type_deduction tests.
