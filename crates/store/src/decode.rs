//! Decoding stored record documents into domain records, for both backends. At a million records
//! decoding JSON is most of the time a ledger read takes (issue #13), so a whole-ledger read hands
//! its documents to [`LedgerDecoder`], which decodes them a chunk at a time on every core while
//! holding only one chunk's documents beside the ledger being built.

use aidtrace_domain::ledger::LedgerBuilder;
use aidtrace_domain::{Ledger, Record, RecordKind};

use crate::{StoreError, StoreResult};

/// Documents decoded together: large enough to keep the threads busy, small enough that the
/// chunk's text and records are a sliver of the ledger.
const CHUNK: usize = 16_384;

/// One stored document as a record; a document that does not decode is reported with its start.
pub(crate) fn parse_record(doc: &str) -> StoreResult<Record> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("{e}: {doc:.120}")))
}

/// One stored document of a known kind as a record. Documents are written with their kind's
/// tag first (`{"record":"flow",…`), and serde decodes an internally tagged enum by first
/// buffering every field of the document, which doubled the allocations of a whole-ledger read
/// (issue #13). So a document whose tag is where it is written, and names `kind`, has the tag
/// blanked out (same length, so nothing moves) and is decoded as its kind's own type; any
/// other document goes through [`Record`] as before.
pub(crate) fn parse_record_of(kind: RecordKind, doc: &mut String) -> StoreResult<Record> {
    const OPEN: &str = "{\"record\":\"";
    let tag: &'static str = kind.into();
    let tagged = doc
        .strip_prefix(OPEN)
        .and_then(|rest| rest.strip_prefix(tag))
        .is_some_and(|rest| rest.starts_with("\","));
    if !tagged {
        return parse_record(doc);
    }
    let end = OPEN.len() + tag.len() + 2;
    doc.replace_range(1..end, &" ".repeat(end - 1));
    typed(kind, doc).map_err(|e| StoreError::Corrupt(format!("{e}: {doc:.120}")))
}

/// A document without its tag as a record of `kind`.
fn typed(kind: RecordKind, doc: &str) -> serde_json::Result<Record> {
    use serde_json::from_str as json;
    Ok(match kind {
        RecordKind::Source => Record::Source(json(doc)?),
        RecordKind::Organisation => Record::Organisation(json(doc)?),
        RecordKind::Facility => Record::Facility(json(doc)?),
        RecordKind::Activity => Record::Activity(json(doc)?),
        RecordKind::Flow => Record::Flow(json(doc)?),
        RecordKind::Budget => Record::Budget(json(doc)?),
        RecordKind::EquipmentLine => Record::EquipmentLine(json(doc)?),
        RecordKind::Partnership => Record::Partnership(json(doc)?),
        RecordKind::MarketRegistration => Record::MarketRegistration(json(doc)?),
        RecordKind::Claim => Record::Claim(json(doc)?),
        RecordKind::DeviceModel => Record::DeviceModel(json(doc)?),
        RecordKind::FacilityPower => Record::FacilityPower(json(doc)?),
        RecordKind::Population => Record::Population(json(doc)?),
        RecordKind::EquipmentStandard => Record::EquipmentStandard(json(doc)?),
        RecordKind::Asset => Record::Asset(json(doc)?),
        RecordKind::MaintenancePlan => Record::MaintenancePlan(json(doc)?),
        RecordKind::WorkOrder => Record::WorkOrder(json(doc)?),
        RecordKind::AssetEvent => Record::AssetEvent(json(doc)?),
        RecordKind::Downtime => Record::Downtime(json(doc)?),
        RecordKind::MeterReading => Record::MeterReading(json(doc)?),
        RecordKind::DonationCheck => Record::DonationCheck(json(doc)?),
        RecordKind::IntakeDraft => Record::IntakeDraft(json(doc)?),
        RecordKind::DensityReference => Record::DensityReference(json(doc)?),
        RecordKind::MedicineProduct => Record::MedicineProduct(json(doc)?),
        RecordKind::EssentialMedicine => Record::EssentialMedicine(json(doc)?),
        RecordKind::Consignment => Record::Consignment(json(doc)?),
        RecordKind::ConsignmentDecision => Record::ConsignmentDecision(json(doc)?),
        RecordKind::StockMovement => Record::StockMovement(json(doc)?),
        RecordKind::Contract => Record::Contract(json(doc)?),
        RecordKind::SparePart => Record::SparePart(json(doc)?),
        RecordKind::PartMovement => Record::PartMovement(json(doc)?),
        RecordKind::Incident => Record::Incident(json(doc)?),
        RecordKind::FieldSafetyNotice => Record::FieldSafetyNotice(json(doc)?),
    })
}

