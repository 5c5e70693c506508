//! One organisation, one record: matching the organisations an IATI import names to those the
//! ledger holds, aliases, the review of what imports created, and merging two organisations.
//!
//! - **Matching** (on import): an organisation the file names that the ledger lacks is linked
//!   to an existing one by identifier (IATI reference, or the id of an organisation merged into
//!   it), then by normalised name, then by a reviewed alias. A name matches only when it names
//!   one organisation, and not one whose IATI identifiers contradict the file's ("Ministry of
//!   Health" of two countries). Unmatched, it is created as before and listed for review.
//! - **Review**: an organisation an import created (ids `org-iati-…`, `org-name-…`, so stores
//!   imported before this module are covered too) stays listed until an admin links it to an
//!   existing one (a merge) or keeps it as new (`reviewed`).
//! - **Merge**: every reference to FROM moves to INTO, FROM is deleted and its name and id
//!   stay as an alias of INTO, with its identifiers: one audited transaction, and a repeat is
//!   a no-op.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use aidtrace_domain::error::{ProblemArg, ProblemId};
use aidtrace_domain::model::{OrgAlias, OrgIdentifier, Organisation, Record};
use aidtrace_domain::org_refs::REFERRING_KINDS;
use aidtrace_domain::{RecordId, RecordKind, ValidationError};
use aidtrace_store::{AccountStore, ApplyReport};
use serde::Serialize;

use crate::error::{ServiceError, ServiceResult};
use crate::{Aidtrace, RecordWriter};

/// The id prefixes the IATI import (`iati.rs`) gives the organisations it creates.
pub const IMPORTED_PREFIXES: [&str; 2] = ["org-iati-", "org-name-"];

/// Words that say nothing about which organisation is meant, left out of suggestions: function
/// words, and the kinds of body every country has ("Ministry of Health of Ukraine" is no
/// candidate for "Japan - Ministry of Foreign Affairs", whatever the word counts say).
const STOP_WORDS: [&str; 28] = [
    "of",
    "the",
    "and",
    "for",
    "in",
    "on",
    "to",
    "a",
    "de",
    "des",
    "du",
    "la",
    "ministry",
    "government",
    "agency",
    "embassy",
    "department",
    "office",
    "national",
    "republic",
    "international",
    "cooperation",
    "development",
    "organisation",
    "organization",
    "state",
    "federal",
    "kingdom",
];

/// A name as matching compares it: lower case, letters and digits only, one space between
/// words, `&` read as "and" ("Japan - Ministry of Foreign Affairs" and "JAPAN Ministry of
/// foreign affairs" are one name).
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !c.is_alphanumeric() && c != '&')
        .flat_map(|w| w.split_inclusive('&'))
        .flat_map(|w| {
            let (head, amp) = w.strip_suffix('&').map_or((w, false), |h| (h, true));
            [head, if amp { "and" } else { "" }]
        })
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Whether an import created this organisation and no admin has reviewed it yet.
pub fn awaiting_review(org: &Organisation) -> bool {
    !org.reviewed
        && IMPORTED_PREFIXES
            .iter()
            .any(|p| org.id.as_str().starts_with(p))
}

/// How an identifier is compared: IATI references as written or parsed are one scheme, case
/// and surrounding spaces aside.
fn identifier_key(identifier: &OrgIdentifier) -> String {
    match identifier {
        OrgIdentifier::Iati(id) => format!("iati:{}", id.to_string().trim().to_uppercase()),
        OrgIdentifier::IatiAsPublished(id) => format!("iati:{}", id.trim().to_uppercase()),
        OrgIdentifier::Registration(id) => format!("reg:{}", id.trim().to_uppercase()),
        OrgIdentifier::Other(id) => format!("other:{}", id.trim().to_uppercase()),
    }
}

fn iati_keys(org: &Organisation) -> Vec<String> {
    org.identifiers
        .iter()
        .map(identifier_key)
        .filter(|k| k.starts_with("iati:"))
        .collect()
}

/// What a match was found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Identifier,
    MergedId,
    Name,
    Alias,
}

/// The organisations of a ledger, looked up as matching needs. A key that several
/// organisations share maps to `None`: an ambiguous name links nothing.
#[derive(Debug, Default)]
pub struct OrgIndex {
    identifiers: HashMap<String, Option<RecordId>>,
    merged: HashMap<RecordId, RecordId>,
    names: HashMap<String, Option<RecordId>>,
    aliases: HashMap<String, Option<RecordId>>,
    iati: HashMap<RecordId, Vec<String>>,
}

