//! The seed scenario: the facts of the two news items in `shared/seeds`, as records. Where the
//! texts are silent (exact dates, serial numbers, amounts of earlier grants) fields stay empty.
//! Coordinates marked "illustrative" are city centres, not buildings.

pub const SEED_JSON: &str = include_str!("../demo/seed.json");

/// Ukraine's side: illustrative hospitals by oblast (each carries an `illustrative` note) with
/// damage history, loads by tier and backup, and one real hospital with only sourced facts.
pub const UKRAINE_JSON: &str = include_str!("../demo/ukraine.json");
/// The illustrative medicines consignment for the Ukrainian health sector (issue #15).
pub const MEDICINES_JSON: &str = include_str!("../demo/medicines.json");
