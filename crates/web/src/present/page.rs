//! The frame around every page (header with navigation, language switch and who is reading;
//! footer) and the error page. What the frame needs to know about the request comes in a
//! [`Frame`], built by `request_ctx::frame` from the caller, so this module knows nothing of
//! sessions or state.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::i18n::{self, t};
use super::links::lang_href;

/// A signed-in reader as the header shows them.
#[derive(Debug, Clone, Default)]
pub struct Signed {
    pub name: String,
    /// The role's code (`admin`, `editor`, …), shown by its label.
    pub role: &'static str,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
}

/// What the frame shows of the request: who reads (none: the public view) and the query the
/// language switch keeps.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub signed: Option<Signed>,
    pub query: String,
}

pub fn layout(title: &str, frame: &Frame, content: Markup) -> Html<String> {
    let signed = frame.signed.as_ref();
    let links = html! {
        a href="/" { (t("nav-dashboard")) }
        a href="/activities" { (t("nav-activities")) }
        a href="/facilities" { (t("nav-facilities")) }
        a href="/map" { (t("nav-map")) }
        a href="/organisations" { (t("nav-organisations")) }
        a href="/claims" { (t("nav-claims")) }
        a href="/regions" { (t("nav-regions")) }
        a href="/quality" { (t("nav-quality")) }
        a href="/assets" { (t("nav-assets")) }
        a href="/medicines" { (t("nav-medicines")) }
        a href="/energy" { (t("nav-energy")) }
        // Intake needs a signed-in reader; the link is not offered to the public view.
        @if signed.is_some() { a href="/intake" { (t("nav-intake")) } }
        @if signed.is_some() { a href="/changes" { (t("nav-changes")) } }
        a href="/import" { (t("nav-import")) }
        @if signed.is_some_and(|p| p.role == "admin") { a href="/rates" { (t("nav-rates")) } }
        a href="/api" { (t("nav-api")) }
    };
    Html(
        html! {
            (DOCTYPE)
            html lang=(i18n::current().code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · aidtrace" }
                    link rel="stylesheet" href="/static/app.css";
                    script src="/static/tables.js" defer {}
                }
                body {
                    header {
                        a href="/" class="brand" { "aidtrace" }
                        // Two copies of the links: a bar on wide screens, a menu that opens
                        // without script on narrow ones; CSS shows one, so readers meet one.
                        nav class="main" aria-label=(t("nav-main")) { (links) }
                        details class="menu" {
                            summary { (t("nav-menu")) }
                            nav aria-label=(t("nav-main")) { (links) }
                        }
                        nav class="langs" aria-label=(t("language")) {
                            @for l in i18n::Lang::ALL {
                                a href=(lang_href(&frame.query, l.code())) lang=(l.code()) class=(if l == i18n::current() { "current" } else { "" }) { (l.name()) }
                            }
                        }
                        div class="who" {
                            @match signed {
                                Some(p) => {
                                    span id="whoami" { (p.name) " (" (i18n::value(p.role)) ")" }
                                    form method="post" action="/logout" class="inline" {
                                        input type="hidden" name="csrf" value=(p.csrf);
                                        button type="submit" { (t("sign-out")) }
                                    }
                                }
                                None => {
                                    span class="muted" { (t("public-view")) }
                                    " "
                                    a href="/login" id="signin" { (t("sign-in")) }
                                }
                            }
                        }
                    }
                    main { h1 { (title) } (content) }
                    footer { (t("footer")) }
                }
            }
        }
        .into_string(),
    )
}

/// Where the content goes in a frame split by [`frame_parts`]; no page can contain it (maud
/// escapes `<` in text, and no markup writes this element).
const CONTENT_MARK: &str = "<aidtrace-content-mark/>";

/// The frame of a page before and after its content, so a content rendered once and shared
/// (an `Arc<str>`) is sent between them without being copied into each response.
pub fn frame_parts(title: &str, frame: &Frame) -> (String, String) {
    let page = layout(title, frame, maud::PreEscaped(CONTENT_MARK.to_string())).0;
    match page.split_once(CONTENT_MARK) {
        Some((head, tail)) => (head.to_string(), tail.to_string()),
        None => (page, String::new()),
    }
}

/// The bytes of a shared content, lent to the response body without a copy.
struct Shared(Arc<str>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// A page of `title` in `frame` whose content is `content`, shared with a cache: the frame is
/// written per request, the content is sent from the cache as it is.
pub fn shared_page(title: &str, frame: &Frame, content: Arc<str>) -> Response {
    let (head, tail) = frame_parts(title, frame);
    let len = head.len() + content.len() + tail.len();
    let chunks = [
        bytes::Bytes::from(head),
        bytes::Bytes::from_owner(Shared(content)),
        bytes::Bytes::from(tail),
    ];
    let body = Body::from_stream(futures_util::stream::iter(
        chunks.map(Ok::<_, std::convert::Infallible>),
    ));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        body,
    )
        .into_response()
}

/// An error as a page in the frame: the status's title, the message, the field it names.
pub fn error_page(
    status: StatusCode,
    message: &str,
    field: Option<&str>,
    frame: &Frame,
) -> Html<String> {
    let title = i18n::t_opt(&format!("status-{}", status.as_u16()))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_string());
    layout(
        &title,
        frame,
        html! {
            p class="error" id="error" { (message) }
            @if let Some(f) = field { p { (t("error-field")) ": " code { (f) } } }
            @if status == StatusCode::UNAUTHORIZED { p { a href="/login" { (t("sign-in")) } } }
            p { a href="/" { (t("back-to-dashboard")) } }
        },
    )
}
