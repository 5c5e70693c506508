//! Donated medicines and supplies: recording a consignment from its packing list, the WHO
//! guideline checks shown before it is accepted, the audited decision, movements of stock and the
//! reports (stock with expiry bands, the donor's "what became of it").
//!
//! Write policy: every batch that touches consignments, decisions or movements is replayed with
//! the stored movements of the lots it touches before it is written ([`check_stock`]), so no
//! movement can take a facility's lot below zero or receive more than the accepted packing list
//! holds.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use aidtrace_domain::coded::Coded;
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::medicines::guidelines::{Finding, GuidelineConfig};
use aidtrace_domain::medicines::stock::{ExpiryBand, LotRef, Stock};
use aidtrace_domain::medicines::{
    Consignment, ConsignmentDecision, DecisionOutcome, EssentialMedicine, MovementKind,
    StockMovement,
};
use aidtrace_domain::model::Citation;
use aidtrace_domain::{CountryCode, Ledger, Record, RecordId, RecordKind, ValidationError};
use chrono::NaiveDate;
use serde::Serialize;

pub use crate::medicine_packing::{
    CODES as PACKING_ERROR_CODES, LineError, MAX_PACKING_LINES, PACKING_COLUMNS, PackingFormat,
    describe, parse_packing_list, read_packing,
};
use crate::{Aidtrace, ServiceError, ServiceResult};

/// Whether a batch of this kind must be replayed against the stock before it is written.
pub fn touches_stock(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Consignment | RecordKind::ConsignmentDecision | RecordKind::StockMovement
    )
}

/// The stock the ledger's movements give, or the first movement that breaks it.
pub fn stock_of(ledger: &Ledger) -> ServiceResult<Stock> {
    Stock::new(
        ledger.consignments.values(),
        ledger.consignment_decisions.values(),
    )
    .replay(ledger.stock_movements.values())
    .map_err(|(id, e)| {
        let quantity = ledger.stock_movements.get(&id).map_or(0, |m| m.quantity);
        ServiceError::invalid(format!("stock_movement {id}"), e.validation(quantity))
    })
}

/// The lots of one consignment a batch touches: every lot (`None`: the batch changes the
/// consignment or a decision on it, hence what may be received) or those its movements name, as
/// (product, lot).
type LotScope = Option<HashSet<(RecordId, String)>>;

