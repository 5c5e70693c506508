//! Text fields refuse control characters other than tab, line feed and carriage return
//! (browsers send a textarea's line breaks as CR LF). NUL and the other control characters break
//! CSV, XML (IATI export refuses them) and terminals, and are never meant. So are the
//! characters that open a direction: the embeddings and overrides U+202A, U+202B, U+202D, U+202E
//! and the isolates U+2066, U+2067, U+2068. They make the text after them display in another
//! order than the stored one ("100 - 900" after U+202B or U+2067 reads "900 - 100"), so a
//! title an approver reads need not be the title stored ("Trojan Source"). The marks that only
//! close one (U+202C, U+2069) and the plain direction marks U+200E/U+200F stay allowed: real IATI
//! narratives carry them, and alone they open nothing.
//!
//! Every text field of every record kind is covered by walking the record's serde form, so a
//! field added later is covered too. The common case (nothing wrong) is a walk that looks at each
//! string without building anything; only a record that has such a character is walked again,
//! as JSON, to name the field.

use std::fmt;

use serde::Serialize;
use serde::ser;

use crate::error::{ProblemId, ValidationError};
use crate::model::Record;

/// Whether a character may appear in a text field.
pub fn allowed_char(c: char) -> bool {
    (!c.is_control() || matches!(c, '\t' | '\n' | '\r')) && !is_override(c)
}

/// A character that opens a direction (embedding, override or isolate).
fn is_override(c: char) -> bool {
    matches!(
        c,
        '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}' | '\u{2067}' | '\u{2068}'
    )
}

/// Refuses a control character in any text of the record, naming the field.
pub fn plain_text(record: &Record) -> Result<(), ValidationError> {
    if record.serialize(Scan).is_ok() {
        return Ok(());
    }
    let value = serde_json::to_value(record).unwrap_or_default();
    match first_control(&value, String::new()) {
        Some((field, text)) => {
            let c = text.chars().find(|c| !allowed_char(*c)).unwrap_or('\0');
            let code = format!("U+{:04X}", u32::from(c));
            let (why, problem) = if is_override(c) {
                (
                    format!(
                        "contains the bidirectional control {code}, which shows the text after it in another order than it is stored"
                    ),
                    ProblemId::BidiControl,
                )
            } else {
                (
                    format!(
                        "contains the control character {code}; only tab and line breaks are allowed in text"
                    ),
                    ProblemId::ControlCharacter,
                )
            };
            Err(ValidationError::new(field, text.escape_debug(), why)
                .because(problem)
                .with_text("code", code))
        }
        None => Ok(()),
    }
}

fn first_control(value: &serde_json::Value, path: String) -> Option<(String, String)> {
    use serde_json::Value;
    let bad = |s: &str| s.chars().any(|c| !allowed_char(c));
    match value {
        Value::String(s) => bad(s).then(|| (path, s.clone())),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_control(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if bad(k) {
                return Some((field, k.clone()));
            }
            first_control(v, field)
        }),
        _ => None,
    }
}

/// "A refused character was seen" (or the record could not be serialised: the JSON walk then
/// decides).
#[derive(Debug)]
struct Found;

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("control character")
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Found
    }
}

fn check(s: &str) -> Result<(), Found> {
    // Printable ASCII, the common case, needs no decoding.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || s.chars().all(allowed_char) {
        Ok(())
    } else {
        Err(Found)
    }
}

/// Checks text formatted through `collect_str` (dates, ids) without allocating it.
struct CheckWriter;

impl fmt::Write for CheckWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        check(s).map_err(|_| fmt::Error)
    }
}

/// A serializer that only looks at strings.
#[derive(Clone, Copy)]
struct Scan;

type R = Result<(), Found>;

impl ser::Serializer for Scan {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> R {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> R {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> R {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> R {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> R {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> R {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> R {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> R {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> R {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> R {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> R {
        Ok(())
    }
    fn serialize_char(self, c: char) -> R {
        if allowed_char(c) { Ok(()) } else { Err(Found) }
    }
    fn serialize_str(self, s: &str) -> R {
        check(s)
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Ok(())
    }
    fn serialize_none(self) -> R {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> R {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Found> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Found> {
        Ok(self)
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, v: &T) -> R {
        fmt::write(&mut CheckWriter, format_args!("{v}")).map_err(|_| Found)
    }
}

impl ser::SerializeSeq for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTuple for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeMap for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> R {
        k.serialize(Scan)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeStruct for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _: &'static str, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Scan {
    type Ok = ();
    type Error = Found;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _: &'static str, v: &T) -> R {
        v.serialize(Scan)
    }
    fn end(self) -> R {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Source, SourceKind};
    use proptest::prelude::*;

    fn source(title: &str, quote_like: Option<String>) -> Record {
        Record::Source(Source {
            id: crate::RecordId::parse("s1").unwrap(),
            title: title.to_string(),
            kind: SourceKind::Other,
            url: None,
            publisher: quote_like,
            published: None,
            language: None,
        })
    }

    proptest! {
        /// The fast walk and the naming walk agree: a text is refused exactly when it holds a
        /// refused character, and the field is named.
        #[test]
        fn refused_exactly_when_a_control_character_is_present(title in any::<String>(), publisher in proptest::option::of(any::<String>())) {
            let bad = |s: &str| s.chars().any(|c| !allowed_char(c));
            let expect_title = bad(&title);
            let expect_publisher = publisher.as_deref().is_some_and(bad);
            match plain_text(&source(&title, publisher.clone())) {
                Ok(()) => prop_assert!(!expect_title && !expect_publisher),
                Err(e) => {
                    prop_assert!(expect_title || expect_publisher);
                    prop_assert!(e.field == "title" || e.field == "publisher", "{}", e.field);
                }
            }
        }
    }
}

/// `text` as the readable part of a record id: ASCII letters and digits in lower case (other
/// scripts transliterated: "Аппараты ИВЛ" gives "apparaty-ivl"), joined by single '-', at most
/// `max` characters; empty when nothing is left. Forms, intake and the energy planner's commit
/// name the records they create with it.
pub fn slug(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '`') {
            // Within a word: transliteration marks some letters so ("Қ" is "K'").
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    // ASCII only, so a byte is a character.
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod slug_tests {
    use super::slug;

    #[test]
    fn other_scripts_are_written_in_latin_letters() {
        assert_eq!(slug("Аппараты ИВЛ", 60), "apparaty-ivl");
        assert_eq!(
            slug("Апараты ШВЛ для Харкова", 60),
            "aparaty-shvl-dlia-kharkova"
        );
        assert_eq!(slug("Қазақстан", 60), "kazakstan");
        assert_eq!(slug("Don't stop", 60), "dont-stop");
    }

    #[test]
    fn punctuation_makes_one_dash_and_none_at_the_ends() {
        assert_eq!(slug("  MRI -- for Semey!! ", 60), "mri-for-semey");
        assert_eq!(slug("!!!", 60), "");
    }

    #[test]
    fn the_length_is_cut_without_a_trailing_dash() {
        assert_eq!(slug("abc def", 4), "abc");
        assert_eq!(slug("abcdef", 3), "abc");
    }
}
