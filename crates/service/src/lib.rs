//! aidtrace services: the rules that need more than one record (references, hierarchies without
//! cycles), writes through the [`Store`], and the reports built on the ledger.

pub mod assets;
pub mod change_review;
pub mod changes;
pub mod demo;
pub mod energy;
pub mod energy_autonomy_store;
pub mod energy_commit;
pub mod energy_fleet;
pub mod energy_fuel;
pub mod energy_notes;
pub mod energy_plan_v2;
pub mod energy_survey;
pub mod energy_v2;
pub mod error;
pub mod fhir;
pub mod fhir_medicines;
pub mod iati;
pub mod intake;
pub mod medicine_cards;
pub mod medicine_entry;
pub mod medicine_in_kind;
pub mod medicine_packing;
pub mod medicines;
pub mod orgs;
pub mod policy;
pub mod policy_scope;
pub mod profiles;
pub mod records;
pub mod store_copy;
pub mod summary;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use aidtrace_domain::checks::{self, Finding};
use aidtrace_domain::error::ProblemId;
use aidtrace_domain::fx::{self, Conversion, RateOrigin, RateTable};
use aidtrace_domain::totals::{self, GroupBy, TotalsReport};
use aidtrace_domain::validate::validate;
use aidtrace_domain::{CurrencyCode, Ledger, Money, Record, RecordId, RecordKind, ValidationError};
use aidtrace_store::{
    ApplyReport, AuditEntry, AuditVerification, Change, SqliteStore, Store, WriteBatch,
};

pub use error::{ServiceError, ServiceResult};

/// Maps and sets the writer consults for every record, keyed by ids read from files: foldhash
/// is several times cheaper than std's SipHash and, seeded per process, still hard to flood.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// How rates imported from the monthly SDR table are credited.
pub const MONTHLY_SDR_SOURCE: &str =
    "International Monetary Fund (monthly average, derived from SDR rates)";

/// The application: one store, the rules around it.
pub struct Aidtrace {
    store: Box<dyn Store>,
    /// The clock the rules read "now" from (times in the future are refused); injected so
    /// tests can fix it. The domain crate has no clock.
    clock: fn() -> chrono::NaiveDateTime,
    /// The organisations as the last IATI import left them indexed for matching, current until
    /// anything else writes: a run of many files indexes the ledger's organisations once, not
    /// once per file (see `orgs::ImportLinks`).
    org_index: Option<orgs::OrgIndex>,
}

fn system_now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn label(record: &Record) -> String {
    format!("{} {}", record.kind().as_str(), record.id())
}

impl Aidtrace {
    pub fn new(store: Box<dyn Store>) -> Self {
        Self {
            store,
            clock: system_now,
            org_index: None,
        }
    }

