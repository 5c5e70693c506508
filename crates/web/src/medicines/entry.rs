//! Consignment entry in the browser: the header (donor, activity, mode, dates, destination,
//! declared value with its basis, the request it answers, the source) and the packing lines,
//! typed field by field or pasted as scanned GS1 element strings (one per line), which fill the
//! product (by its GTIN), expiry, lot and serial. "Check" shows the WHO guideline findings of
//! every line before anything is saved; "Record" then writes the consignment through the approval
//! workflow (`edit::write`) like every other form. Every field problem is shown at once beside
//! its field, with what was typed kept, and nothing is written while there is one.
//!
//! Works without JavaScript: "add a line", "remove" and "fill lines from the scans" are submit
//! buttons that re-render the form without saving.

use std::collections::BTreeMap;

use aidtrace_domain::coded::Coded;
use aidtrace_domain::medicines::{
    Consignment, ConsignmentMode, DestinationKind, PackingLine, ValueBasis, gs1,
};
use aidtrace_domain::model::Citation;
use aidtrace_domain::money::{Money, parse_exact};
use aidtrace_domain::{CountryCode, CurrencyCode, Ledger, RecordId};
use aidtrace_service::medicine_entry as entry;
use chrono::NaiveDate;

use crate::auth::{Caller, Principal};
use crate::changes::forms::{Values, group_rows};
use crate::error::{ApiError, PageError};
use crate::i18n::{self, t, ta};

/// The fields of one packing line, in the order they are shown.
pub const LINE_FIELDS: [&str; 11] = [
    "gs1",
    "gtin",
    "product",
    "lot",
    "expiry",
    "manufactured",
    "quantity",
    "unit_value",
    "label_languages",
    "inn_on_label",
    "serial",
];

/// At most this many lines are typed on the page; longer packing lists come as a file
/// (`aidtrace medicine consignment --packing`).
pub const MAX_FORM_LINES: usize = 500;

/// One field's problem, already in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub text: String,
}

impl Problem {
    fn new(field: impl Into<String>, text: String) -> Self {
        Self {
            field: field.into(),
            text,
        }
    }

    fn key(field: &str, key: &str, value: &str) -> Self {
        Self::new(field, with_value(t(key), value))
    }
}

fn with_value(text: String, value: &str) -> String {
    if value.is_empty() {
        text
    } else {
        format!("{text} — «{value}»")
    }
}

/// The editor's principal, refused (403, in the reader's language) to anyone who edits nothing.
pub fn editor(caller: &Caller) -> Result<Principal, PageError> {
    let p = caller.require()?;
    if !p.can_edit_something() {
        return Err(PageError(ApiError::forbidden(ta(
            "err-may-not-edit",
            &[("name", &p.name), ("role", &i18n::value(p.role.as_str()))],
        ))));
    }
    Ok(p.clone())
}

/// A model sentence about a consignment field in the reader's language.
pub fn model_text(value: &str, message: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "expires on or before its manufacture date",
            "medf-err-expiry-manufacture",
        ),
        (
            "had already expired when shipped",
            "medf-err-expired-shipped",
        ),
        ("arrives before it was shipped", "medf-err-arrived-before"),
        ("a language is a two-letter", "medf-err-language"),
        ("a quantity is at least 1", "medf-err-quantity"),
        ("implausibly large", "medf-err-quantity-large"),
        ("name at least one language", "medf-err-languages-needed"),
    ];
    match KNOWN.iter().find(|(start, _)| message.starts_with(start)) {
        Some((_, key)) => with_value(t(key), value),
        None => i18n::field_problem(value, message),
    }
}

/// A scanned string's refusal in the reader's language, naming the part of it at fault.
pub fn gs1_text(e: &gs1::Gs1Error) -> String {
    use gs1::Gs1Error as E;
    match e {
        E::Empty => t("medf-gs1-empty"),
        E::UnknownAi(ai) => ta("medf-gs1-unknown-ai", &[("ai", ai)]),
        E::Repeated { ai } => ta("medf-gs1-repeated", &[("ai", ai)]),
        E::WrongLength {
            ai,
            expected,
            found,
        } => ta(
            "medf-gs1-length",
            &[
                ("ai", ai),
                ("expected", &expected.to_string()),
                ("found", found),
            ],
        ),
        E::GtinDigits(v) => ta("medf-gs1-gtin-digits", &[("value", v)]),
        E::CheckDigit {
            gtin,
            found,
            expected,
        } => ta(
            "medf-gs1-check-digit",
            &[
                ("gtin", gtin),
                ("found", &found.to_string()),
                ("expected", &expected.to_string()),
            ],
        ),
        E::ImpossibleDate(v) => ta("medf-gs1-date", &[("value", v)]),
        E::BadText { ai, value } => ta("medf-gs1-text", &[("ai", ai), ("value", value)]),
    }
}

