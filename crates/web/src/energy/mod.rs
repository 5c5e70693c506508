//! Energy pages: the version 1 plan, the load survey, the version 2 plan (its tables, notes,
//! oblast view and reasons) and writing a plan's assigned units as assets.

pub mod fuel;
pub mod pages;
pub mod survey;
pub mod v2_commit;
pub mod v2_notes;
pub mod v2_oblasts;
pub mod v2_page;
pub mod v2_reasons;
pub mod v2_tables;