/// Decodes record documents of known kinds on every core (up to four) into `parts`, one vector
/// per thread in the documents' order. The vectors are the caller's to keep: at a million records
/// fresh ones for every chunk had the kernel zero about as many pages as the ledger itself
/// (a quarter of a first read's CPU, issue #13), so [`LedgerDecoder`] hands the same ones back.
fn parse_into(docs: &mut [(RecordKind, String)], parts: &mut Vec<Vec<Record>>) -> StoreResult<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let threads = if docs.len() < 1024 { 1 } else { threads };
    let per = docs.len().div_ceil(threads).max(1);
    parts.resize_with(parts.len().max(threads), Vec::new);
    // Only this chunk's records are left in them, however many threads decode it.
    parts.iter_mut().for_each(Vec::clear);
    let decode = |part: &mut [(RecordKind, String)], out: &mut Vec<Record>| {
        out.reserve(part.len());
        for (kind, doc) in part.iter_mut() {
            out.push(parse_record_of(*kind, doc)?);
        }
        StoreResult::Ok(())
    };
    if threads < 2 {
        return match parts.first_mut() {
            Some(out) => decode(docs, out),
            None => Ok(()),
        };
    }
    std::thread::scope(|scope| {
        let running: Vec<_> = docs
            .chunks_mut(per)
            .zip(parts.iter_mut())
            .map(|(part, out)| scope.spawn(move || decode(part, out)))
            .collect();
        for handle in running {
            handle
                .join()
                .map_err(|_| StoreError::Corrupt("a record parser stopped".into()))??;
        }
        Ok(())
    })
}

/// The records of one chunk, as [`parse_into`] left them, with the chunk's document list
/// (emptied) to fill again.
type Decoded = (Vec<Vec<Record>>, Vec<(RecordKind, String)>);

/// A ledger built from documents streamed out of a backend's tables: each full chunk is decoded
/// in parallel ([`parse_into`]) and pushed into the ledger in the order the documents came.
/// Pipelined: while one chunk is decoded on its own threads, the caller pushes the chunk before
/// it into the ledger and reads the next one from the backend, so reading and building the
/// ledger (one thread each) no longer leave the other cores idle. Two sets of record vectors
/// take turns (one being filled, one being emptied into the ledger), so a whole read allocates
/// them once.
pub(crate) struct LedgerDecoder {
    ledger: LedgerBuilder,
    docs: Vec<(RecordKind, String)>,
    /// The chunk being decoded.
    decoding: Option<std::thread::JoinHandle<StoreResult<Decoded>>>,
    /// Emptied record vectors and document list of the chunk before, for the next.
    spare: Decoded,
}

impl LedgerDecoder {
    pub(crate) fn new() -> Self {
        Self {
            ledger: LedgerBuilder::default(),
            docs: Vec::with_capacity(CHUNK),
            decoding: None,
            spare: (Vec::new(), Vec::new()),
        }
    }