/// The form after reading it: the consignment when every field was good, the problems, and the
/// values as they are to be shown again (scans filled in, empty lines dropped).
pub struct Read {
    pub consignment: Option<Consignment>,
    pub problems: Vec<Problem>,
    pub values: Values,
}

fn cell<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map_or("", |v| v.trim())
}

fn choice<T: Coded>(values: &Values, name: &str, problems: &mut Vec<Problem>) -> Option<T> {
    let raw = cell(values, name);
    let found = T::all().iter().copied().find(|v| (*v).into() == raw);
    if found.is_none() {
        problems.push(Problem::key(name, "medf-err-choice", raw));
    }
    found
}

fn date(values: &Values, name: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let raw = cell(values, name);
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        problems.push(Problem::key(name, "medf-err-date", raw));
    }
    parsed
}

fn required<T>(
    got: Option<T>,
    values: &Values,
    name: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    if got.is_none() && cell(values, name).is_empty() {
        problems.push(Problem::key(name, "medf-err-required", ""));
    }
    got
}

/// A record id naming a record of the ledger (`exists`), or a problem.
fn reference(
    values: &Values,
    name: &str,
    exists: impl Fn(&RecordId) -> bool,
    problems: &mut Vec<Problem>,
) -> Option<RecordId> {
    let raw = cell(values, name);
    if raw.is_empty() {
        return None;
    }
    match RecordId::parse(raw) {
        Ok(id) if exists(&id) => Some(id),
        _ => {
            problems.push(Problem::key(name, "medf-err-no-record", raw));
            None
        }
    }
}

fn languages(values: &Values, name: &str, problems: &mut Vec<Problem>) -> Vec<String> {
    let list: Vec<String> = cell(values, name)
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    for l in &list {
        if l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.push(Problem::key(name, "medf-err-language", l));
        }
    }
    list
}

/// Whether a line row holds nothing typed (such rows are dropped, not refused).
fn blank(row: &BTreeMap<String, String>) -> bool {
    row.iter()
        .all(|(k, v)| v.trim().is_empty() || (k == "inn_on_label" && v == "yes"))
}

/// The packing lines: the pasted scans appended, empty rows dropped, rows renumbered 0, 1, …
fn line_rows(values: &Values, ledger: &Ledger, today: NaiveDate) -> Vec<BTreeMap<String, String>> {
    let mut rows: Vec<BTreeMap<String, String>> = group_rows(values, "lines")
        .into_iter()
        .filter(|r| !blank(r))
        .collect();
    for scan in cell(values, "paste").lines() {
        let scan = scan.trim_end_matches(['\r', '\n']);
        if scan.trim().is_empty() {
            continue;
        }
        let mut row = BTreeMap::new();
        row.insert("gs1".to_string(), scan.trim().to_string());
        row.insert("inn_on_label".to_string(), "yes".to_string());
        rows.push(row);
    }
    // A scan fills what is not typed; typed fields win.
    for row in &mut rows {
        let scanned = row.get("gs1").map(|s| s.trim().to_string());
        let Some(text) = scanned.filter(|s| !s.is_empty()) else {
            continue;
        };
        let Ok(s) = entry::scan(ledger, &text, today) else {
            continue;
        };
        let mut fill = |field: &str, v: Option<String>| {
            if let Some(v) = v
                && row.get(field).is_none_or(|x| x.trim().is_empty())
            {
                row.insert(field.to_string(), v);
            }
        };
        fill("gtin", s.fields.gtin.clone());
        fill("product", s.product.as_ref().map(ToString::to_string));
        fill("lot", s.fields.lot.clone());
        fill("expiry", s.fields.expiry.map(|d| d.to_string()));
        fill("serial", s.fields.serial.clone());
    }
    rows
}

fn put_rows(values: &mut Values, rows: &[BTreeMap<String, String>]) {
    values.retain(|k, _| !k.starts_with("lines["));
    for (i, row) in rows.iter().enumerate() {
        for (k, v) in row {
            values.insert(format!("lines[{i}].{k}"), v.clone());
        }
    }
}

