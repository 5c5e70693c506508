//! Building blocks of the OpenAPI 3.1 document at `/api/v1/openapi.json`. Every parameter, body
//! and response carries a schema generated from the Rust type that reads or writes it
//! (`utoipa::ToSchema`, derived beside `Serialize`), and every error response the stable error
//! shape [`ApiError`]. Adding a route is one statement:
//!
//! ```ignore
//! Op::post("merge_organisation", "Merge one organisation into another")
//!     .path_id("id", "the organisation merged away")
//!     .body::<MergeRequest>("what to merge into")
//!     .ok::<MergeReport>("200", "Merged")
//!     .errors(&[400, 401, 403, 404, 409, 422])
//!     .add(doc, "/api/v1/organisations/{id}/merge");
//! ```

use std::borrow::Cow;

use utoipa::ToSchema;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Schema,
};

use crate::error::ApiError;

/// Names of the security schemes: an API token (`aidtrace token create`) or a session cookie.
pub const BEARER: &str = "bearer";
pub const SESSION: &str = "session";

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone while the public view is on (`serve --no-public` makes it signed-in only).
    Public,
    /// Signed in: an API token or a session (writes with a session also need the CSRF header).
    SignedIn,
}

/// One operation being described; [`Op::add`] puts it into the document with the schemas it
/// names.
pub struct Op {
    method: HttpMethod,
    builder: OperationBuilder,
    schemas: Vec<(String, RefOr<Schema>)>,
    errors: Vec<u16>,
}

fn reference<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// An integer schema (counts, page numbers, change ids) with its bounds.
pub fn integer(min: i64, max: Option<i64>) -> RefOr<Schema> {
    let mut b = ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Integer))
        .minimum(Some(min as f64));
    if let Some(max) = max {
        b = b.maximum(Some(max as f64));
    }
    b.into()
}

/// A string schema, optionally limited to `values`.
pub fn string(values: &[&str]) -> RefOr<Schema> {
    let b = ObjectBuilder::new().schema_type(SchemaType::new(Type::String));
    if values.is_empty() {
        b.into()
    } else {
        b.enum_values(Some(values.iter().copied())).into()
    }
}

fn parameter(
    name: &str,
    at: ParameterIn,
    required: bool,
    what: &str,
    schema: RefOr<Schema>,
) -> Parameter {
    let required = required || at == ParameterIn::Path;
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(what))
        .schema(Some(schema))
        .build()
}

/// A parameter whose value is any string (the handler checks it and names it in a 400).
pub fn param(name: &str, at: ParameterIn, required: bool, what: &str) -> Parameter {
    parameter(name, at, required, what, string(&[]))
}

impl Op {
    fn new(method: HttpMethod, id: &str, summary: &str) -> Self {
        Self {
            method,
            builder: OperationBuilder::new()
                .operation_id(Some(id))
                .summary(Some(summary)),
            schemas: Vec::new(),
            errors: Vec::new(),
        }
        .access(Access::Public)
    }

    pub fn get(id: &str, summary: &str) -> Self {
        Self::new(HttpMethod::Get, id, summary)
    }

    pub fn put(id: &str, summary: &str) -> Self {
        Self::new(HttpMethod::Put, id, summary).access(Access::SignedIn)
    }

    pub fn post(id: &str, summary: &str) -> Self {
        Self::new(HttpMethod::Post, id, summary).access(Access::SignedIn)
    }

    pub fn describe(mut self, text: &str) -> Self {
        self.builder = self.builder.description(Some(text));
        self
    }

    pub fn tag(mut self, tag: &str) -> Self {
        self.builder = self.builder.tag(tag);
        self
    }

    /// Who may call it: public operations accept no credentials as well as either kind.
    pub fn access(mut self, access: Access) -> Self {
        let mut with = vec![
            SecurityRequirement::new(BEARER, Vec::<String>::new()),
            SecurityRequirement::new(SESSION, Vec::<String>::new()),
        ];
        if access == Access::Public {
            with.insert(0, SecurityRequirement::default());
        }
        self.builder = self.builder.securities(Some(with));
        if access == Access::SignedIn && !self.errors.contains(&401) {
            self.errors.push(401);
        }
        self
    }

