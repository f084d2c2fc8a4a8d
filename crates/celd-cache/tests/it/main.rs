//! Integration tests of the program cache.
