//! Why `/import` refuses an upload before anything reads it as IATI, and why it skips an
//! archive member. Each reason owns its catalogue message and figures: the page words it in
//! its reader's language (figures in the reader's number format, as any other page), while the
//! API's `message` stays the English one, which clients and logs may match on. The reasons
//! travel as values, not sentences, so no page has to recognise English text.

use axum::http::StatusCode;
use rust_decimal::Decimal;

use crate::error::ApiError;
use crate::i18n::{self, ArgValue, Lang, Msg};

/// Why an archive member was left out of the upload (listed under the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A symbolic link: never followed, whatever it points at.
    Link,
    /// Its first bytes are not markup.
    NotXml,
}

impl Skip {
    pub fn key(self) -> &'static str {
        match self {
            Skip::Link => "import-skip-link",
            Skip::NotXml => "import-skip-not-xml",
        }
    }

    /// The reason in the current language.
    pub fn text(self) -> String {
        i18n::t(self.key())
    }
}

/// Why an archive (or one of its members) could not be read, sorted from the zip reader's
/// errors: its own English detail means nothing to a reader of another language, and which of
/// these it is tells the reader what to do (send it again, or pack it plainly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipFault {
    /// Cut short or corrupt: the end record missing, a checksum or the deflate stream wrong.
    Damaged,
    /// Password-protected.
    Encrypted,
    /// A compression method or zip feature the reader lacks (only stored and deflated members
    /// are read).
    Unsupported,
}

impl ZipFault {
    pub fn of(e: &zip::result::ZipError) -> Self {
        use zip::result::ZipError;
        match e {
            ZipError::InvalidPassword => ZipFault::Encrypted,
            ZipError::UnsupportedArchive(why) if *why == ZipError::PASSWORD_REQUIRED => {
                ZipFault::Encrypted
            }
            ZipError::UnsupportedArchive(_)
            | ZipError::CompressionMethodNotSupported(_)
            | ZipError::DecompressedSizeLimitExceeded { .. }
            | ZipError::DecompressedSizeUnknown => ZipFault::Unsupported,
            _ => ZipFault::Damaged,
        }
    }

    fn key(self) -> &'static str {
        match self {
            ZipFault::Damaged => "import-zip-damaged",
            ZipFault::Encrypted => "import-zip-encrypted",
            ZipFault::Unsupported => "import-zip-unsupported",
        }
    }
}

/// A refusal of the whole upload; nothing is written. `file` names the upload's file, or
/// `archive/member` for a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The files as sent add up to more than the upload limit.
    TooLarge {
        limit: u64,
    },
    /// More files than one upload holds.
    TooManyFiles {
        max: usize,
    },
    NoFile,
    /// Neither markup nor a zip archive by its first bytes.
    NotXmlOrZip {
        file: String,
    },
    /// Nothing but skipped members.
    NoXml {
        skipped: Vec<(String, Skip)>,
    },
    /// Unpacked (declared or inflated) past the upload limit.
    UnpackedTooLarge {
        limit: u64,
    },
    /// A member inflating more than `ratio` times its compressed size.
    ZipBomb {
        file: String,
        ratio: u64,
    },
    /// The zip reader's `detail` is kept for the API and the logs.
    ZipUnreadable {
        file: String,
        fault: ZipFault,
        detail: String,
    },
    ZipMembers {
        file: String,
        max: usize,
    },
    /// A member whose path leaves the archive's root.
    ZipPath {
        file: String,
        member: String,
    },
}

/// `n` in the current language's number format.
fn figure(n: u64) -> String {
    i18n::number(Decimal::from(n))
}

