//! The persistent record map of the kinds a ledger holds in the hundreds of thousands.
//!
//! Each record sits behind its own `Arc`: a persistent B-tree keeps its entries inline in
//! fixed 16-slot leaves, and records read in id order leave every leaf half full (a leaf splits
//! at its middle and the left half is never filled again), so 400-byte flows inline wasted about
//! as much memory as they used. Behind an `Arc` a slot is 24 bytes, and a record is cloned only
//! when a write changes it while an older snapshot still shares it.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use crate::codes::RecordId;

type Inner<V> = imbl::OrdMap<RecordId, Arc<V>>;
type Shared = imbl::shared_ptr::DefaultSharedPtr;

/// Records by id, in id order; reads give `&V` as a plain map would.
#[derive(Clone, PartialEq, Eq)]
pub struct Map<V>(Inner<V>);

impl<V> Default for Map<V> {
    fn default() -> Self {
        Self(imbl::OrdMap::new())
    }
}

impl<V: Clone + fmt::Debug> fmt::Debug for Map<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn value<V>(v: &Arc<V>) -> &V {
    v
}

fn entry<'a, V>((k, v): (&'a RecordId, &'a Arc<V>)) -> (&'a RecordId, &'a V) {
    (k, v)
}

pub type Values<'a, V> =
    std::iter::Map<imbl::ordmap::Values<'a, RecordId, Arc<V>, Shared>, fn(&Arc<V>) -> &V>;
pub type Iter<'a, V> = std::iter::Map<
    imbl::ordmap::Iter<'a, RecordId, Arc<V>, Shared>,
    fn((&'a RecordId, &'a Arc<V>)) -> (&'a RecordId, &'a V),
>;

impl<V: Clone> Map<V> {
    pub fn get<Q>(&self, id: &Q) -> Option<&V>
    where
        Q: Ord + ?Sized,
        RecordId: Borrow<Q>,
    {
        self.0.get(id).map(|v| &**v)
    }

    /// The stored key with the record: the id allocation others can share.
    pub fn get_key_value<Q>(&self, id: &Q) -> Option<(&RecordId, &V)>
    where
        Q: Ord + ?Sized,
        RecordId: Borrow<Q>,
    {
        self.0.get_key_value(id).map(entry)
    }

    /// The record, to change in place (copied first if an older snapshot shares it).
    pub fn get_mut<Q>(&mut self, id: &Q) -> Option<&mut V>
    where
        Q: Ord + ?Sized,
        RecordId: Borrow<Q>,
    {
        self.0.get_mut(id).map(Arc::make_mut)
    }

    pub fn contains_key<Q>(&self, id: &Q) -> bool
    where
        Q: Ord + ?Sized,
        RecordId: Borrow<Q>,
    {
        self.0.contains_key(id)
    }

    pub fn insert(&mut self, id: RecordId, record: V) -> Option<Arc<V>> {
        self.0.insert(id, Arc::new(record))
    }

    pub fn remove<Q>(&mut self, id: &Q) -> Option<Arc<V>>
    where
        Q: Ord + ?Sized,
        RecordId: Borrow<Q>,
    {
        self.0.remove(id)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn values(&self) -> Values<'_, V> {
        self.0.values().map(value as fn(&Arc<V>) -> &V)
    }

    pub fn iter<'a>(&'a self) -> Iter<'a, V> {
        self.0
            .iter()
            .map(entry as fn((&'a RecordId, &'a Arc<V>)) -> (&'a RecordId, &'a V))
    }

    pub fn keys(&self) -> imbl::ordmap::Keys<'_, RecordId, Arc<V>, Shared> {
        self.0.keys()
    }
}

impl<'a, V: Clone> IntoIterator for &'a Map<V> {
    type Item = (&'a RecordId, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V: Clone> FromIterator<(RecordId, V)> for Map<V> {
    fn from_iter<I: IntoIterator<Item = (RecordId, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

impl<V: Clone> IntoIterator for Map<V> {
    type Item = (RecordId, V);
    type IntoIter = std::iter::Map<
        imbl::ordmap::ConsumingIter<RecordId, Arc<V>, Shared>,
        fn((RecordId, Arc<V>)) -> (RecordId, V),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0
            .into_iter()
            .map(owned as fn((RecordId, Arc<V>)) -> (RecordId, V))
    }
}

fn owned<V: Clone>((k, v): (RecordId, Arc<V>)) -> (RecordId, V) {
    (k, Arc::unwrap_or_clone(v))
}

/// `map[&id]`, as a plain map reads; like theirs, it panics when the id is missing.
impl<V: Clone, Q> std::ops::Index<&Q> for Map<V>
where
    Q: Ord + ?Sized,
    RecordId: Borrow<Q>,
{
    type Output = V;
    fn index(&self, id: &Q) -> &V {
        &self.0[id]
    }
}