fn line(
    values: &Values,
    i: usize,
    ledger: &Ledger,
    today: NaiveDate,
    problems: &mut Vec<Problem>,
) -> Option<PackingLine> {
    let name = |f: &str| format!("lines[{i}].{f}");
    let before = problems.len();
    let gs1_raw = cell(values, &name("gs1"));
    if !gs1_raw.is_empty()
        && let Err(e) = entry::scan(ledger, gs1_raw, today)
    {
        problems.push(Problem::new(name("gs1"), with_value(gs1_text(&e), gs1_raw)));
    }
    let gtin = cell(values, &name("gtin"));
    if !gtin.is_empty()
        && let Err(e) = gs1::check_gtin(gtin)
    {
        problems.push(Problem::new(name("gtin"), gs1_text(&e)));
    }
    let product = required(
        reference(
            values,
            &name("product"),
            |id| ledger.medicine_products.contains_key(id),
            problems,
        ),
        values,
        &name("product"),
        problems,
    );
    if let Some(p) = product
        .as_ref()
        .and_then(|p| ledger.medicine_products.get(p))
        && !gtin.is_empty()
        && gs1::check_gtin(gtin).is_ok()
        && p.gtin
            .as_deref()
            .is_some_and(|g| format!("{g:0>14}") != format!("{gtin:0>14}"))
    {
        problems.push(Problem::new(
            name("gtin"),
            ta(
                "medf-err-gtin-product",
                &[("gtin", gtin), ("product", p.gtin.as_deref().unwrap_or(""))],
            ),
        ));
    }
    if product.is_none() && !gtin.is_empty() && entry::product_by_gtin(ledger, gtin).is_none() {
        problems.push(Problem::new(
            name("product"),
            ta("medf-err-gtin-unknown", &[("gtin", gtin)]),
        ));
    }
    let lot = cell(values, &name("lot")).to_string();
    if lot.is_empty() {
        problems.push(Problem::key(&name("lot"), "medf-err-required", ""));
    }
    let expiry = required(
        date(values, &name("expiry"), problems),
        values,
        &name("expiry"),
        problems,
    );
    let manufactured = date(values, &name("manufactured"), problems);
    let q_raw = cell(values, &name("quantity"));
    let quantity = match q_raw.parse::<u64>() {
        Ok(q) if q > 0 => Some(q),
        _ => {
            problems.push(Problem::key(&name("quantity"), "medf-err-quantity", q_raw));
            None
        }
    };
    let uv_raw = cell(values, &name("unit_value"));
    let unit_value = if uv_raw.is_empty() {
        None
    } else {
        match parse_exact(uv_raw) {
            Ok(v) if !v.is_sign_negative() || v.is_zero() => Some(v),
            _ => {
                problems.push(Problem::key(&name("unit_value"), "medf-err-amount", uv_raw));
                None
            }
        }
    };
    let label_languages = languages(values, &name("label_languages"), problems);
    let inn_on_label = match cell(values, &name("inn_on_label")) {
        "" | "yes" => true,
        "no" => false,
        other => {
            problems.push(Problem::key(
                &name("inn_on_label"),
                "medf-err-choice",
                other,
            ));
            true
        }
    };
    let serial = Some(cell(values, &name("serial")).to_string()).filter(|s| !s.is_empty());
    if problems.len() > before {
        return None;
    }
    Some(PackingLine {
        product: product?,
        lot,
        expiry: expiry?,
        manufactured,
        quantity: quantity?,
        unit_value,
        label_languages,
        inn_on_label,
        serial,
    })
}