    /// A parameter with an explicit schema.
    pub fn param(
        mut self,
        name: &str,
        at: ParameterIn,
        required: bool,
        what: &str,
        schema: RefOr<Schema>,
    ) -> Self {
        self.builder = self
            .builder
            .parameter(parameter(name, at, required, what, schema));
        self
    }

    /// A parameter whose schema is `T`'s.
    pub fn param_of<T: ToSchema>(
        mut self,
        name: &str,
        at: ParameterIn,
        required: bool,
        what: &str,
    ) -> Self {
        let schema = reference::<T>(&mut self.schemas);
        self.param(name, at, required, what, schema)
    }

    /// A query parameter taking any string.
    pub fn query(self, name: &str, required: bool, what: &str) -> Self {
        self.param(name, ParameterIn::Query, required, what, string(&[]))
    }

    /// The `page` (1-based, default 1) and `per_page` (1-500, described by `per_page`) query
    /// parameters of a paged list.
    pub fn paged(self, per_page: &str) -> Self {
        self.param(
            "page",
            ParameterIn::Query,
            false,
            "1-based page number, default 1",
            integer(1, None),
        )
        .param(
            "per_page",
            ParameterIn::Query,
            false,
            per_page,
            integer(1, Some(500)),
        )
    }

    /// A query parameter taking one of `values`.
    pub fn query_enum(self, name: &str, required: bool, what: &str, values: &[&str]) -> Self {
        self.param(name, ParameterIn::Query, required, what, string(values))
    }

    /// A query parameter taking a date, `YYYY-MM-DD`.
    pub fn query_date(self, name: &str, what: &str) -> Self {
        self.param(
            name,
            ParameterIn::Query,
            false,
            what,
            aidtrace_domain::openapi::date_schema(),
        )
    }

    /// A record id in the path.
    pub fn path_id(self, name: &str, what: &str) -> Self {
        self.param_of::<aidtrace_domain::RecordId>(name, ParameterIn::Path, true, what)
    }

    /// Adds `T`'s schema to the components (for a schema built by hand that refers to it).
    pub fn uses<T: ToSchema>(mut self) -> Self {
        reference::<T>(&mut self.schemas);
        self
    }

    /// A JSON request body of type `T` (required).
    pub fn body<T: ToSchema>(mut self, what: &str) -> Self {
        let schema = reference::<T>(&mut self.schemas);
        self.builder = self.builder.request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(what))
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                )
                .build(),
        ));
        self
    }

    /// An optional JSON request body with an explicit schema.
    pub fn optional_body(mut self, what: &str, schema: RefOr<Schema>) -> Self {
        self.builder = self.builder.request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(what))
                .required(Some(Required::False))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(schema)).build(),
                )
                .build(),
        ));
        self
    }

    /// A JSON response of type `T`.
    pub fn ok<T: ToSchema>(mut self, status: &str, what: &str) -> Self {
        let schema = reference::<T>(&mut self.schemas);
        self.json(status, what, schema, false)
    }

    /// A JSON response that is an array of `T`.
    pub fn ok_list<T: ToSchema>(mut self, status: &str, what: &str) -> Self {
        let item = reference::<T>(&mut self.schemas);
        self.json(status, what, ArrayBuilder::new().items(item).into(), false)
    }

    /// A JSON response with an explicit schema; `etag` adds the `ETag` header.
    pub fn json(mut self, status: &str, what: &str, schema: RefOr<Schema>, etag: bool) -> Self {
        let mut response = ResponseBuilder::new().description(what).content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        );
        if etag {
            response = response.header(
                "ETag",
                HeaderBuilder::new()
                    .schema(string(&[]))
                    .description(Some("the version of the record returned, for If-Match"))
                    .build(),
            );
        }
        self.builder = self.builder.response(status, response.build());
        self
    }

    /// A response of another media type (e.g. FHIR JSON) whose body is described in words.
    pub fn other(mut self, status: &str, what: &str, media: &str) -> Self {
        let schema: RefOr<Schema> = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .into();
        self.builder = self.builder.response(
            status,
            ResponseBuilder::new()
                .description(what)
                .content(media, ContentBuilder::new().schema(Some(schema)).build())
                .build(),
        );
        self
    }

    /// Error statuses the operation can answer, each with the error body.
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        for s in statuses {
            if !self.errors.contains(s) {
                self.errors.push(*s);
            }
        }
        self
    }

    /// Puts the operation at `path` and its schemas into the components.
    pub fn add(mut self, doc: &mut OpenApi, path: &str) {
        let error = reference::<ApiError>(&mut self.schemas);
        self.errors.sort_unstable();
        for status in &self.errors {
            self.builder = self.builder.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description(error_text(*status))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(error.clone())).build(),
                    )
                    .build(),
            );
        }
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, schema) in self.schemas {
            components.schemas.entry(name).or_insert(schema);
        }
        doc.paths
            .add_path_operation(path, vec![self.method], self.builder.build());
    }
}

