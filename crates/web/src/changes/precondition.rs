//! Conditional writes (RFC 9110 §13.1): what a client says about the version it expects, parsed
//! from `If-Match` / `If-None-Match` or from a form, and checked in the same locked step as the
//! write, so two concurrent creates of one id can never both succeed.

use aidtrace_domain::error::{Problem, ProblemId};
use axum::http::{HeaderMap, StatusCode, header};

use crate::error::ApiError;

/// One entity tag of a header list: `"opaque"` or `W/"opaque"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTag {
    pub weak: bool,
    /// The tag with its quotes, as the `ETag` header carries it.
    pub quoted: String,
}

/// The value of `If-Match` or `If-None-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagCondition {
    /// `*`: any current version.
    Any,
    Tags(Vec<EntityTag>),
}

impl TagCondition {
    /// Parses `*` or a comma-separated list of entity tags; several header lines form one list.
    pub fn parse(values: &[&str], header: &str) -> Result<Self, ApiError> {
        let bad = |why: &str| {
            ApiError::bad_request(
                "invalid_header",
                format!("{header} = {:?}: {why}", values.join(", ")),
            )
            .with_field(header)
        };
        let joined = values.join(",");
        if joined.trim() == "*" {
            return Ok(Self::Any);
        }
        let mut tags = Vec::new();
        let mut rest = joined.as_str();
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                break;
            }
            let weak = rest.starts_with("W/");
            if weak {
                rest = &rest[2..];
            }
            let Some(body) = rest.strip_prefix('"') else {
                return Err(bad("expected * or a list of quoted entity tags"));
            };
            let Some(end) = body.find('"') else {
                return Err(bad("an entity tag is not closed with a quote"));
            };
            let opaque = &body[..end];
            // etagc = %x21 / %x23-7E / obs-text: no quotes, spaces or controls inside.
            if opaque.bytes().any(|b| b <= 0x20 || b == 0x7f) {
                return Err(bad("an entity tag holds a space or control character"));
            }
            tags.push(EntityTag {
                weak,
                quoted: format!("\"{opaque}\""),
            });
            rest = &body[end + 1..];
            let next = rest.trim_start_matches([' ', '\t']);
            if !(next.is_empty() || next.starts_with(',')) {
                return Err(bad("entity tags are separated by commas"));
            }
        }
        if tags.is_empty() {
            return Err(bad("expected * or a list of quoted entity tags"));
        }
        Ok(Self::Tags(tags))
    }

    /// Strong comparison (If-Match): a weak tag never matches.
    fn matches_strongly(&self, current: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| !t.weak && t.quoted == current),
        }
    }

    /// Weak comparison (If-None-Match): the opaque parts are compared, weak or not.
    fn matches_weakly(&self, current: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t.quoted == current),
        }
    }
}

/// What must hold of the stored record before a write of it goes ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// A form creating a record: it must not exist yet (409, naming the id field).
    New,
    /// A form editing the version it loaded, identified by its ETag (412 when it moved on).
    Loaded(String),
    /// An API write with its conditional headers. Without either header a write may create a
    /// record but never replace one unseen (428).
    Http {
        if_match: Option<TagCondition>,
        if_none_match: Option<TagCondition>,
    },
}