/// Reads the whole form: every problem at once, the consignment only when there is none.
pub fn read(form: &Values, ledger: &Ledger, today: NaiveDate) -> Read {
    let mut values = form.clone();
    values.retain(|k, _| !k.starts_with('_') && k != "csrf");
    let rows = line_rows(&values, ledger, today);
    put_rows(&mut values, &rows);
    values.remove("paste");
    let mut problems = Vec::new();
    let p = &mut problems;
    let id = match cell(&values, "id") {
        "" => None,
        raw => match RecordId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                p.push(Problem::key("id", "medf-err-id", raw));
                None
            }
        },
    };
    let donor = reference(
        &values,
        "donor",
        |id| ledger.organisations.contains_key(id),
        p,
    );
    let donor = required(donor, &values, "donor", p);
    let activity = reference(
        &values,
        "activity",
        |id| ledger.activities.contains_key(id),
        p,
    );
    let mode = choice::<ConsignmentMode>(&values, "mode", p);
    let shipped = date(&values, "shipped", p);
    let shipped = required(shipped, &values, "shipped", p);
    let arrived = date(&values, "arrived", p);
    let destination = reference(
        &values,
        "destination",
        |id| ledger.facilities.contains_key(id),
        p,
    );
    let destination = required(destination, &values, "destination", p);
    let destination_kind = choice::<DestinationKind>(&values, "destination_kind", p);
    // The country defaults to the destination's.
    let country_raw = match cell(&values, "recipient_country") {
        "" => destination
            .as_ref()
            .and_then(|d| ledger.facilities.get(d))
            .map(|f| f.country.to_string())
            .unwrap_or_default(),
        raw => raw.to_ascii_uppercase(),
    };
    let recipient_country = match CountryCode::parse(&country_raw) {
        Ok(c) => Some(c),
        Err(_) => {
            p.push(Problem::key(
                "recipient_country",
                "medf-err-country",
                &country_raw,
            ));
            None
        }
    };
    let recipient_languages = languages(&values, "recipient_languages", p);
    if recipient_languages.is_empty() {
        p.push(Problem::key(
            "recipient_languages",
            "medf-err-languages-needed",
            "",
        ));
    }
    let amount_raw = cell(&values, "declared_value");
    let currency_raw = cell(&values, "currency").to_ascii_uppercase();
    let declared_value = if amount_raw.is_empty() {
        None
    } else {
        let amount = match parse_exact(amount_raw) {
            Ok(a) if !a.is_sign_negative() || a.is_zero() => Some(a),
            _ => {
                p.push(Problem::key(
                    "declared_value",
                    "medf-err-amount",
                    amount_raw,
                ));
                None
            }
        };
        let currency = match CurrencyCode::parse(&currency_raw) {
            Ok(c) => Some(c),
            Err(_) => {
                p.push(Problem::key("currency", "medf-err-currency", &currency_raw));
                None
            }
        };
        amount.zip(currency).map(|(amount, currency)| Money {
            amount,
            currency,
            value_date: None,
        })
    };
    let value_basis = choice::<ValueBasis>(&values, "value_basis", p);
    let request_reference =
        Some(cell(&values, "request_reference").to_string()).filter(|s| !s.is_empty());
    let source = reference(&values, "source", |id| ledger.sources.contains_key(id), p);
    if rows.is_empty() {
        p.push(Problem::key("lines", "medf-err-no-lines", ""));
    }
    if rows.len() > MAX_FORM_LINES {
        p.push(Problem::new(
            "lines",
            ta(
                "medf-err-too-many-lines",
                &[("max", &MAX_FORM_LINES.to_string())],
            ),
        ));
    }
    let lines: Vec<Option<PackingLine>> = (0..rows.len().min(MAX_FORM_LINES))
        .map(|i| line(&values, i, ledger, today, p))
        .collect();
    // Each line's own rules (expiry after manufacture and shipment), as soon as the shipment
    // date is known, so they come with the header's problems, not after them.
    if let Some(shipped) = shipped {
        for (i, l) in lines.iter().enumerate() {
            if let Some(l) = l
                && let Err(e) = aidtrace_domain::medicines::validate::packing_line(l, shipped)
            {
                let field = format!("lines[{i}].{}", e.field.split('[').next().unwrap_or(""));
                p.push(Problem::new(field, model_text(&e.value, &e.message)));
            }
        }
    }
    let header_ok = p.is_empty();
    let consignment = (|| {
        if !header_ok {
            return None;
        }
        Some(Consignment {
            // The id is given when recorded (from the donor and the shipment date).
            id: id.clone().or_else(|| RecordId::parse("con-draft").ok())?,
            donor: donor?,
            activity,
            mode: mode?,
            shipped: shipped?,
            arrived,
            destination: destination?,
            destination_kind: destination_kind?,
            recipient_country: recipient_country?,
            recipient_languages,
            declared_value,
            value_basis: value_basis?,
            request_reference,
            lines: lines.into_iter().collect::<Option<Vec<_>>>()?,
            // Linked when the accepting decision writes the in-kind disbursement.
            value_flow: None,
            sources: source
                .map(|s| Citation {
                    source: s,
                    quote: None,
                    field: None,
                })
                .into_iter()
                .collect(),
        })
    })();
    // The domain's whole-record rules (arrival after shipment, …) on what was read.
    if let Some(c) = &consignment {
        for e in entry::consignment_problems(c) {
            let field = e.field.split('[').next().unwrap_or("").to_string();
            let field = if field == "lines" {
                e.field.clone()
            } else {
                field
            };
            problems.push(Problem::new(field, model_text(&e.value, &e.message)));
        }
    }
    Read {
        consignment: if problems.is_empty() {
            consignment
        } else {
            None
        },
        problems,
        values,
    }
}