    pub(crate) fn push(&mut self, kind: RecordKind, doc: String) -> StoreResult<()> {
        self.docs.push((kind, doc));
        if self.docs.len() == CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> StoreResult<Ledger> {
        self.flush()?;
        self.take_decoded()?;
        Ok(self.ledger.finish())
    }

    /// Starts decoding the documents held, then adds the chunk decoded before them.
    fn flush(&mut self) -> StoreResult<()> {
        if self.docs.is_empty() {
            return Ok(());
        }
        let (mut parts, mut emptied) = std::mem::take(&mut self.spare);
        emptied.reserve(CHUNK);
        let mut docs = std::mem::replace(&mut self.docs, emptied);
        let started = std::thread::Builder::new()
            .name("ledger-decode".into())
            .spawn(move || {
                parse_into(&mut docs, &mut parts)?;
                // The documents' text goes here, off the thread building the ledger.
                docs.clear();
                Ok((parts, docs))
            });
        let decoding = started.map_err(|e| {
            StoreError::Database(format!("cannot start a thread to decode records: {e}"))
        })?;
        self.take_decoded()?;
        self.decoding = Some(decoding);
        Ok(())
    }

    /// Waits for the chunk being decoded, if any, and adds its records.
    fn take_decoded(&mut self) -> StoreResult<()> {
        if let Some(handle) = self.decoding.take() {
            let (mut parts, docs) = handle
                .join()
                .map_err(|_| StoreError::Corrupt("a record parser stopped".into()))??;
            for part in &mut parts {
                part.drain(..).for_each(|r| self.ledger.push(r));
            }
            self.spare = (parts, docs);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aidtrace_domain::RecordKind;

    use super::{CHUNK, LedgerDecoder, parse_into, parse_record, parse_record_of};

    fn flow_doc(i: usize) -> String {
        format!(
            r#"{{"record":"flow","id":"f-{i:06}","activity":"a-1","kind":"commitment","money":{{"amount":"{i}","currency":"JPY"}}}}"#
        )
    }

    /// Reused record vectors hold only the latest chunk's records, in order, whether the chunk
    /// is split across threads or decoded on one.
    #[test]
    fn reused_vectors_hold_each_chunk_in_order() {
        let mut parts = Vec::new();
        for n in [3000, 5, 2000] {
            let mut docs: Vec<_> = (0..n).map(|i| (RecordKind::Flow, flow_doc(i))).collect();
            parse_into(&mut docs, &mut parts).expect("decoded");
            let ids: Vec<String> = parts.iter().flatten().map(|r| r.id().to_string()).collect();
            let expected: Vec<String> = (0..n).map(|i| format!("f-{i:06}")).collect();
            assert_eq!(ids, expected, "chunk of {n}");
        }
    }

    #[test]
    fn a_broken_document_in_a_parallel_chunk_fails_the_chunk() {
        let mut docs: Vec<_> = (0..3000).map(|i| (RecordKind::Flow, flow_doc(i))).collect();
        docs[2500].1 = r#"{"record":"flow","id":"f-x"}"#.into();
        assert!(parse_into(&mut docs, &mut Vec::new()).is_err());
    }

    /// Across several chunks (two sets of vectors taking turns) every record reaches the ledger.
    #[test]
    fn a_ledger_of_several_chunks_keeps_every_record() {
        let n = 2 * CHUNK + 7;
        let mut decoder = LedgerDecoder::new();
        for i in 0..n {
            decoder.push(RecordKind::Flow, flow_doc(i)).expect("pushed");
        }
        let ledger = decoder.finish().expect("built");
        assert_eq!(ledger.flows.len(), n);
        let first = ledger.flows.keys().next().map(|id| id.to_string());
        let last = ledger.flows.keys().next_back().map(|id| id.to_string());
        assert_eq!(first.as_deref(), Some("f-000000"));
        assert_eq!(last, Some(format!("f-{:06}", n - 1)));
    }

    /// The tag each kind is written with is the name the fast path looks for: otherwise every
    /// document would quietly take the slow path.
    #[test]
    fn every_kind_is_tagged_with_its_name() {
        for kind in RecordKind::ALL {
            let name: &'static str = kind.into();
            assert_eq!(serde_json::to_value(kind).ok(), Some(name.into()));
        }
    }

    #[test]
    fn a_tagged_document_decodes_as_its_kind_alike() {
        let doc = r#"{"record":"flow","id":"f-1","activity":"a-1","kind":"commitment","money":{"amount":"108700000","currency":"JPY"},"stated_equivalent":{"amount":"7000000","currency":"USD","qualifier":"approximately"},"sources":[{"source":"s-1","quote":"108.7 million yen","field":"money"}]}"#;
        let mut fast = doc.to_string();
        let record = parse_record_of(RecordKind::Flow, &mut fast).expect("decoded");
        assert_eq!(record, parse_record(doc).expect("decoded"));
        assert_ne!(fast, doc, "the fast path was not taken");
    }

    #[test]
    fn a_document_of_another_kind_or_shape_takes_the_general_path() {
        let doc = r#"{"id":"f-1","record":"flow","activity":"a-1","kind":"commitment","money":{"amount":"1","currency":"JPY"}}"#;
        let mut text = doc.to_string();
        assert_eq!(
            parse_record_of(RecordKind::Flow, &mut text).expect("decoded"),
            parse_record(doc).expect("decoded")
        );
        let mut text = doc.to_string();
        // Filed under the wrong kind: decoded as what it says it is.
        assert_eq!(
            parse_record_of(RecordKind::Activity, &mut text)
                .map(|r| r.kind())
                .ok(),
            Some(RecordKind::Flow)
        );
    }

    #[test]
    fn a_broken_document_is_reported_not_decoded() {
        let mut doc = r#"{"record":"flow","id":"f-1","kind":"commitment"}"#.to_string();
        assert!(parse_record_of(RecordKind::Flow, &mut doc).is_err());
    }
}
