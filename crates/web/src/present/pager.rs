//! The pager under a long list: previous, "page N of M", next. One shape for every paged list
//! (flows, the organisation review, decided changes), so a reader meets the same links.

use maud::{Markup, html};

use super::i18n::{t, ta};

/// Pages of `per_page` that `count` items fill, at least one.
pub fn pages(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

/// The pager for `page` of `pages` (1-based), `href` giving the address of a page; nothing when
/// one page holds the list. `id` names the `nav` for tests and for the page's own links.
pub fn pager(id: &str, page: usize, pages: usize, href: impl Fn(usize) -> String) -> Markup {
    html! {
        @if pages > 1 {
            nav class="pager" id=(id) aria-label=(t("pager-pages")) {
                @if page > 1 { a href=(href(page - 1)) rel="prev" class="page-prev" { "← " (t("pager-prev")) } " " }
                (ta("pager-page-of", &[("page", &page.to_string()), ("pages", &pages.to_string())]))
                @if page < pages { " " a href=(href(page + 1)) rel="next" class="page-next" { (t("pager-next")) " →" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_an_empty_list_has_one() {
        assert_eq!(pages(0, 20), 1);
        assert_eq!(pages(20, 20), 1);
        assert_eq!(pages(21, 20), 2);
        assert_eq!(pages(5, 0), 5);
    }

    #[test]
    fn one_page_has_no_pager_and_the_ends_have_one_link() {
        let href = |p: usize| format!("?page={p}");
        assert!(pager("p", 1, 1, href).into_string().is_empty());
        let first = pager("p", 1, 3, href).into_string();
        assert!(
            first.contains("?page=2") && !first.contains("rel=\"prev\""),
            "{first}"
        );
        let last = pager("p", 3, 3, href).into_string();
        assert!(
            last.contains("?page=2") && !last.contains("rel=\"next\""),
            "{last}"
        );
    }
}