/// `n` bytes in words, in the current language: "256 MiB", "1,000 bytes" ("256 МБ",
/// "1 000 байт" in Russian).
pub fn size_label(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        i18n::ta("import-size-mib", &[("n", &figure(n / MIB))])
    } else {
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        i18n::tv(
            "import-size-bytes",
            &[
                ("n", ArgValue::Text(figure(n))),
                ("count", ArgValue::Count(count)),
            ],
        )
    }
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::TooLarge { .. }
            | Refusal::TooManyFiles { .. }
            | Refusal::UnpackedTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The message in the current language, its figures formatted for it.
    pub fn msg(&self) -> Msg {
        match self {
            Refusal::TooLarge { limit } => {
                Msg::new("import-err-too-large").arg("limit", size_label(*limit))
            }
            Refusal::TooManyFiles { max } => {
                Msg::new("import-err-too-many-files").arg("max", figure(*max as u64))
            }
            Refusal::NoFile => Msg::new("import-err-no-file"),
            Refusal::NotXmlOrZip { file } => Msg::new("import-err-not-xml").arg("file", file),
            Refusal::NoXml { skipped } => {
                let list = skipped
                    .iter()
                    .map(|(name, why)| format!("{name}: {}", why.text()))
                    .collect::<Vec<_>>()
                    .join("; ");
                Msg::new("import-err-no-xml").arg("skipped", list)
            }
            Refusal::UnpackedTooLarge { limit } => {
                Msg::new("import-err-unpacked-limit").arg("limit", size_label(*limit))
            }
            Refusal::ZipBomb { file, ratio } => Msg::new("import-err-zip-bomb")
                .arg("file", file)
                .arg("ratio", figure(*ratio)),
            Refusal::ZipUnreadable { file, fault, .. } => Msg::new("import-err-zip-unreadable")
                .arg("file", file)
                .arg_key("reason", fault.key()),
            Refusal::ZipMembers { file, max } => Msg::new("import-err-zip-members")
                .arg("file", file)
                .arg("max", figure(*max as u64)),
            Refusal::ZipPath { file, member } => Msg::new("import-err-zip-path")
                .arg("file", file)
                .arg("member", member),
        }
    }

    /// The API's message: the English catalogue's wording, with the zip reader's own detail
    /// where there is one.
    pub fn english(&self) -> String {
        let text = i18n::scope(Lang::En, || self.msg().text());
        match self {
            Refusal::ZipUnreadable { detail, .. } => format!("{text} ({detail})"),
            _ => text,
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "invalid_upload"
        };
        ApiError::new(r.status(), code, r.english())
            .said("", r.msg())
            .with_field("file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_words_in_the_readers_format() {
        assert_eq!(size_label(256 * 1024 * 1024), "256 MiB");
        assert_eq!(size_label(1000), "1,000 bytes");
        assert_eq!(size_label(1), "1 byte");
        i18n::scope(Lang::Ru, || {
            assert_eq!(size_label(1000), "1\u{a0}000 байт");
            assert_eq!(size_label(2), "2 байта");
        });
        i18n::scope(Lang::Uk, || assert_eq!(size_label(3 * 1024 * 1024), "3 МБ"));
    }

    #[test]
    fn the_api_keeps_english_and_the_page_the_readers_language() {
        let e: ApiError = i18n::scope(Lang::Uk, || {
            Refusal::ZipPath {
                file: "evil.zip".into(),
                member: "../x.xml".into(),
            }
            .into()
        });
        assert!(e.message.contains("outside its root"), "{}", e.message);
        let page = i18n::scope(Lang::Uk, || crate::error::error_text(&e));
        assert!(page.contains("поза коренем архіву"), "{page}");
    }

    #[test]
    fn an_unreadable_zip_keeps_the_zip_readers_detail_for_the_api_only() {
        let detail = zip::result::ZipError::InvalidArchive("Could not find EOCD".into());
        let r = Refusal::ZipUnreadable {
            file: "cut.zip".into(),
            fault: ZipFault::of(&detail),
            detail: detail.to_string(),
        };
        assert!(
            r.english().contains("Could not find EOCD"),
            "{}",
            r.english()
        );
        let page = i18n::scope(Lang::Kk, || r.msg().text());
        assert!(!page.contains("EOCD"), "{page}");
        assert!(page.contains("бүлінген"), "{page}");
    }
}
