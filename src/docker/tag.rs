//! Tag decomposition.
