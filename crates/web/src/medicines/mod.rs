//! Medicine pages: consignment entry (typed or scanned lines, the guideline check before
//! saving), packing-list upload, decisions and movements, stock by facility and lot, donor
//! pages, dashboard cards.

pub mod actions;
pub mod cards;
pub mod entry;
pub mod entry_page;
pub mod import;
pub mod pages;