    /// The same application reading "now" from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> chrono::NaiveDateTime) -> Self {
        self.clock = clock;
        self
    }

    /// Now, UTC, from the injected clock.
    pub fn now(&self) -> chrono::NaiveDateTime {
        (self.clock)()
    }

    /// Opens the embedded SQLite store at `path`, creating and migrating it as needed.
    pub fn open_sqlite(path: &Path) -> ServiceResult<Self> {
        Ok(Self::new(Box::new(SqliteStore::open(path)?)))
    }

    /// Opens the store `url` names (SQLite file or PostgreSQL database).
    pub fn open(url: &aidtrace_store::StoreUrl) -> ServiceResult<Self> {
        Ok(Self::new(url.open()?))
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Validates a batch as a whole (each record, its references, hierarchies, and the rules
    /// across an asset's history when the batch touches one) and writes it in one transaction.
    /// Nothing is written when any record is refused.
    pub fn put(&mut self, actor: &str, records: Vec<Record>) -> ServiceResult<ApplyReport> {
        if records.iter().any(|r| assets::is_history_kind(r.kind())) {
            assets::check_rules(self, &records)?;
        }
        if records.iter().any(|r| {
            matches!(
                r.kind(),
                RecordKind::Incident | RecordKind::FieldSafetyNotice
            )
        }) {
            assets::check_incidents(self, &records)?;
        }
        if records
            .iter()
            .any(|r| r.kind() == RecordKind::FacilityPower)
        {
            energy_fuel::check_fuel_dates(self, &records)?;
        }
        if records.iter().any(|r| medicines::touches_stock(r.kind())) {
            medicines::check_stock(self, &records)?;
        }
        if records
            .iter()
            .any(|r| assets::parts::touches_parts(r.kind()))
        {
            assets::parts::check_parts(self, &records)?;
        }
        self.write_batch(actor, records)
    }

    /// [`Self::put`] for callers that have already checked the asset rules (with an indexed
    /// history source, which is faster than listing the store).
    pub(crate) fn write_batch(
        &mut self,
        actor: &str,
        records: Vec<Record>,
    ) -> ServiceResult<ApplyReport> {
        let mut writer = self.writer(actor)?;
        writer.put_group(records)?;
        writer.commit()
    }

    /// Opens one transaction that groups of records are written into as they come (see
    /// [`RecordWriter`]).
    pub(crate) fn writer<'s>(&'s mut self, actor: &'s str) -> ServiceResult<RecordWriter<'s>> {
        self.org_index = None;
        Ok(RecordWriter {
            batch: self.store.begin_batch(actor)?,
            known: RefCell::default(),
        })
    }

    pub fn delete(
        &mut self,
        actor: &str,
        kind: RecordKind,
        id: &RecordId,
    ) -> ServiceResult<ApplyReport> {
        if assets::is_append_only(kind) {
            return Err(ServiceError::invalid(
                format!("{} {id}", kind.as_str()),
                ValidationError::new(
                    "id",
                    id,
                    "asset history is append-only: record a correcting event instead of deleting",
                )
                .because(ProblemId::AppendOnly),
            ));
        }
        self.org_index = None;
        Ok(self
            .store
            .apply(actor, &[Change::Delete(kind, id.clone())])?)
    }

    /// Loads a JSON records file (see `records::records_from_json`) atomically.
    pub fn load_json(&mut self, actor: &str, text: &str) -> ServiceResult<ApplyReport> {
        let records = records::records_from_json(text)?;
        self.put(actor, records)
    }

    /// Creates or refreshes the seed scenario; running it twice changes nothing.
    pub fn load_demo(&mut self, actor: &str) -> ServiceResult<ApplyReport> {
        let mut records = records::records_from_json(demo::SEED_JSON)?;
        records.extend(assets::demo_records()?);
        records.extend(records::records_from_json(demo::UKRAINE_JSON)?);
        records.extend(records::records_from_json(demo::MEDICINES_JSON)?);
        self.put(actor, records)
    }

    pub fn ledger(&self) -> ServiceResult<Ledger> {
        Ok(self.store.ledger()?)
    }

    /// The built-in tables (IMF annual, ECB daily) with the user's imported rates on top.
    pub fn rates(&self) -> ServiceResult<RateTable> {
        let mut table = RateTable::builtin();
        table.extend(self.store.fx_rates()?);
        Ok(table)
    }

    /// Imports rates: a CSV in the IMF form, or the IMF monthly table in IATI.cloud's JSON form
    /// (SDR per unit). All rows or none; re-importing the same file changes nothing.
    pub fn import_rates(&mut self, actor: &str, text: &str) -> ServiceResult<ApplyReport> {
        let entries = Self::read_rates(text)?;
        Ok(self.store.put_fx_rates(actor, &entries)?)
    }

    /// Reads a rates file as [`Self::import_rates`] would, writing nothing (the preview of the
    /// `/rates` page). The first bad row is the error, named by its line.
    pub fn read_rates(text: &str) -> ServiceResult<Vec<fx::RateEntry>> {
        Self::read_rates_rows(text).map_err(|mut errors| errors.swap_remove(0))
    }

    /// [`Self::read_rates`] with every bad row of a CSV (up to `fx::ROW_ERRORS_AT_MOST`), for a
    /// preview that lists them all; never an empty list.
    pub fn read_rates_rows(text: &str) -> Result<Vec<fx::RateEntry>, Vec<ServiceError>> {
        // Spreadsheet tools often prefix a byte-order mark; it is not part of the data.
        let text = text.trim_start_matches('\u{feff}');
        let invalid = |e| ServiceError::invalid("rates file", e);
        if text.trim_start().starts_with('[') {
            fx::parse_sdr_monthly_json(text, MONTHLY_SDR_SOURCE).map_err(|e| vec![invalid(e)])
        } else {
            fx::parse_csv_rows(text, RateOrigin::Imported)
                .map_err(|errors| errors.into_iter().map(invalid).collect())
        }
    }

    /// First and last date per currency and source of the rates in use.
    pub fn rate_coverage(&self) -> ServiceResult<Vec<fx::coverage::CoverageRow>> {
        Ok(self.rates()?.coverage())
    }

    pub fn convert(&self, money: &Money, to: &CurrencyCode) -> ServiceResult<Conversion> {
        let rates = self.rates()?;
        rates
            .convert(money, to)
            .map_err(|e| ServiceError::NotFound(format!("unconverted: {e}")))
    }

    /// Totals of the flows `filter` keeps, after checking that the donor and facility it names
    /// exist and its currency has rates (a refused value is `Invalid` with the parameter named).
    pub fn totals_where(
        &self,
        by: GroupBy,
        filter: &aidtrace_domain::filter::Filter,
    ) -> ServiceResult<TotalsReport> {
        let ledger = self.ledger()?;
        let rates = self.rates()?;
        filter
            .check(&ledger, &rates)
            .map_err(|e| ServiceError::invalid("filter", e.into()))?;
        Ok(totals::totals_where(&ledger, &rates, by, filter))
    }

    pub fn totals(&self, by: GroupBy, currency: &CurrencyCode) -> ServiceResult<TotalsReport> {
        Ok(totals::totals(
            &self.ledger()?,
            &self.rates()?,
            by,
            currency,
        ))
    }

    /// Every check, as of the clock's date, with the default time a commitment may wait for a
    /// disbursement.
    pub fn check(&self) -> ServiceResult<Vec<Finding>> {
        self.check_with(checks::DEFAULT_UNDISBURSED_AFTER_DAYS)
    }

    /// Every check, as of the clock's date; LEDGER-UNDISBURSED after `undisbursed_after_days`.
    pub fn check_with(&self, undisbursed_after_days: u32) -> ServiceResult<Vec<Finding>> {
        Ok(checks::run_with(
            &self.ledger()?,
            &self.rates()?,
            &self.check_options(undisbursed_after_days),
        ))
    }

    /// The options of the checks: today from the injected clock (the domain has none).
    pub fn check_options(&self, undisbursed_after_days: u32) -> checks::Options {
        checks::Options {
            as_of: Some(self.now().date()),
            undisbursed_after_days,
        }
    }

    pub fn verify_audit(&self) -> ServiceResult<AuditVerification> {
        Ok(self.store.verify_audit()?)
    }

    pub fn history(&self, kind: RecordKind, id: &RecordId) -> ServiceResult<Vec<AuditEntry>> {
        Ok(self.store.audit_log(Some((kind, id)))?)
    }

    pub fn backup(&self, target: &Path) -> ServiceResult<()> {
        Ok(self.store.backup(target)?)
    }

    /// Counts of each record kind, for status lines.
    pub fn counts(&self) -> ServiceResult<BTreeMap<&'static str, usize>> {
        let mut out = BTreeMap::new();
        for kind in RecordKind::ALL {
            out.insert(kind.as_str(), self.store.count(kind)?);
        }
        Ok(out)
    }
}

