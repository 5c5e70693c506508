//! IATI pages: the import page with its upload and validation report, and the export of activities.

pub mod export;
pub mod import_page;
pub mod import_report;
pub mod labels;
pub mod refusals;
pub mod slots;
pub mod upload;
