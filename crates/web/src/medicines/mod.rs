//! Medicine pages: stock by facility and lot, donor pages.

pub mod pages;
