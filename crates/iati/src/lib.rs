//! IATI 2.03: streaming reader, three-layer validator (schema, codelists, rules) and writer.
//!
//! Reference data: IATI Standard (http://iatistandard.org/), CC BY 4.0.

pub mod codelists;
pub mod conformance;
pub mod grouped;
pub mod model;
mod parallel;
pub mod reader;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod validate;
pub mod writer;
pub mod xml;
