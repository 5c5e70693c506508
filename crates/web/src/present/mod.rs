//! Shared presentation: what every page uses to look the same and speak the reader's language
//! (translations, number and date formats, labels of coded values, charts). It imports nothing
//! from the rest of the crate (`leaf_module_imports_nothing_else` checks the sources), so any
//! page, API handler or export may use it and it never reaches back into state, storage or
//! handlers. The old paths (`crate::i18n`, `crate::labels`, …) are re-exported from `lib.rs`.

pub mod format;
pub mod i18n;
pub mod labels;
pub mod links;
pub mod page;
pub mod pager;
pub mod svg;
pub mod table;

#[cfg(test)]
mod tests {
    /// The sources of this module, checked for paths into the rest of the crate.
    const SOURCES: [(&str, &str); 9] = [
        ("mod.rs", include_str!("mod.rs")),
        ("format.rs", include_str!("format.rs")),
        ("i18n.rs", include_str!("i18n.rs")),
        ("labels.rs", include_str!("labels.rs")),
        ("links.rs", include_str!("links.rs")),
        ("page.rs", include_str!("page.rs")),
        ("pager.rs", include_str!("pager.rs")),
        ("svg.rs", include_str!("svg.rs")),
        ("table.rs", include_str!("table.rs")),
    ];

    #[test]
    fn leaf_module_imports_nothing_else() {
        let needle = ["crate", "::"].concat();
        let own = ["crate", "::present"].concat();
        for (name, text) in SOURCES {
            // Comments may name other modules; code may not reach them.
            for (n, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().starts_with("//"))
            {
                let outside = line
                    .match_indices(&needle)
                    .any(|(at, _)| !line[at..].starts_with(&own));
                assert!(!outside, "present/{name}:{}: {line}", n + 1);
            }
        }
    }
}
