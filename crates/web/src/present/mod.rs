//! Shared presentation: what every page uses to look the same and speak the reader's language
//! (translations, number and date formats, labels of coded values, charts). It imports nothing
//! from the rest of the crate (`leaf_module_imports_nothing_else` checks the sources), so any
//! page, API handler or export may use it and it never reaches back into state, storage or
//! handlers. The old paths (`crate::i18n`, `crate::labels`, …) are re-exported from `lib.rs`.

pub mod format;
pub mod i18n;
pub mod labels;
pub mod svg;
