//! Equipment pages: asset register, asset detail, indicators, gaps, the phone "device down"
//! form, and their API.

pub mod pages;