/// Groups of records written into one transaction as they come: each group is checked as
/// [`Aidtrace::put`] checks a batch, against the ledger as the transaction has changed it so
/// far, so a large import need not hold all its records at once. Dropped without
/// [`RecordWriter::commit`], it leaves the ledger as it was.
pub(crate) struct RecordWriter<'s> {
    batch: Box<dyn WriteBatch + 's>,
    /// Organisations, sources and facilities known to exist: thousands of records of one
    /// file name the same few, and nothing is deleted while the transaction is open.
    /// By kind, so that a look-up borrows the id instead of copying it.
    known: RefCell<crate::FastMap<RecordKind, crate::FastSet<RecordId>>>,
}

/// The kinds records name over and over (see [`RecordWriter::known`]).
fn often_named(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Organisation | RecordKind::Source | RecordKind::Facility
    )
}

impl RecordWriter<'_> {
    pub(crate) fn get(&self, kind: RecordKind, id: &RecordId) -> ServiceResult<Option<Record>> {
        Ok(self.batch.get(kind, id)?)
    }

    pub(crate) fn exists(&self, kind: RecordKind, id: &RecordId) -> ServiceResult<bool> {
        if !often_named(kind) {
            return Ok(self.batch.exists(kind, id)?);
        }
        if self
            .known
            .borrow()
            .get(&kind)
            .is_some_and(|ids| ids.contains(id))
        {
            return Ok(true);
        }
        let found = self.batch.exists(kind, id)?;
        if found {
            self.known
                .borrow_mut()
                .entry(kind)
                .or_default()
                .insert(id.clone());
        }
        Ok(found)
    }

    /// Checks the group as a whole (each record, its references, hierarchies) and writes it;
    /// on a refusal nothing of the group is written.
    pub(crate) fn put_group(&mut self, records: Vec<Record>) -> ServiceResult<()> {
        self.check_batch(&records)?;
        let mut ordered = records;
        // Parents before children, so foreign keys hold at every statement of the transaction.
        ordered.sort_by_key(|r| RecordKind::ALL.iter().position(|k| *k == r.kind()));
        order_hierarchies(&mut ordered);
        for record in &ordered {
            self.batch.put(record)?;
        }
        let known = self.known.get_mut();
        for record in ordered.iter().filter(|r| often_named(r.kind())) {
            known
                .entry(record.kind())
                .or_default()
                .insert(record.id().clone());
        }
        Ok(())
    }

    /// Deletes a record in the transaction (a merged organisation, once nothing names it).
    pub(crate) fn delete(&mut self, kind: RecordKind, id: &RecordId) -> ServiceResult<()> {
        if let Some(ids) = self.known.get_mut().get_mut(&kind) {
            ids.remove(id);
        }
        Ok(self.batch.delete(kind, id)?)
    }

    /// See [`WriteBatch::defer_reference_checks`]: every group is checked before it is
    /// written, so the database's own check can wait for the commit.
    pub(crate) fn defer_reference_checks(&mut self) -> ServiceResult<()> {
        Ok(self.batch.defer_reference_checks()?)
    }

    pub(crate) fn commit(self) -> ServiceResult<ApplyReport> {
        Ok(self.batch.commit()?)
    }

    fn check_batch(&self, records: &[Record]) -> ServiceResult<()> {
        let mut in_batch: crate::FastSet<(RecordKind, &RecordId)> = Default::default();
        for record in records {
            validate(record).map_err(|e| ServiceError::invalid(label(record), e))?;
            if !in_batch.insert((record.kind(), record.id())) {
                return Err(ServiceError::invalid(
                    label(record),
                    ValidationError::new("id", record.id(), "appears twice in one batch")
                        .because(ProblemId::TwiceInBatch),
                ));
            }
        }
        for record in records {
            for (field, kind, target) in record.references() {
                if in_batch.contains(&(kind, target)) || self.exists(kind, target)? {
                    continue;
                }
                return Err(ServiceError::invalid(
                    label(record),
                    ValidationError::no_such_record(field, target, kind),
                ));
            }
        }
        self.check_hierarchies(records)
    }

    /// Parent links (activities, organisations, flows) must not loop, counting the batch's changes.
    /// Only the chains that start in the batch are walked: the stored links hold no loop
    /// already, so a new loop must pass through a record of the batch. Stored records are
    /// read one by one along the chain, never the whole table.
    fn check_hierarchies(&self, records: &[Record]) -> ServiceResult<()> {
        for kind in [
            RecordKind::Activity,
            RecordKind::Organisation,
            RecordKind::Flow,
        ] {
            // A record without a parent starts no chain (a loop passes through records that
            // all have one), and most records have none: no walk, nothing copied.
            let linked = |r: &&Record| r.kind() == kind && parent_of_ref(r).is_some();
            if !records.iter().any(|r| linked(&r)) {
                continue;
            }
            let in_batch: crate::FastMap<&RecordId, Option<RecordId>> = records
                .iter()
                .filter(|r| r.kind() == kind)
                .map(|r| (r.id(), parent_of(r)))
                .collect();
            let mut stored: crate::FastMap<RecordId, Option<RecordId>> = Default::default();
            for record in records.iter().filter(linked) {
                let mut seen = crate::FastSet::default();
                let mut current = Some(record.id().clone());
                while let Some(id) = current {
                    if !seen.insert(id.clone()) {
                        let field = if kind == RecordKind::Flow {
                            "parent_flow"
                        } else {
                            "parent"
                        };
                        return Err(ServiceError::invalid(
                            label(record),
                            ValidationError::new(
                                field,
                                parent_of(record).map(|p| p.to_string()).unwrap_or_default(),
                                "this parent link makes a cycle",
                            )
                            .because(ProblemId::ParentCycle),
                        ));
                    }
                    current = match in_batch.get(&id) {
                        Some(parent) => parent.clone(),
                        None => match stored.get(&id) {
                            Some(parent) => parent.clone(),
                            None => {
                                let parent = self.batch.get(kind, &id)?.and_then(|r| parent_of(&r));
                                stored.insert(id.clone(), parent.clone());
                                parent
                            }
                        },
                    };
                }
            }
        }
        Ok(())
    }
}

