//! A list as a plain table, so a page, its CSV and its XLSX show the same rows; its HTML form
//! and the export links under it.

use maud::{Markup, html};

use super::i18n::{t, t_opt};

pub struct Table {
    pub name: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Headers of a shared table in the reader's language (`col-<name>`); exports keep the stable
/// machine names so scripts reading them do not depend on the language.
pub fn header_label(h: &str) -> String {
    t_opt(&format!("col-{h}")).unwrap_or_else(|| h.to_string())
}

/// The table as HTML; with `link`, each row's first cell links to `link` + its value.
pub fn table_html(table: &Table, link: Option<&str>) -> Markup {
    html! {
        table class="list" id=(format!("table-{}", table.name)) {
            thead { tr { @for h in &table.headers { th { (header_label(h)) } } } }
            tbody {
                @for row in &table.rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            td {
                                @if i == 0 && let Some(prefix) = link {
                                    a href=(format!("{prefix}{cell}")) { (cell) }
                                } @else {
                                    (super::labels::cell(table.headers.get(i).copied().unwrap_or_default(), cell))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The CSV and XLSX links of list `list` with the page's query (`?…` or empty).
pub fn exports(list: &str, query: &str) -> Markup {
    html! {
        p class="exports" {
            (t("export")) ": "
            a href=(format!("/export/{list}/csv{query}")) { "CSV" } " · "
            a href=(format!("/export/{list}/xlsx{query}")) { "XLSX" }
        }
    }
}