fn insert_unique(map: &mut HashMap<String, Option<RecordId>>, key: String, id: &RecordId) {
    if key.is_empty() {
        return;
    }
    map.entry(key)
        .and_modify(|v| {
            if v.as_ref() != Some(id) {
                *v = None;
            }
        })
        .or_insert_with(|| Some(id.clone()));
}

impl OrgIndex {
    pub fn new<'a>(orgs: impl IntoIterator<Item = &'a Organisation>) -> Self {
        let mut index = Self::default();
        for org in orgs {
            index.add(org);
        }
        index
    }

    pub fn add(&mut self, org: &Organisation) {
        for identifier in &org.identifiers {
            insert_unique(&mut self.identifiers, identifier_key(identifier), &org.id);
        }
        insert_unique(&mut self.names, normalise(&org.name), &org.id);
        for alias in &org.aliases {
            insert_unique(&mut self.aliases, normalise(&alias.name), &org.id);
            if let Some(old) = &alias.merged_id {
                self.merged.insert(old.clone(), org.id.clone());
            }
        }
        self.iati.insert(org.id.clone(), iati_keys(org));
    }

    /// The existing organisation `candidate` is, if one is: by identifier (or the id of an
    /// organisation merged away), then by normalised name, then by alias.
    pub fn find(&self, candidate: &Organisation) -> Option<(RecordId, MatchedBy)> {
        if let Some(id) = self.merged.get(&candidate.id) {
            return Some((id.clone(), MatchedBy::MergedId));
        }
        for identifier in &candidate.identifiers {
            if let Some(Some(id)) = self.identifiers.get(&identifier_key(identifier)) {
                return Some((id.clone(), MatchedBy::Identifier));
            }
        }
        let name = normalise(&candidate.name);
        let theirs = iati_keys(candidate);
        // Two organisations with IATI identifiers that differ are two, whatever their names.
        let consistent = |id: &RecordId| {
            let ours = self.iati.get(id).map(Vec::as_slice).unwrap_or_default();
            theirs.is_empty() || ours.is_empty() || ours.iter().any(|k| theirs.contains(k))
        };
        for (map, by) in [
            (&self.names, MatchedBy::Name),
            (&self.aliases, MatchedBy::Alias),
        ] {
            if let Some(Some(id)) = map.get(&name)
                && consistent(id)
            {
                return Some((id.clone(), by));
            }
        }
        None
    }
}

/// The import's side of matching: decides once per organisation id a file names whether it is
/// one the ledger holds, and rewrites the references of the records about to be written.
/// Without a loaded index (the per-activity maps of the parallel reader) it does nothing.
#[derive(Default)]
pub(crate) struct ImportLinks {
    inner: RefCell<Option<Links>>,
}

struct Links {
    index: OrgIndex,
    decided: HashMap<RecordId, RecordId>,
    /// Aliases for organisations of the current group not stored yet.
    pending: HashMap<RecordId, Vec<OrgAlias>>,
}

impl ImportLinks {
    /// Indexes the organisations the ledger holds before the file, or takes the index the
    /// previous file of the run left (see [`Self::finish`]).
    pub(crate) fn for_import(app: &mut Aidtrace) -> ServiceResult<Self> {
        let index = match app.org_index.take() {
            Some(index) => index,
            None => {
                let orgs = app.store().list(RecordKind::Organisation)?;
                OrgIndex::new(orgs.iter().filter_map(|r| match r {
                    Record::Organisation(o) => Some(o),
                    _ => None,
                }))
            }
        };
        Ok(Self {
            inner: RefCell::new(Some(Links {
                index,
                decided: HashMap::new(),
                pending: HashMap::new(),
            })),
        })
    }

    /// After the file's commit: the index, with the organisations the file created, stays for
    /// the next file (any other write drops it). Not called when the file is refused, so it
    /// never holds an organisation a rolled-back transaction created.
    /// `candidates` are the file's organisations as it ended: one first named without a name
    /// may have got one later, and is indexed by it now, as a reload would.
    pub(crate) fn finish(self, app: &mut Aidtrace, candidates: &BTreeMap<RecordId, Organisation>) {
        if let Some(mut links) = self.inner.into_inner() {
            for (from, to) in &links.decided {
                if from == to
                    && let Some(created) = candidates.get(from)
                {
                    links.index.add(created);
                }
            }
            app.org_index = Some(links.index);
        }
    }