/// Refuses a batch whose movements, with the stored ones of the same lots, would break the stock
/// rules. Each lot's stock depends only on its own movements, so replaying the lots the batch
/// touches (read through the store's consignment index) decides as a replay of every movement
/// would, without reading the whole ledger on the write path.
pub(crate) fn check_stock(app: &Aidtrace, batch: &[Record]) -> ServiceResult<()> {
    let store = app.store();
    let mut scopes: BTreeMap<RecordId, LotScope> = BTreeMap::new();
    let every_lot = |scopes: &mut BTreeMap<RecordId, LotScope>, c: &RecordId| {
        scopes.insert(c.clone(), None);
    };
    let one_lot = |scopes: &mut BTreeMap<RecordId, LotScope>, m: &StockMovement| {
        let lot = (m.product.clone(), m.lot.clone());
        match scopes.entry(m.consignment.clone()) {
            Entry::Vacant(e) => {
                e.insert(Some(HashSet::from([lot])));
            }
            Entry::Occupied(mut e) => {
                if let Some(lots) = e.get_mut() {
                    lots.insert(lot);
                }
            }
        }
    };
    for record in batch {
        // A record written over a stored one also changes the lots the stored one was about.
        let stored = || store.get(record.kind(), record.id());
        match record {
            Record::Consignment(c) => every_lot(&mut scopes, &c.id),
            Record::ConsignmentDecision(d) => {
                every_lot(&mut scopes, &d.consignment);
                if let Some(Record::ConsignmentDecision(old)) = stored()? {
                    every_lot(&mut scopes, &old.consignment);
                }
            }
            Record::StockMovement(m) => {
                one_lot(&mut scopes, m);
                if let Some(Record::StockMovement(old)) = stored()? {
                    one_lot(&mut scopes, &old);
                }
            }
            _ => {}
        }
    }
    // The batch's decisions and movements by consignment, and which stored ones it rewrites, so
    // each consignment's replay reads only its own records.
    let mut batch_of: HashMap<&RecordId, Vec<&Record>> = HashMap::new();
    let mut rewritten: HashSet<(RecordKind, &RecordId)> = HashSet::new();
    for record in batch {
        let consignment = match record {
            Record::ConsignmentDecision(d) => &d.consignment,
            Record::StockMovement(m) => &m.consignment,
            _ => continue,
        };
        batch_of.entry(consignment).or_default().push(record);
        rewritten.insert((record.kind(), record.id()));
    }
    for (consignment, lots) in &scopes {
        let in_batch = batch.iter().rev().find_map(|r| match r {
            Record::Consignment(c) if &c.id == consignment => Some(c),
            _ => None,
        });
        let from_store = match in_batch {
            Some(_) => None,
            None => match store.get(RecordKind::Consignment, consignment)? {
                Some(Record::Consignment(c)) => Some(c),
                _ => None,
            },
        };
        let header = in_batch.or(from_store.as_ref());
        let stored = store.consignment_records(consignment)?;
        // The batch's records written over the stored ones by id, as the write will (a later
        // record of the batch over an earlier one).
        let mut decisions: HashMap<&RecordId, &ConsignmentDecision> = HashMap::new();
        let mut movements: HashMap<&RecordId, &StockMovement> = HashMap::new();
        let kept = stored
            .iter()
            .filter(|r| !rewritten.contains(&(r.kind(), r.id())));
        let ours = batch_of.get(consignment).into_iter().flatten().copied();
        for record in kept.chain(ours) {
            match record {
                Record::ConsignmentDecision(d) => {
                    decisions.insert(&d.id, d);
                }
                Record::StockMovement(m) => {
                    movements.insert(&m.id, m);
                }
                _ => {}
            }
        }
        movements.retain(|_, m| {
            lots.as_ref()
                .is_none_or(|l| l.contains(&(m.product.clone(), m.lot.clone())))
        });
        Stock::new(header, decisions.values().copied())
            .replay(movements.values().copied())
            .map_err(|(id, e)| {
                let quantity = movements.get(&id).map_or(0, |m| m.quantity);
                ServiceError::invalid(format!("stock_movement {id}"), e.validation(quantity))
            })?;
    }
    Ok(())
}

/// Records a consignment with the lines of its packing list (CSV); the guideline findings are
/// returned for the page or command to show before anyone decides. Nothing is written on any
/// error.
pub fn record_consignment(
    app: &mut Aidtrace,
    actor: &str,
    consignment: Consignment,
    packing_csv: &str,
) -> ServiceResult<Vec<Finding>> {
    record_consignment_from(
        app,
        actor,
        consignment,
        packing_csv.as_bytes(),
        PackingFormat::Csv,
    )
}

/// [`record_consignment`] from a packing list in either format.
pub fn record_consignment_from(
    app: &mut Aidtrace,
    actor: &str,
    consignment: Consignment,
    packing: &[u8],
    format: PackingFormat,
) -> ServiceResult<Vec<Finding>> {
    let preview = preview_consignment(app, consignment, packing, format)?;
    let id = preview.consignment.id.clone();
    app.put(actor, vec![Record::Consignment(preview.consignment)])?;
    check_consignment(app, &id, &GuidelineConfig::default())
}

/// A consignment read from its header and packing list, checked as it would be recorded, and
/// not written.
#[derive(Debug, Clone, Serialize)]
pub struct ConsignmentPreview {
    pub consignment: Consignment,
    pub findings: Vec<Finding>,
}

/// Reads the packing list into the consignment and computes the guideline findings without
/// writing anything: the preview a command's `--dry-run` or a page shows before saving. Refused
/// with every line error (or the record's own rule) as recording would be.
pub fn preview_consignment(
    app: &Aidtrace,
    consignment: Consignment,
    packing: &[u8],
    format: PackingFormat,
) -> ServiceResult<ConsignmentPreview> {
    match preview_packing(app, consignment, packing, format)? {
        PackingPreview::Lines(p) => Ok(*p),
        PackingPreview::Refused(errors) => Err(ServiceError::Parse(describe(&errors))),
    }
}

/// A packing list read for a preview: the consignment with its lines and findings, or every
/// line error of the file.
#[derive(Debug, Clone)]
pub enum PackingPreview {
    Lines(Box<ConsignmentPreview>),
    Refused(Vec<LineError>),
}

