//! Record builders for the data-entry forms (`/forms/...`): complete, valid field sets that a
//! test changes one field at a time, and the post that sends them with the form's hidden fields.

use axum::http::Method;

use super::{Client, Req, Resp};

pub type Fields = Vec<(String, String)>;

/// Replaces (or adds) one field.
pub fn set(fields: &mut Fields, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_string(), value.to_string()));
}

/// Drops every field whose name starts with `prefix` (a whole row group, say `flows[`).
pub fn drop_prefix(fields: &mut Fields, prefix: &str) {
    fields.retain(|(k, _)| !k.starts_with(prefix));
}

/// A complete, valid activity form as an editor of the Japanese embassy fills it: two countries,
/// two sectors, two participants, a legal step, a facility, a quoted source, one commitment and one
/// equipment line.
pub fn activity(title: &str) -> Fields {
    [
        ("title", title),
        ("instrument", "grant_aid"),
        ("status", "implementation"),
        ("start_date", "2026-03-01"),
        ("end_date", "2027-03-01"),
        ("description", "Ventilators for two hospitals"),
        ("countries[0].country", "Kazakhstan"),
        ("countries[0].percentage", "60"),
        ("countries[1].country", "kg"),
        ("countries[1].percentage", "40"),
        ("sectors[0].code", "12191"),
        ("sectors[0].percentage", "70"),
        ("sectors[1].code", "12230"),
        ("sectors[1].percentage", "30"),
        ("participants[0].org", "org-embassy-japan-kz"),
        ("participants[0].role", "funding"),
        (
            "participants[1].org",
            "Ministry of Health of the Republic of Kazakhstan",
        ),
        ("participants[1].role", "implementing"),
        ("legal_steps[0].kind", "grant_contract"),
        ("legal_steps[0].date", "2026-02-20"),
        ("facilities[0].facility", "fac-semey-university-hospital"),
        (
            "sources[0].quote",
            "Japan provides 30 million yen for ventilators",
        ),
        ("new_source.title", "Embassy press release on ventilators"),
        ("new_source.kind", "press_release"),
        (
            "new_source.url",
            "https://www.kz.emb-japan.go.jp/ventilators",
        ),
        ("flows[0].kind", "commitment"),
        ("flows[0].money.amount", "30000000"),
        ("flows[0].money.currency", "yen"),
        ("flows[0].money.value_date", "2026-02-20"),
        ("flows[0].provider", "org-embassy-japan-kz"),
        ("flows[0].receiver", "org-moh-kz"),
        ("flows[0].quote", "30 million yen"),
        ("equipment[0].description", "ICU ventilator"),
        ("equipment[0].category", "intensive_care"),
        ("equipment[0].quantity", "4"),
        ("equipment[0].facility", "fac-semey-university-hospital"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect()
}

/// The same activity with the id typed before the first save.
pub fn activity_with_id(title: &str, id: &str) -> Fields {
    let mut f = activity(title);
    set(&mut f, "id", id);
    f
}

/// Posts a new record's form with `action` (`submit`, `draft`, `add:…`, `remove:…`).
pub async fn post_new(
    c: &Client,
    cookie: &str,
    csrf: &str,
    path: &str,
    fields: &Fields,
    action: &str,
) -> Resp {
    post_mode(c, cookie, csrf, path, fields, action, "new").await
}

/// Posts a form in `mode` (`new`, or `edit` with the record's `_etag` among `fields`).
pub async fn post_mode(
    c: &Client,
    cookie: &str,
    csrf: &str,
    path: &str,
    fields: &Fields,
    action: &str,
    mode: &str,
) -> Resp {
    let mut all: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.push(("csrf", csrf));
    all.push(("_mode", mode));
    all.push(("_action", action));
    c.send(Req::new(Method::POST, path).cookie(cookie).form(&all))
        .await
}

/// The smallest activity an editor of the Japanese embassy can submit: one country, the embassy as
/// funder, and a quote from the demo's Semey grant source; the id typed. No flows or lines.
pub fn small_activity(id: &str, title: &str) -> Fields {
    [
        ("id", id),
        ("title", title),
        ("instrument", "grant_aid"),
        ("status", "pipeline"),
        ("start_date", "2025-01-01"),
        ("countries[0].country", "KZ"),
        ("countries[0].percentage", "100"),
        ("participants[0].org", "org-embassy-japan-kz"),
        ("participants[0].role", "funding"),
        ("sources[0].source", "src-kz-semey-grant"),
        ("sources[0].quote", "medical equipment"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect()
}

/// Adds one equipment line to a form.
pub fn with_equipment_line(mut fields: Fields, description: &str, quantity: &str) -> Fields {
    set(&mut fields, "equipment[0].description", description);
    set(&mut fields, "equipment[0].category", "intensive_care");
    set(&mut fields, "equipment[0].quantity", quantity);
    set(
        &mut fields,
        "equipment[0].facility",
        "fac-semey-university-hospital",
    );
    fields
}