    /// Points the records' organisation references at the existing organisation each one
    /// matches; `candidates` are the organisations the file describes (by the ids the import
    /// gave them). An organisation left unmatched joins the index, so a later mention under
    /// another reference but the same name links to it.
    pub(crate) fn link(
        &self,
        writer: &RecordWriter<'_>,
        records: &mut Vec<Record>,
        candidates: &BTreeMap<RecordId, Organisation>,
    ) -> ServiceResult<()> {
        let mut inner = self.inner.borrow_mut();
        let Some(links) = inner.as_mut() else {
            return Ok(());
        };
        // Links made by name or alias, remembered on the organisation linked to (below).
        let mut remembered: BTreeMap<RecordId, Vec<OrgAlias>> = BTreeMap::new();
        for record in records.iter_mut() {
            let mut changed = false;
            for r in record.organisation_refs_mut() {
                let to = match links.decided.get(r) {
                    Some(to) => to.clone(),
                    None => {
                        let to = if writer.exists(RecordKind::Organisation, r)? {
                            r.clone()
                        } else if let Some(candidate) = candidates.get(r) {
                            match links.index.find(candidate) {
                                Some((id, by)) => {
                                    if matches!(by, MatchedBy::Name | MatchedBy::Alias) {
                                        remembered.entry(id.clone()).or_default().push(OrgAlias {
                                            name: candidate.name.clone(),
                                            merged_id: Some(candidate.id.clone()),
                                        });
                                    }
                                    id
                                }
                                None => {
                                    links.index.add(candidate);
                                    r.clone()
                                }
                            }
                        } else {
                            r.clone()
                        };
                        links.decided.insert(r.clone(), to.clone());
                        to
                    }
                };
                if *r != to {
                    *r = to;
                    changed = true;
                }
            }
            if changed {
                record.dedupe_organisations();
            }
        }
        // A name can become ambiguous later (a second organisation of that name arrives), so a
        // link by name is kept as an alias carrying the file's id for the organisation: a
        // re-import links by that id and changes nothing. An organisation this very group
        // creates gets its aliases when it is written ([`Self::with_aliases`]).
        for (target, aliases) in remembered {
            for alias in &aliases {
                if let Some(old) = &alias.merged_id {
                    links.index.merged.insert(old.clone(), target.clone());
                }
            }
            let Some(Record::Organisation(mut org)) =
                writer.get(RecordKind::Organisation, &target)?
            else {
                links.pending.entry(target).or_default().extend(aliases);
                continue;
            };
            let before = org.aliases.len();
            for alias in aliases {
                if !org.aliases.iter().any(|a| a.merged_id == alias.merged_id) {
                    org.aliases.push(alias);
                }
            }
            if org.aliases.len() > before {
                records.push(Record::Organisation(org));
            }
        }
        Ok(())
    }

    /// An organisation the import is about to create, with the aliases of the links by name
    /// made to it before it was stored.
    pub(crate) fn with_aliases(&self, mut org: Organisation) -> Organisation {
        if let Some(links) = self.inner.borrow_mut().as_mut()
            && let Some(aliases) = links.pending.remove(&org.id)
        {
            for alias in aliases {
                if !org.aliases.iter().any(|a| a.merged_id == alias.merged_id) {
                    org.aliases.push(alias);
                }
            }
        }
        org
    }
}

/// What a merge did.
#[derive(Debug, Clone, Serialize)]
pub struct MergeReport {
    pub from: RecordId,
    pub into: RecordId,
    /// Records whose references moved, per kind.
    pub moved: BTreeMap<&'static str, usize>,
    /// FROM had been merged into INTO already: nothing changed.
    pub already_merged: bool,
    /// Records written (the moved ones and INTO) and deleted (FROM).
    pub changed: usize,
    /// Accounts whose organisation scope named FROM and now names INTO
    /// ([`move_account_scopes`]).
    #[serde(default)]
    pub accounts_rescoped: Vec<String>,
}

