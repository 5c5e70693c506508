//! Decoding stored record documents into domain records, for both backends. At a million records
//! decoding JSON is most of the time a ledger read takes (issue #13), so a whole-ledger read hands
//! its documents to [`LedgerDecoder`], which decodes them a chunk at a time on every core while
//! holding only one chunk's documents beside the ledger being built.

use aidtrace_domain::ledger::LedgerBuilder;
use aidtrace_domain::{Ledger, Record};

use crate::{StoreError, StoreResult};

/// Documents decoded together: large enough to keep the threads busy, small enough that the
/// chunk's text and records are a sliver of the ledger.
const CHUNK: usize = 16_384;

/// One stored document as a record; a document that does not decode is reported with its start.
pub(crate) fn parse_record(doc: &str) -> StoreResult<Record> {
    serde_json::from_str(doc).map_err(|e| StoreError::Corrupt(format!("{e}: {doc:.120}")))
}

/// Parses record documents on every core (up to four), keeping their order.
pub(crate) fn parse_records(docs: &[String]) -> StoreResult<Vec<Record>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || docs.len() < 1024 {
        return docs.iter().map(|d| parse_record(d)).collect();
    }
    let per = docs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = docs
            .chunks(per)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|d| parse_record(d))
                        .collect::<StoreResult<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(docs.len());
        for part in parts {
            let parsed = part
                .join()
                .map_err(|_| StoreError::Corrupt("a record parser stopped".into()))??;
            out.extend(parsed);
        }
        Ok(out)
    })
}

/// A ledger built from documents streamed out of a backend's tables: each full chunk is decoded
/// in parallel ([`parse_records`]) and pushed into the ledger in the order the documents came.
pub(crate) struct LedgerDecoder {
    ledger: LedgerBuilder,
    docs: Vec<String>,
}

impl LedgerDecoder {
    pub(crate) fn new() -> Self {
        Self {
            ledger: LedgerBuilder::default(),
            docs: Vec::with_capacity(CHUNK),
        }
    }

    pub(crate) fn push(&mut self, doc: String) -> StoreResult<()> {
        self.docs.push(doc);
        if self.docs.len() == CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> StoreResult<Ledger> {
        self.flush()?;
        Ok(self.ledger.finish())
    }

    fn flush(&mut self) -> StoreResult<()> {
        if self.docs.is_empty() {
            return Ok(());
        }
        let records = parse_records(&self.docs)?;
        self.docs.clear();
        records.into_iter().for_each(|r| self.ledger.push(r));
        Ok(())
    }
}
