//! Exchange rates: coverage and the rate file import.

pub mod page;