/// Accounts scoped to a merged organisation follow it to the organisation it was merged into, so
/// an editor of the old record keeps editing the same donor (and nobody gains a scope they did not
/// have: an account that named both keeps INTO once). Each changed account is an audited account
/// change; a second run finds nothing to move.
pub fn move_account_scopes(
    accounts: &mut dyn AccountStore,
    from: &RecordId,
    into: &RecordId,
) -> ServiceResult<Vec<String>> {
    let mut moved = Vec::new();
    for account in accounts.accounts()? {
        if !account.organisations.iter().any(|o| o == from.as_str()) {
            continue;
        }
        let Some((mut stored, hash)) = accounts.account(&account.name)? else {
            continue;
        };
        let mut scope: Vec<String> = Vec::with_capacity(stored.organisations.len());
        for org in stored.organisations.drain(..) {
            let org = if org == from.as_str() {
                into.to_string()
            } else {
                org
            };
            if !scope.contains(&org) {
                scope.push(org);
            }
        }
        stored.organisations = scope;
        accounts.put_account(&stored, &hash)?;
        moved.push(stored.name);
    }
    Ok(moved)
}

/// An organisation awaiting review, with the established organisations it may duplicate.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub organisation: Organisation,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: RecordId,
    pub name: String,
    /// The words of the two names both share.
    pub shared: Vec<String>,
}

/// Suggestions per organisation under review.
const SUGGESTIONS: usize = 5;

fn words(name: &str) -> HashSet<String> {
    normalise(name)
        .split(' ')
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(String::from)
        .collect()
}

/// One alias listed with its organisation.
#[derive(Debug, Clone, Serialize)]
pub struct AliasRow {
    pub organisation: RecordId,
    pub organisation_name: String,
    pub alias: String,
    pub merged_id: Option<RecordId>,
}

fn org_label(id: &RecordId) -> String {
    format!("organisation {id}")
}

impl Aidtrace {
    fn organisation(&self, id: &RecordId) -> ServiceResult<Option<Organisation>> {
        Ok(match self.store().get(RecordKind::Organisation, id)? {
            Some(Record::Organisation(o)) => Some(o),
            _ => None,
        })
    }

    fn all_organisations(&self) -> ServiceResult<Vec<Organisation>> {
        Ok(self
            .store()
            .list(RecordKind::Organisation)?
            .into_iter()
            .filter_map(|r| match r {
                Record::Organisation(o) => Some(o),
                _ => None,
            })
            .collect())
    }

    /// Merges organisation `from` into `into` (see the module notes). Refused, naming the field
    /// and value: an unknown id, a merge into itself, and a merge that would make INTO its own
    /// parent (INTO belongs to FROM).
    pub fn merge_organisations(
        &mut self,
        actor: &str,
        from: &RecordId,
        into: &RecordId,
    ) -> ServiceResult<MergeReport> {
        let label = format!("merge {from} into {into}");
        let refuse = |error: ValidationError| ServiceError::invalid(label.clone(), error);
        if from == into {
            return Err(refuse(
                ValidationError::new("into", into, "an organisation cannot be merged into itself")
                    .because(ProblemId::MergeIntoItself),
            ));
        }
        let Some(mut target) = self.organisation(into)? else {
            return Err(refuse(ValidationError::no_such_record(
                "into",
                into,
                RecordKind::Organisation,
            )));
        };
        let mut report = MergeReport {
            from: from.clone(),
            into: into.clone(),
            moved: BTreeMap::new(),
            already_merged: false,
            changed: 0,
            accounts_rescoped: Vec::new(),
        };
        let Some(source) = self.organisation(from)? else {
            if target
                .aliases
                .iter()
                .any(|a| a.merged_id.as_ref() == Some(from))
            {
                report.already_merged = true;
                return Ok(report);
            }
            return Err(refuse(ValidationError::no_such_record(
                "from",
                from,
                RecordKind::Organisation,
            )));
        };
        let mut chain = vec![into.to_string()];
        let mut seen = HashSet::new();
        let mut parent = target.parent.clone();
        while let Some(p) = parent {
            chain.push(p.to_string());
            if p == *from {
                let chain = chain.join(" → ");
                return Err(refuse(
                    ValidationError::new(
                        "into",
                        into,
                        format!(
                            "{into} belongs to {from} ({chain}): merging would make it its own parent; change its parent first"
                        ),
                    )
                    .because(ProblemId::MergeMakesOwnParent)
                    .arg("chain", ProblemArg::Text(chain)),
                ));
            }
            if !seen.insert(p.clone()) {
                break;
            }
            parent = self.organisation(&p)?.and_then(|o| o.parent);
        }
        let mut moved: Vec<Record> = Vec::new();
        for kind in REFERRING_KINDS {
            for mut record in self.store().list(kind)? {
                if kind == RecordKind::Organisation && (record.id() == from || record.id() == into)
                {
                    continue;
                }
                if record.replace_organisation(from, into) {
                    *report.moved.entry(kind.as_str()).or_default() += 1;
                    moved.push(record);
                }
            }
        }
        absorb(&mut target, source);
        moved.push(Record::Organisation(target));
        // Written without the asset history rules of `put`: only organisation references of
        // assets and work orders change, which those rules do not read.
        let mut writer = self.writer(actor)?;
        writer.put_group(moved)?;
        writer.delete(RecordKind::Organisation, from)?;
        let applied = writer.commit()?;
        report.changed = applied.changed();
        Ok(report)
    }