impl Precondition {
    /// Reads `If-Match` and `If-None-Match` of a request.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        let read = |name: header::HeaderName, label: &str| -> Result<_, ApiError> {
            let values: Vec<&str> = headers
                .get_all(&name)
                .iter()
                .map(|v| {
                    v.to_str().map_err(|_| {
                        ApiError::bad_request(
                            "invalid_header",
                            format!("{label} is not visible ASCII"),
                        )
                        .with_field(label)
                    })
                })
                .collect::<Result<_, _>>()?;
            if values.is_empty() {
                Ok(None)
            } else {
                TagCondition::parse(&values, label).map(Some)
            }
        };
        Ok(Self::Http {
            if_match: read(header::IF_MATCH, "If-Match")?,
            if_none_match: read(header::IF_NONE_MATCH, "If-None-Match")?,
        })
    }

    /// Checks the condition against the stored version (`current`: its ETag, `None` if absent).
    /// `what` names the record in messages, e.g. `flow flow-1`.
    pub fn check(&self, current: Option<&str>, what: &str, id: &str) -> Result<(), ApiError> {
        let failed = |message: String, problem: ProblemId| {
            ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                message,
            )
            .because(id, Problem::new(problem))
        };
        match self {
            Self::New => match current {
                Some(_) => Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "exists",
                    format!("{what} already exists; load it and edit it instead"),
                )
                .with_field("id")
                .because(id, Problem::new(ProblemId::AlreadyExists))),
                None => Ok(()),
            },
            Self::Loaded(want) => match current {
                Some(have) if have == want => Ok(()),
                Some(have) => Err(failed(
                    format!(
                        "{what} changed since you loaded it (ETag {have}, you sent {want}); reload and redo your edit"
                    ),
                    ProblemId::ChangedSinceLoaded,
                )),
                None => Err(failed(
                    format!("{what} does not exist (any more)"),
                    ProblemId::Gone,
                )),
            },
            Self::Http {
                if_match,
                if_none_match,
            } => {
                if let Some(cond) = if_match {
                    match current {
                        None => {
                            return Err(failed(
                                format!("{what} does not exist (any more)"),
                                ProblemId::Gone,
                            ));
                        }
                        Some(have) if !cond.matches_strongly(have) => {
                            return Err(failed(
                                format!(
                                    "{what} changed since you loaded it (its ETag is {have}); reload and redo your edit"
                                ),
                                ProblemId::ChangedSinceLoaded,
                            ));
                        }
                        Some(_) => {}
                    }
                }
                if let (Some(cond), Some(have)) = (if_none_match, current)
                    && cond.matches_weakly(have)
                {
                    return Err(failed(
                        format!("{what} exists and If-None-Match forbids replacing it"),
                        ProblemId::AlreadyExists,
                    ));
                }
                if if_match.is_none() && if_none_match.is_none() && current.is_some() {
                    return Err(ApiError::new(
                        StatusCode::PRECONDITION_REQUIRED,
                        "precondition_required",
                        format!("{what} exists: send the ETag you read in If-Match"),
                    ));
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(raw: &str) -> TagCondition {
        TagCondition::parse(&[raw], "If-Match").expect("parses")
    }

    fn http(if_match: Option<&str>, if_none_match: Option<&str>) -> Precondition {
        Precondition::Http {
            if_match: if_match.map(tags),
            if_none_match: if_none_match.map(tags),
        }
    }

    const CUR: &str = "\"abc\"";

    fn status(p: &Precondition, current: Option<&str>) -> Option<u16> {
        p.check(current, "flow f", "f")
            .err()
            .map(|e| e.status.as_u16())
    }

    #[test]
    fn star_and_lists_parse() {
        assert_eq!(tags(" * "), TagCondition::Any);
        assert_eq!(
            tags("\"a\", W/\"b\" ,\"c\""),
            TagCondition::Tags(vec![
                EntityTag {
                    weak: false,
                    quoted: "\"a\"".into()
                },
                EntityTag {
                    weak: true,
                    quoted: "\"b\"".into()
                },
                EntityTag {
                    weak: false,
                    quoted: "\"c\"".into()
                },
            ])
        );
    }

    #[test]
    fn malformed_tags_are_refused_naming_the_header() {
        for raw in ["abc", "\"abc", "\"a\" \"b\"", "", "\"a b\"", "*, \"a\""] {
            let e = TagCondition::parse(&[raw], "If-Match").expect_err(raw);
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{raw}");
            assert_eq!(e.field.as_deref(), Some("If-Match"));
        }
    }

    #[test]
    fn if_match_star_needs_a_current_version() {
        assert_eq!(status(&http(Some("*"), None), Some(CUR)), None);
        assert_eq!(status(&http(Some("*"), None), None), Some(412));
    }

    #[test]
    fn if_match_uses_strong_comparison_over_the_whole_list() {
        assert_eq!(status(&http(Some("\"x\", \"abc\""), None), Some(CUR)), None);
        assert_eq!(status(&http(Some("W/\"abc\""), None), Some(CUR)), Some(412));
        assert_eq!(status(&http(Some("\"x\""), None), Some(CUR)), Some(412));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        assert_eq!(status(&http(None, Some("*")), Some(CUR)), Some(412));
        assert_eq!(status(&http(None, Some("*")), None), None);
        assert_eq!(status(&http(None, Some("W/\"abc\"")), Some(CUR)), Some(412));
        assert_eq!(status(&http(None, Some("\"x\"")), Some(CUR)), None);
    }

    #[test]
    fn no_header_creates_but_never_replaces() {
        assert_eq!(status(&http(None, None), None), None);
        assert_eq!(status(&http(None, None), Some(CUR)), Some(428));
    }

    #[test]
    fn forms_create_new_and_edit_what_they_loaded() {
        assert_eq!(status(&Precondition::New, Some(CUR)), Some(409));
        assert_eq!(status(&Precondition::New, None), None);
        let loaded = Precondition::Loaded(CUR.into());
        assert_eq!(status(&loaded, Some(CUR)), None);
        assert_eq!(status(&loaded, Some("\"new\"")), Some(412));
        assert_eq!(status(&loaded, None), Some(412));
    }
}
