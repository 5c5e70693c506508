//! The dashboard and the record pages it leads to: totals, activities, facilities, data quality,
//! and the exports of these lists.

pub mod facility_filter;
pub mod pages;