    /// The organisations imports created that no admin has reviewed, each with up to five
    /// established organisations of a kind it could be (`OrgKind::may_be_same_as`) whose names
    /// share a telling word, rarest words first.
    pub fn organisations_to_review(&self) -> ServiceResult<Vec<ReviewItem>> {
        let all = self.all_organisations()?;
        let (pending, established): (Vec<_>, Vec<_>) = all.into_iter().partition(awaiting_review);
        let established: Vec<(Organisation, HashSet<String>)> = established
            .into_iter()
            .map(|o| {
                let w = words(&o.name);
                (o, w)
            })
            .collect();
        let mut frequency: HashMap<&str, usize> = HashMap::new();
        for (_, ws) in &established {
            for w in ws {
                *frequency.entry(w.as_str()).or_default() += 1;
            }
        }
        Ok(pending
            .into_iter()
            .map(|org| {
                let mine = words(&org.name);
                let mut scored: Vec<(f64, bool, usize, &Organisation, Vec<String>)> = established
                    .iter()
                    .filter(|(o, _)| org.kind.may_be_same_as(o.kind))
                    .filter_map(|(o, ws)| {
                        let mut shared: Vec<String> = mine.intersection(ws).cloned().collect();
                        if shared.is_empty() {
                            return None;
                        }
                        shared.sort();
                        let score = shared
                            .iter()
                            .map(|w| 1.0 / frequency.get(w.as_str()).copied().unwrap_or(1) as f64)
                            .sum::<f64>();
                        Some((score, o.parent.is_some(), o.name.len(), o, shared))
                    })
                    .collect();
                // Rarer shared words first; then a top-level organisation (a donor's
                // government) before its agencies, then the shorter name.
                scored.sort_by(|a, b| {
                    b.0.total_cmp(&a.0)
                        .then(a.1.cmp(&b.1))
                        .then(a.2.cmp(&b.2))
                        .then(a.3.id.cmp(&b.3.id))
                });
                let suggestions = scored
                    .into_iter()
                    .take(SUGGESTIONS)
                    .map(|(_, _, _, o, shared)| Suggestion {
                        id: o.id.clone(),
                        name: o.name.clone(),
                        shared,
                    })
                    .collect();
                ReviewItem {
                    organisation: org,
                    suggestions,
                }
            })
            .collect())
    }

    /// The organisation a person means by `raw`: its id, or else the one organisation whose
    /// name or alias it is (normalised), so forms may take either.
    pub fn resolve_organisation(&self, raw: &str) -> ServiceResult<Option<RecordId>> {
        if let Ok(id) = RecordId::parse(raw.trim())
            && self.organisation(&id)?.is_some()
        {
            return Ok(Some(id));
        }
        let key = normalise(raw);
        if key.is_empty() {
            return Ok(None);
        }
        let mut found = self.all_organisations()?.into_iter().filter(|o| {
            normalise(&o.name) == key || o.aliases.iter().any(|a| normalise(&a.name) == key)
        });
        Ok(match (found.next(), found.next()) {
            (Some(one), None) => Some(one.id),
            _ => None,
        })
    }

