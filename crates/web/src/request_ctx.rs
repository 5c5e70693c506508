//! What the page frame needs to know about the request being answered, wherever the page is
//! rendered from: its query (so the language switch keeps it) and its caller once a handler
//! has resolved one (so an error page keeps the signed-in header). Held in a task-local set by
//! [`middleware`], like the language in `i18n`.

use std::sync::Mutex;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, Response};
use maud::Markup;

use crate::auth::Caller;

struct Ctx {
    query: String,
    caller: Mutex<Option<Caller>>,
}

tokio::task_local! {
    static CTX: Ctx;
}

pub async fn middleware(req: Request, next: Next) -> Response {
    let ctx = Ctx {
        query: req.uri().query().unwrap_or_default().to_string(),
        caller: Mutex::new(None),
    };
    CTX.scope(ctx, next.run(req)).await
}

/// Called by the `Caller` extractor: the request's caller, for pages rendered without it.
pub fn remember(caller: &Caller) {
    let _ = CTX.try_with(|c| {
        if let Ok(mut slot) = c.caller.lock() {
            *slot = Some(caller.clone());
        }
    });
}

/// The caller a handler resolved for this request; anonymous when none did (or outside a request).
pub fn caller() -> Caller {
    CTX.try_with(|c| c.caller.lock().ok().and_then(|slot| slot.clone()))
        .ok()
        .flatten()
        .unwrap_or(Caller::Anonymous)
}

/// The link that shows the current page in `lang`: a query-only reference (the browser keeps
/// the path, so the link can never lead to another site), with the request's other parameters
/// kept as they came and `lang` replaced.
pub fn lang_href(lang: &str) -> String {
    let query = CTX.try_with(|c| c.query.clone()).unwrap_or_default();
    crate::present::links::lang_href(&query, lang)
}

/// What the page frame shows of this request: `caller` as the header shows them, and the
/// query the language switch keeps.
pub fn frame(caller: &Caller) -> crate::present::page::Frame {
    crate::present::page::Frame {
        signed: caller.principal().map(|p| crate::present::page::Signed {
            name: p.name.clone(),
            role: p.role.as_str(),
            csrf: p.csrf.clone().unwrap_or_default(),
        }),
        query: CTX.try_with(|c| c.query.clone()).unwrap_or_default(),
    }
}

/// The page frame for `caller` around `content` (see `present::page`).
pub fn layout(title: &str, caller: &Caller, content: Markup) -> Html<String> {
    crate::present::page::layout(title, &frame(caller), content)
}

/// An error page in the frame of the request's caller (so it keeps the signed-in header).
pub fn error_page(status: StatusCode, message: &str, field: Option<&str>) -> Html<String> {
    let frame = frame(&caller());
    crate::present::page::error_page(status, message, field, &frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn with_query<R>(query: &str, f: impl FnOnce() -> R) -> R {
        CTX.scope(
            Ctx {
                query: query.to_string(),
                caller: Mutex::new(None),
            },
            async { f() },
        )
        .await
    }

    #[tokio::test]
    async fn the_language_link_keeps_the_other_parameters() {
        let href = with_query("country=KZ&lang=en&kind=commitment", || lang_href("ru")).await;
        assert_eq!(href, "?country=KZ&kind=commitment&lang=ru");
    }

    #[tokio::test]
    async fn without_a_query_the_link_only_sets_the_language() {
        assert_eq!(with_query("", || lang_href("kk")).await, "?lang=kk");
        assert_eq!(lang_href("uk"), "?lang=uk");
    }

    #[tokio::test]
    async fn a_parameter_that_only_starts_with_lang_is_kept() {
        let href = with_query("language=x&lang=uk", || lang_href("en")).await;
        assert_eq!(href, "?language=x&lang=en");
    }

    #[tokio::test]
    async fn outside_a_request_the_caller_is_anonymous() {
        assert!(matches!(caller(), Caller::Anonymous));
        remember(&Caller::Expired);
        assert!(matches!(caller(), Caller::Anonymous));
    }
}
