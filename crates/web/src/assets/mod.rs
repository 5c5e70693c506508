//! Equipment pages: asset register, asset detail, indicators, gaps, the phone "device down"
//! form, service contracts and spare parts, incidents and recalls, work-order progress and
//! voids, and their API.

pub mod contracts;
mod form_errors;
pub mod pages;
pub mod parts;
pub mod recalls;
pub mod work;