/// [`preview_consignment`] keeping the line errors whole, for a page that lists them.
pub fn preview_packing(
    app: &Aidtrace,
    mut consignment: Consignment,
    packing: &[u8],
    format: PackingFormat,
) -> ServiceResult<PackingPreview> {
    let today = app.now().date();
    consignment.lines = match read_packing(packing, format, today, Some(consignment.shipped)) {
        Ok(lines) => lines,
        Err(errors) => return Ok(PackingPreview::Refused(errors)),
    };
    Ok(PackingPreview::Lines(Box::new(check_lines(
        app,
        consignment,
    )?)))
}

/// A consignment with its (new) lines checked as recording it would, and its findings; nothing
/// is written.
pub fn check_lines(app: &Aidtrace, consignment: Consignment) -> ServiceResult<ConsignmentPreview> {
    aidtrace_domain::validate::validate(&Record::Consignment(consignment.clone()))
        .map_err(|e| ServiceError::invalid(format!("consignment {}", consignment.id), e))?;
    let ledger = app.ledger()?;
    crate::medicine_in_kind::check_value_flow(&ledger, &consignment)?;
    let findings = findings_for(
        &ledger,
        &consignment,
        &GuidelineConfig::default(),
        app.now().date(),
    );
    Ok(ConsignmentPreview {
        consignment,
        findings,
    })
}

/// Whether a stored consignment's packing list may still be replaced: not once it is decided
/// (its receipts name its lots).
pub fn lines_replaceable<'a>(ledger: &'a Ledger, id: &RecordId) -> ServiceResult<&'a Consignment> {
    let c = ledger
        .consignments
        .get(id)
        .ok_or_else(|| ServiceError::NotFound(format!("no consignment {id}")))?;
    if ledger
        .consignment_decisions
        .values()
        .any(|d| &d.consignment == id)
    {
        return Err(ServiceError::invalid(
            format!("consignment {id}"),
            ValidationError::new(
                "lines",
                id,
                "the consignment is decided; its packing list can no longer be replaced",
            )
            .because(ProblemId::ConsignmentDecided),
        ));
    }
    Ok(c)
}

/// Base units of each product used per month at `facility` over the twelve months before `at`.
pub fn monthly_consumption(
    ledger: &Ledger,
    facility: &RecordId,
    at: NaiveDate,
) -> HashMap<RecordId, u64> {
    let start = at - chrono::Duration::days(365);
    let mut used: HashMap<RecordId, u64> = HashMap::new();
    for m in ledger.stock_movements.values() {
        if m.kind == MovementKind::Use
            && m.from.as_ref() == Some(facility)
            && m.date >= start
            && m.date < at
        {
            let slot = used.entry(m.product.clone()).or_insert(0);
            *slot = slot.saturating_add(m.quantity);
        }
    }
    used.into_iter().map(|(p, q)| (p, q / 12)).collect()
}

/// The guideline findings on a stored consignment.
pub fn check_consignment(
    app: &Aidtrace,
    id: &RecordId,
    cfg: &GuidelineConfig,
) -> ServiceResult<Vec<Finding>> {
    check_consignment_in(&app.ledger()?, id, cfg, app.now().date())
}

/// The guideline findings on a consignment of `ledger` as of `today` (pages check the snapshot
/// they show).
pub fn check_consignment_in(
    ledger: &Ledger,
    id: &RecordId,
    cfg: &GuidelineConfig,
    today: NaiveDate,
) -> ServiceResult<Vec<Finding>> {
    let c = ledger
        .consignments
        .get(id)
        .ok_or_else(|| ServiceError::NotFound(format!("no consignment {id}")))?;
    Ok(findings_for(ledger, c, cfg, today))
}

/// The guideline findings on a consignment, stored or not, against the products, lists and
/// consumption of `ledger` (one implementation: `medicine_entry::check_draft`).
pub fn findings_for(
    ledger: &Ledger,
    c: &Consignment,
    cfg: &GuidelineConfig,
    today: NaiveDate,
) -> Vec<Finding> {
    crate::medicine_entry::check_draft(ledger, c, cfg, today)
}

