//! Unit tests of the IFEval checkers.
