//! Reading the pages the server writes (maud's well-formed HTML) without a browser: the links
//! of a page and the texts a reader sees (text nodes and the labels assistive technology reads).

#![allow(dead_code)]

/// One piece of a page: a tag (name and attributes) or a text node.
#[derive(Debug)]
pub enum Piece {
    Tag {
        name: String,
        attrs: Vec<(String, String)>,
    },
    /// A closing tag's name.
    Close(String),
    Text(String),
}

pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn attrs(inner: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = inner;
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        if end == 0 {
            if rest.is_empty() {
                break;
            }
            rest = &rest[1..];
            continue;
        }
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix('=') {
            let (value, after) = match r.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &r[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = r.find(char::is_whitespace).unwrap_or(r.len());
                    (&r[..close], &r[close..])
                }
            };
            out.push((name, unescape(value)));
            rest = after;
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

/// Splits a page into tags and text nodes; comments, the doctype and the contents of
/// `<script>` and `<style>` are left out.
pub fn pieces(html: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if rest.starts_with('<') {
            // A '>' inside a quoted attribute value does not end the tag.
            let mut quote = None;
            let mut end = rest.len();
            for (i, c) in rest.char_indices().skip(1) {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '>') => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let inner = &rest[1..end];
            rest = rest.get(end + 1..).unwrap_or("");
            if inner.starts_with('!') {
                continue;
            }
            if let Some(closing) = inner.strip_prefix('/') {
                out.push(Piece::Close(closing.trim().to_ascii_lowercase()));
                continue;
            }
            let name_end = inner
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(inner.len());
            let name = inner[..name_end].to_ascii_lowercase();
            if name == "script" || name == "style" {
                let close = format!("</{name}");
                rest = rest.find(&close).map_or("", |i| &rest[i..]);
            }
            out.push(Piece::Tag {
                attrs: attrs(&inner[name_end..]),
                name,
            });
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            if !text.trim().is_empty() {
                out.push(Piece::Text(text));
            }
            rest = &rest[end..];
        }
    }
    out
}

/// Every `href` of the page's links.
pub fn links(html: &str) -> Vec<String> {
    pieces(html)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Tag { name, attrs } if name == "a" => {
                attrs.into_iter().find(|(k, _)| k == "href").map(|(_, v)| v)
            }
            _ => None,
        })
        .collect()
}

/// Elements without a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// What a reader sees or hears: text nodes, and the `title`, `aria-label`, `placeholder` and
/// `alt` attributes, each trimmed. Text inside `<code>` and `<pre>` (identifiers, examples) is
/// left out, and so is text inside an element marked `lang="en"` when `skip_english` is set:
/// both are shown as written on purpose.
pub fn texts(html: &str, skip_english: bool) -> Vec<String> {
    let mut out = Vec::new();
    // Open elements, each with whether it starts a part to leave out.
    let mut open: Vec<(String, bool)> = Vec::new();
    let mut hidden = 0usize;
    for p in pieces(html) {
        match p {
            Piece::Text(t) if hidden == 0 => out.push(t.trim().to_string()),
            Piece::Text(_) => {}
            Piece::Close(name) => {
                if let Some(at) = open.iter().rposition(|(n, _)| *n == name) {
                    hidden -= open[at..].iter().filter(|(_, skip)| *skip).count();
                    open.truncate(at);
                }
            }
            Piece::Tag { name, attrs } => {
                let english = attrs.iter().any(|(k, v)| k == "lang" && v == "en");
                let skip = name == "code" || name == "pre" || (skip_english && english);
                if hidden == 0 && !(skip_english && english) {
                    out.extend(
                        attrs
                            .iter()
                            .filter(|(k, _)| {
                                matches!(k.as_str(), "title" | "aria-label" | "placeholder" | "alt")
                            })
                            .map(|(_, v)| v.trim().to_string()),
                    );
                }
                if !VOID.contains(&name.as_str()) {
                    hidden += usize::from(skip);
                    open.push((name, skip));
                }
            }
        }
    }
    out
}