/// Records the decision on a consignment with the findings the decider saw; accepting also
/// receives every accepted line at the destination, in the same batch. A rejection gives its
/// reason.
pub fn decide(
    app: &mut Aidtrace,
    actor: &str,
    consignment: &RecordId,
    outcome: DecisionOutcome,
    accepted_lines: Vec<usize>,
    reason: Option<String>,
) -> ServiceResult<RecordId> {
    let batch =
        crate::medicine_entry::decision_records(app, consignment, outcome, accepted_lines, reason)?;
    let id = batch
        .first()
        .map(|r| r.id().clone())
        .ok_or_else(|| ServiceError::Parse("no decision".into()))?;
    app.put(actor, batch)?;
    Ok(id)
}

/// A movement to record (distribution, use, loss, expiry, destruction).
#[derive(Debug, Clone)]
pub struct NewMovement {
    pub kind: MovementKind,
    pub date: NaiveDate,
    pub consignment: RecordId,
    pub product: RecordId,
    pub lot: String,
    pub from: Option<RecordId>,
    pub to: Option<RecordId>,
    pub quantity: u64,
    pub note: Option<String>,
}

/// Records one movement after replaying the stock; returns its id.
pub fn record_movement(app: &mut Aidtrace, actor: &str, m: NewMovement) -> ServiceResult<RecordId> {
    let record = crate::medicine_entry::movement_record(app, m)?;
    let id = record.id().clone();
    app.put(actor, vec![record])?;
    Ok(id)
}

pub(crate) fn fresh_id(app: &Aidtrace, kind: RecordKind, stem: &str) -> ServiceResult<RecordId> {
    for n in 0..10_000 {
        let raw = if n == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{n}")
        };
        let id = RecordId::parse(&raw).map_err(|e| ServiceError::invalid("id", e))?;
        if app.store().get(kind, &id)?.is_none() {
            return Ok(id);
        }
    }
    Err(ServiceError::Parse(format!("no free id for {stem}")))
}

/// One row of the stock report: a lot on hand at a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockRow {
    pub facility: RecordId,
    pub product: RecordId,
    pub inn: String,
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub band: Option<ExpiryBand>,
    pub on_hand: u64,
    pub base_unit: String,
    pub consignment: RecordId,
    pub donor: Option<RecordId>,
}

fn lot_expiry(ledger: &Ledger, lot: &LotRef) -> Option<NaiveDate> {
    ledger.consignments.get(&lot.consignment).and_then(|c| {
        c.lines
            .iter()
            .find(|l| l.product == lot.product && l.lot == lot.lot)
            .map(|l| l.expiry)
    })
}

/// Stock on hand by facility and lot, with the expiry band as of `today`; optionally only one
/// facility or one donor's consignments.
pub fn stock_report(
    ledger: &Ledger,
    today: NaiveDate,
    facility: Option<&RecordId>,
    donor: Option<&RecordId>,
) -> ServiceResult<Vec<StockRow>> {
    let stock = stock_of(ledger)?;
    let rows: Vec<(&RecordId, &LotRef, u64)> = match facility {
        Some(f) => stock
            .at_facility(f)
            .into_iter()
            .map(|(l, q)| (f, l, q))
            .collect(),
        None => stock.all(),
    };
    let mut out = Vec::new();
    for (f, lot, q) in rows {
        let c_donor = ledger
            .consignments
            .get(&lot.consignment)
            .map(|c| c.donor.clone());
        if donor.is_some() && c_donor.as_ref() != donor {
            continue;
        }
        let product = ledger.medicine_products.get(&lot.product);
        let expiry = lot_expiry(ledger, lot);
        out.push(StockRow {
            facility: f.clone(),
            product: lot.product.clone(),
            inn: product.map(|p| p.inn.clone()).unwrap_or_default(),
            lot: lot.lot.clone(),
            expiry,
            band: expiry.map(|e| ExpiryBand::of(e, today)),
            on_hand: q,
            base_unit: product.map(|p| p.base_unit.clone()).unwrap_or_default(),
            consignment: lot.consignment.clone(),
            donor: c_donor,
        });
    }
    Ok(out)
}

/// What became of one lot a donor sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonorLotRow {
    pub consignment: RecordId,
    pub activity: Option<RecordId>,
    pub product: RecordId,
    pub inn: String,
    pub lot: String,
    pub expiry: NaiveDate,
    pub sent: u64,
    pub decision: Option<DecisionOutcome>,
    /// Per movement kind, base units moved.
    pub moved: BTreeMap<MovementKind, u64>,
    pub on_hand: u64,
}