fn parent_of_ref(record: &Record) -> Option<&RecordId> {
    match record {
        Record::Activity(a) => a.parent.as_ref(),
        Record::Organisation(o) => o.parent.as_ref(),
        Record::Flow(f) => f.parent_flow.as_ref(),
        _ => None,
    }
}

fn parent_of(record: &Record) -> Option<RecordId> {
    parent_of_ref(record).cloned()
}

/// Within each kind, puts a record after the record it names as parent (stable otherwise).
/// Only records that are some other record's parent in the batch are tracked, so a large
/// batch with few parent links costs one pass.
fn order_hierarchies(records: &mut Vec<Record>) {
    let named: crate::FastSet<(RecordKind, &RecordId)> = records
        .iter()
        .filter_map(|r| Some(r.kind()).zip(parent_of_ref(r)))
        .collect();
    let parents_in_batch: crate::FastSet<(RecordKind, RecordId)> = records
        .iter()
        .filter(|r| named.contains(&(r.kind(), r.id())))
        .map(|r| (r.kind(), r.id().clone()))
        .collect();
    if parents_in_batch.is_empty() {
        return;
    }
    let mut placed: crate::FastSet<(RecordKind, RecordId)> = Default::default();
    let mut pending: Vec<Record> = std::mem::take(records);
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for r in pending {
            let ready = parent_of_ref(&r).is_none_or(|p| {
                let key = (r.kind(), p.clone());
                !parents_in_batch.contains(&key) || placed.contains(&key)
            });
            if ready {
                if parents_in_batch.contains(&(r.kind(), r.id().clone())) {
                    placed.insert((r.kind(), r.id().clone()));
                }
                records.push(r);
            } else {
                rest.push(r);
            }
        }
        if rest.len() == before {
            // Only a cycle can stop progress, and check_hierarchies refused cycles already.
            records.extend(rest);
            break;
        }
        pending = rest;
    }
    records.sort_by_key(|r| RecordKind::ALL.iter().position(|k| *k == r.kind()));
}
