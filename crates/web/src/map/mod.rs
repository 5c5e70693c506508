//! Where aid goes: the map (outlines, projection, drawing), regional equity and claims beside records.

pub mod claims;
pub mod geo;
pub mod page;
pub mod regions;
pub mod svg;