fn error_text(status: u16) -> Cow<'static, str> {
    Cow::Borrowed(match status {
        400 => "The request is malformed: `field` names the parameter or field at fault",
        401 => "Not signed in, or the token or session is invalid or expired",
        403 => "Signed in, but not allowed (role, scope, or a missing CSRF token)",
        404 => "No such record, change or resource",
        409 => {
            "The change conflicts with the ledger (the record moved on, or the change was decided)"
        }
        412 => "The If-Match or If-None-Match precondition failed",
        413 => "The body is larger than the limit",
        422 => "The record or body is well-formed but invalid: `field` names the field",
        428 => "Replacing an existing record needs If-Match",
        429 => "Too many requests",
        _ => "Error",
    })
}

/// The security schemes every operation refers to.
pub fn add_security(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token from `aidtrace token create`"))
                .build(),
        ),
    );
    components.add_security_scheme(
        SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::SESSION_COOKIE,
            "The session cookie set by signing in at /login; a write with it must also send the session's CSRF token in an `X-CSRF-Token` header",
        ))),
    );
}

/// A JSON object described in words, for report bodies not yet generated from a type.
pub fn object(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Object))
        .description(Some(what))
        .into()
}

/// Records as the API sends them carry their `record` tag (the model's `Record` enum is tagged),
/// and a facility shown to the public may say how far its location was blurred; the record
/// types' own schemas know neither. Each collection's schema also gets an example: the first
/// record of its kind in the seed scenario, so every example is one the server accepts.
pub fn tag_records(doc: &mut OpenApi, collections: &[(&str, aidtrace_domain::RecordKind)]) {
    let seed: serde_json::Value =
        serde_json::from_str(aidtrace_service::demo::SEED_JSON).unwrap_or_default();
    let seeded = seed["records"].as_array().cloned().unwrap_or_default();
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (_, kind) in collections {
        let tag = kind.as_str();
        let name = type_name(tag);
        let Some(RefOr::T(Schema::Object(schema))) = components.schemas.get_mut(&name) else {
            continue;
        };
        schema.properties.insert(
            "record".into(),
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .enum_values(Some([tag]))
                .description(Some("the record kind; optional in a request body"))
                .into(),
        );
        if *kind == aidtrace_domain::RecordKind::Facility {
            schema.properties.insert(
                "location_blurred_km".into(),
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .description(Some(
                        "public view only: the location is blurred to this radius (km)",
                    ))
                    .into(),
            );
        }
        if let Some(example) = seeded.iter().find(|r| r["record"] == tag) {
            schema.examples = vec![example.clone()];
        }
    }
}

/// `equipment_line` → `EquipmentLine`: the Rust type's (and so the schema's) name.
fn type_name(tag: &str) -> String {
    tag.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
