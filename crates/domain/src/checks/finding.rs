//! One finding: the rule, its severity, the record it is about, and what it says. What it says
//! sits behind a shared pointer, so the findings of a rule whose sentence does not depend on the
//! record (a million flows without a source) share one sentence: a finding is 48 bytes instead
//! of 120, which at a million flows is 70 MB of the server's resident memory (issue #13).

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Message, Severity};
use crate::codes::RecordId;
use crate::model::RecordKind;

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub record_kind: RecordKind,
    pub record: RecordId,
    said: Arc<Said>,
}

/// What a finding says, shared between findings that say the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    message: Cow<'static, str>,
    ratio: Option<Decimal>,
    detail: Message,
}

impl Said {
    /// A sentence with its message id and arguments, to share between findings.
    pub fn new(message: impl Into<Cow<'static, str>>, detail: Message) -> Arc<Self> {
        Arc::new(Self {
            message: message.into(),
            ratio: None,
            detail,
        })
    }
}

impl Finding {
    /// A finding whose message id and arguments are still to be given ([`Self::said`]).
    pub fn new(
        rule: &'static str,
        severity: Severity,
        record_kind: RecordKind,
        record: RecordId,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::saying(
            rule,
            severity,
            record_kind,
            record,
            Said::new(message, Message::default()),
        )
    }

    /// A finding that says what others say.
    pub fn saying(
        rule: &'static str,
        severity: Severity,
        record_kind: RecordKind,
        record: RecordId,
        said: Arc<Said>,
    ) -> Self {
        Self {
            rule,
            severity,
            record_kind,
            record,
            said,
        }
    }

    /// The finding with its message's id and arguments.
    pub fn said(mut self, detail: Message) -> Self {
        Arc::make_mut(&mut self.said).detail = detail;
        self
    }

    /// The finding with the ratio behind it.
    pub fn with_ratio(mut self, ratio: Option<Decimal>) -> Self {
        Arc::make_mut(&mut self.said).ratio = ratio;
        self
    }

    /// The finding with more said at the end of its English sentence.
    pub fn appended(mut self, more: &str) -> Self {
        Arc::make_mut(&mut self.said)
            .message
            .to_mut()
            .push_str(more);
        self
    }

    /// The English sentence.
    pub fn message(&self) -> &str {
        &self.said.message
    }

    /// For the stated-equivalent rule: stated ÷ converted; for EQ-SUM: lines ÷ commitments.
    pub fn ratio(&self) -> Option<Decimal> {
        self.said.ratio
    }

    /// The message as an id and arguments, for interfaces that translate it; [`Self::message`]
    /// is its English sentence.
    pub fn detail(&self) -> &Message {
        &self.said.detail
    }
}

// A finding as the API and the CLI's JSON give it (a plain comment: a doc comment would become
// the schema's description, which the type's own fields describe).
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Finding))]
struct FindingJson<'a> {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "LEDGER-OVERSPENT"))]
    rule: &'a str,
    severity: Severity,
    record_kind: RecordKind,
    record: &'a RecordId,
    /// The English sentence.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    message: &'a str,
    /// For the stated-equivalent rule: stated ÷ converted; for EQ-SUM: lines ÷ commitments.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::exact_decimal::option"
    )]
    ratio: Option<Decimal>,
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FindingJson {
            rule: self.rule,
            severity: self.severity,
            record_kind: self.record_kind,
            record: &self.record,
            message: self.message(),
            ratio: self.ratio(),
        }
        .serialize(s)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Finding {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <FindingJson<'static> as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Finding {
    fn name() -> Cow<'static, str> {
        <FindingJson<'static> as utoipa::ToSchema>::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <FindingJson<'static> as utoipa::ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Finding, Said, Severity};
    use crate::checks::Message;
    use crate::codes::RecordId;
    use crate::model::RecordKind;
    use rust_decimal::Decimal;

    fn id(s: &str) -> RecordId {
        RecordId::parse(s).expect("id")
    }

    /// A finding about flow `flow` that says `said`.
    fn about(flow: &str, rule: &'static str, severity: Severity, said: &Arc<Said>) -> Finding {
        Finding::saying(rule, severity, RecordKind::Flow, id(flow), said.clone())
    }

    #[test]
    fn a_finding_is_small() {
        assert!(std::mem::size_of::<Finding>() <= 48);
    }

    #[test]
    fn findings_sharing_a_sentence_are_told_apart_by_their_record() {
        let said = Said::new("no source cited", Message::new("ledger-nosource"));
        let a = about("f-1", "LEDGER-NOSOURCE", Severity::Info, &said);
        let b = about("f-2", "LEDGER-NOSOURCE", Severity::Info, &said);
        assert_ne!(a, b);
        assert_eq!(a.message(), b.message());
        assert_eq!(a.detail().id, "ledger-nosource");
    }

    /// Changing one finding's words leaves a finding it shared them with as it was.
    #[test]
    fn changing_a_shared_sentence_copies_it() {
        let said = Said::new("stated equivalent", Message::new("fx-equiv"));
        let a = about("f-1", "FX-EQUIV", Severity::Warning, &said);
        let b = about("f-2", "FX-EQUIV", Severity::Warning, &said)
            .appended(" (provisional)")
            .with_ratio(Some(Decimal::TWO));
        assert_eq!(a.message(), "stated equivalent");
        assert_eq!(a.ratio(), None);
        assert_eq!(b.message(), "stated equivalent (provisional)");
        assert_eq!(b.ratio(), Some(Decimal::TWO));
    }

    #[test]
    fn json_has_the_same_fields_as_before() {
        let f = Finding::new(
            "EQ-SUM",
            Severity::Warning,
            RecordKind::Activity,
            id("a-1"),
            "lines",
        )
        .with_ratio(Some(Decimal::new(15, 1)));
        let json = serde_json::to_string(&f).expect("json");
        assert_eq!(
            json,
            r#"{"rule":"EQ-SUM","severity":"warning","record_kind":"activity","record":"a-1","message":"lines","ratio":"1.5"}"#
        );
        let plain = Finding::new("X", Severity::Info, RecordKind::Flow, id("f-1"), "m");
        assert!(
            !serde_json::to_string(&plain)
                .expect("json")
                .contains("ratio")
        );
    }
}