    /// "Keep as new": marks an organisation an import created as reviewed. A repeat changes
    /// nothing.
    pub fn keep_organisation(&mut self, actor: &str, id: &RecordId) -> ServiceResult<ApplyReport> {
        let Some(mut org) = self.organisation(id)? else {
            return Err(ServiceError::invalid(
                org_label(id),
                ValidationError::no_such_record("id", id, RecordKind::Organisation),
            ));
        };
        org.reviewed = true;
        self.put(actor, vec![Record::Organisation(org)])
    }

    /// Adds an alias to an organisation. Refused when it is empty or already names an
    /// organisation (its name or alias), since matching could then not choose.
    pub fn add_alias(
        &mut self,
        actor: &str,
        id: &RecordId,
        alias: &str,
    ) -> ServiceResult<ApplyReport> {
        let label = org_label(id);
        let alias = alias.trim();
        let key = normalise(alias);
        if key.is_empty() {
            return Err(ServiceError::invalid(
                label,
                ValidationError::new(
                    "alias",
                    alias,
                    "must name the organisation in letters or digits",
                )
                .because(ProblemId::AliasNoLetters),
            ));
        }
        let all = self.all_organisations()?;
        let Some(mut org) = all.iter().find(|o| o.id == *id).cloned() else {
            return Err(ServiceError::invalid(
                label,
                ValidationError::no_such_record("id", id, RecordKind::Organisation),
            ));
        };
        let refuse = |error: ValidationError| ServiceError::invalid(label.clone(), error);
        if normalise(&org.name) == key {
            return Err(refuse(
                ValidationError::new("alias", alias, "is this organisation's name already")
                    .because(ProblemId::AliasIsName),
            ));
        }
        if org.aliases.iter().any(|a| normalise(&a.name) == key) {
            return Ok(ApplyReport::default());
        }
        for other in all.iter().filter(|o| o.id != *id) {
            let mut names =
                std::iter::once(&other.name).chain(other.aliases.iter().map(|a| &a.name));
            if names.any(|n| normalise(n) == key) {
                return Err(refuse(
                    ValidationError::new(
                        "alias",
                        alias,
                        format!("already names organisation {} ({})", other.id, other.name),
                    )
                    .because(ProblemId::AliasTaken)
                    .arg("id", ProblemArg::Text(other.id.to_string()))
                    .arg("name", ProblemArg::Text(other.name.clone())),
                ));
            }
        }
        org.aliases.push(OrgAlias {
            name: alias.to_string(),
            merged_id: None,
        });
        self.put(actor, vec![Record::Organisation(org)])
    }

    /// Every alias, by organisation.
    pub fn aliases(&self) -> ServiceResult<Vec<AliasRow>> {
        Ok(self
            .all_organisations()?
            .into_iter()
            .flat_map(|o| {
                o.aliases
                    .iter()
                    .map(|a| AliasRow {
                        organisation: o.id.clone(),
                        organisation_name: o.name.clone(),
                        alias: a.name.clone(),
                        merged_id: a.merged_id.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect())
    }
}

/// INTO takes over what FROM was known by: its name and id as an alias, its aliases, its
/// identifiers, roles and citations; its country where INTO has none.
fn absorb(into: &mut Organisation, from: Organisation) {
    let mut aliases = vec![OrgAlias {
        name: from.name,
        merged_id: Some(from.id),
    }];
    aliases.extend(from.aliases);
    for alias in aliases {
        if !into.aliases.contains(&alias) {
            into.aliases.push(alias);
        }
    }
    for identifier in from.identifiers {
        if !into.identifiers.contains(&identifier) {
            into.identifiers.push(identifier);
        }
    }
    for role in from.roles {
        if !into.roles.contains(&role) {
            into.roles.push(role);
        }
    }
    for citation in from.sources {
        if !into.sources.contains(&citation) {
            into.sources.push(citation);
        }
    }
    if into.country.is_none() {
        into.country = from.country;
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn names_normalise_to_lower_case_words() {
        assert_eq!(
            normalise("Japan - Ministry of Foreign Affairs"),
            "japan ministry of foreign affairs"
        );
        assert_eq!(
            normalise("  JAPAN Ministry of  foreign-affairs."),
            "japan ministry of foreign affairs"
        );
        assert_eq!(
            normalise("Médecins Sans Frontières"),
            "médecins sans frontières"
        );
        assert_eq!(normalise("Bill & Melinda Gates"), "bill and melinda gates");
        assert_eq!(normalise("R&D"), "r and d");
        assert_eq!(normalise("--"), "");
    }
}