/// The decision in force on each consignment: the latest by date, then id (as the stock reads
/// them).
pub fn latest_decisions(ledger: &Ledger) -> HashMap<&RecordId, &ConsignmentDecision> {
    let mut latest: HashMap<&RecordId, &ConsignmentDecision> = HashMap::new();
    for d in ledger.consignment_decisions.values() {
        if latest
            .get(&d.consignment)
            .is_none_or(|old| (old.decided_on, &old.id) <= (d.decided_on, &d.id))
        {
            latest.insert(&d.consignment, d);
        }
    }
    latest
}

/// The donor's view: every lot of its consignments, from sent to used, expired or destroyed.
pub fn donor_view(ledger: &Ledger, donor: &RecordId) -> ServiceResult<Vec<DonorLotRow>> {
    let stock = stock_of(ledger)?;
    let latest = latest_decisions(ledger);
    let mut out = Vec::new();
    for c in ledger.consignments.values().filter(|c| &c.donor == donor) {
        for line in &c.lines {
            let lot = LotRef {
                consignment: c.id.clone(),
                product: line.product.clone(),
                lot: line.lot.clone(),
            };
            let moved = MovementKind::all()
                .iter()
                .map(|k| (*k, stock.moved(&lot, *k)))
                .collect();
            out.push(DonorLotRow {
                consignment: c.id.clone(),
                activity: c.activity.clone(),
                product: line.product.clone(),
                inn: ledger
                    .medicine_products
                    .get(&line.product)
                    .map(|p| p.inn.clone())
                    .unwrap_or_default(),
                lot: line.lot.clone(),
                expiry: line.expiry,
                sent: line.quantity,
                decision: latest.get(&c.id).map(|d| d.outcome),
                moved,
                on_hand: stock.on_hand_anywhere(&lot),
            });
        }
    }
    Ok(out)
}

/// Reads an essential medicines list (CSV: `inn` and optionally `dosage_form`, `strength`) into
/// entries citing `source`, for `country` (`None`: the WHO Model List). Every line or nothing.
pub fn parse_essential_list(
    text: &str,
    source: &RecordId,
    country: Option<CountryCode>,
) -> Result<Vec<EssentialMedicine>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_ascii_lowercase).collect(),
        Err(e) => {
            return Err(vec![LineError {
                line: 0,
                field: "header".into(),
                value: String::new(),
                code: "not_csv",
                message: format!("not a CSV file: {e}"),
                problem: None,
            }]);
        }
    };
    let known = ["inn", "dosage_form", "strength"];
    let mut errors: Vec<LineError> = header
        .iter()
        .filter(|h| !known.contains(&h.as_str()))
        .map(|h| LineError {
            line: 0,
            field: "header".into(),
            value: h.clone(),
            code: "unknown_column",
            message: format!("unknown column; the columns are {}", known.join(", ")),
            problem: None,
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let prefix = country
        .as_ref()
        .map_or_else(|| "who".to_string(), |c| c.to_string().to_ascii_lowercase());
    let mut out = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let line = n + 1;
        let Ok(row) = row else {
            errors.push(LineError {
                line,
                field: "row".into(),
                value: String::new(),
                code: "not_csv",
                message: "unreadable row".into(),
                problem: None,
            });
            continue;
        };
        let cell = |name: &str| {
            col(name)
                .and_then(|i| row.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let Some(inn) = cell("inn") else {
            errors.push(LineError {
                line,
                field: "inn".into(),
                value: String::new(),
                code: "required_column",
                message: "an entry names its INN".into(),
                problem: None,
            });
            continue;
        };
        let slug: String = inn
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let form_slug: String = cell("dosage_form")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let raw_id = format!("eml-{prefix}-{slug}-{form_slug}-{line}");
        match RecordId::parse(raw_id.trim_end_matches('-')) {
            Ok(id) => out.push(EssentialMedicine {
                id,
                country: country.clone(),
                inn,
                dosage_form: cell("dosage_form"),
                strength: cell("strength"),
                sources: vec![Citation {
                    source: source.clone(),
                    quote: None,
                    field: None,
                }],
            }),
            Err(e) => errors.push(LineError {
                line,
                field: "inn".into(),
                value: inn,
                code: "product",
                message: e.message,
                problem: e.problem,
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
