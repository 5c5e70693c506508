//! OpenAPI schemas (utoipa) for the types whose JSON form is written by hand: the validated
//! string codes, sums that may be "overflow", and excluded flows (a flattened tagged enum). The
//! rest of the model derives `utoipa::ToSchema` beside `Serialize` (feature `openapi`, enabled by
//! the web crate only), so the API document follows the types.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

use crate::codes::{CountryCode, CurrencyCode, IatiOrgId, RecordId};
use crate::totals::{ExcludedFlow, Sum};

fn string(description: &str, pattern: &str, max: usize, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description))
        .pattern(Some(pattern))
        .min_length(Some(1))
        .max_length(Some(max))
        .examples([example])
        .into()
}

macro_rules! string_schema {
    ($ty:ty, $description:expr, $pattern:expr, $max:expr, $example:expr) => {
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string($description, $pattern, $max, $example)
            }
        }
        impl ToSchema for $ty {}
    };
}

string_schema!(
    RecordId,
    "Record id: 1-200 letters, digits, '-', '_', '.', ':', with at least one letter or digit",
    "^[A-Za-z0-9._:-]*[A-Za-z0-9][A-Za-z0-9._:-]*$",
    RecordId::MAX_LEN,
    "act-kz-semey-equipment"
);
string_schema!(
    CurrencyCode,
    "ISO 4217 alphabetic code from the IATI Currency codelist",
    "^[A-Z]{3}$",
    3,
    "JPY"
);
string_schema!(
    CountryCode,
    "ISO 3166-1 alpha-2 code from the IATI Country codelist",
    "^[A-Z]{2}$",
    2,
    "KZ"
);
string_schema!(
    IatiOrgId,
    "IATI organisation identifier: registration agency prefix, then the agency's number",
    "^[A-Za-z0-9._/-]+-[A-Za-z0-9._/-]+-[A-Za-z0-9._/-]+$",
    200,
    "XM-DAC-701-8"
);

impl PartialSchema for Sum {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some(
                "An exact decimal sum as a string, or \"overflow\" when it is beyond a decimal's range",
            ))
            .pattern(Some("^(-?[0-9]+(\\.[0-9]+)?|overflow)$"))
            .examples(["108700000", "overflow"])
            .into()
    }
}
impl ToSchema for Sum {}

impl PartialSchema for ExcludedFlow {
    fn schema() -> RefOr<Schema> {
        let reason = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some([
                "envelope_with_child_flows",
                "envelope_with_child_activities",
                "cancelled_activity",
            ]));
        let children = utoipa::openapi::schema::ArrayBuilder::new().items(RecordId::schema());
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .description(Some(
                "A flow left out of totals and why; `children` for an envelope counted through its child flows",
            ))
            .property("flow", RecordId::schema())
            .property("reason", reason)
            .property("children", children)
            .required("flow")
            .required("reason")
            .into()
    }
}
impl ToSchema for ExcludedFlow {}

/// A date as the API writes it (`YYYY-MM-DD`), for hand-built schemas elsewhere.
pub fn date_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .into()
}

/// One of several schemas, for hand-built unions elsewhere.
pub fn one_of(items: impl IntoIterator<Item = RefOr<Schema>>) -> RefOr<Schema> {
    let mut b = OneOfBuilder::new();
    for i in items {
        b = b.item(i);
    }
    b.into()
}
