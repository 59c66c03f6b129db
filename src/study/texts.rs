//! Transcript texts loaded on first use and kept while they fit a memory budget.
//!
//! The study hands out `Arc<Transcript>`s, so dropping one from the cache never invalidates a
//! transcript a caller (the open transcript of the TUI, a report being written) still holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::model::Transcript;

/// Text kept in the cache, in bytes, before the least recently used transcripts are dropped.
const BUDGET: usize = 48 * 1024 * 1024;

/// Loaded transcripts by id.
#[derive(Debug, Default)]
pub(crate) struct TextCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Transcript and the tick of its last use.
    map: HashMap<String, (Arc<Transcript>, u64)>,
    bytes: usize,
    tick: u64,
}

impl TextCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The transcript, if loaded.
    pub fn get(&self, id: &str) -> Option<Arc<Transcript>> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        inner.map.get_mut(id).map(|(t, used)| {
            *used = tick;
            Arc::clone(t)
        })
    }

    /// Keeps a transcript, dropping the least recently used ones beyond the budget.
    pub fn put(&self, transcript: Arc<Transcript>) {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let size = transcript.text.len();
        if let Some((old, _)) = inner.map.insert(transcript.id.clone(), (transcript, tick)) {
            inner.bytes -= old.text.len();
        }
        inner.bytes += size;
        while inner.bytes > BUDGET && inner.map.len() > 1 {
            let Some(oldest) = inner
                .map
                .iter()
                .filter(|(_, (_, used))| *used != tick)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            if let Some((gone, _)) = inner.map.remove(&oldest) {
                inner.bytes -= gone.text.len();
            }
        }
    }

    /// Forgets one transcript (its file changed).
    pub fn remove(&self, id: &str) {
        let mut inner = self.lock();
        if let Some((gone, _)) = inner.map.remove(id) {
            inner.bytes -= gone.text.len();
        }
    }
}

/// Transcript files' text as read (not parsed), for cutting passages by byte offsets: a file
/// asked for once is read at those bytes only; asked for again, it is read whole and kept,
/// within its own budget, so a process that searches repeatedly (the terminal interface) cuts
/// passages from memory.
#[derive(Debug, Default)]
pub(crate) struct RawTexts {
    inner: Mutex<Raw>,
}

#[derive(Debug, Default)]
struct Raw {
    /// Files asked for once.
    seen: std::collections::HashSet<String>,
    /// Texts by transcript id, with the tick of their last use.
    texts: HashMap<String, (Arc<str>, u64)>,
    bytes: usize,
    tick: u64,
}

/// Raw text kept, in bytes, before the least recently used is dropped.
const RAW_BUDGET: usize = 64 * 1024 * 1024;

/// What to do for a passage of a file.
pub(crate) enum RawPlan {
    /// The whole text is at hand.
    Have(Arc<str>),
    /// First time: read just the passage.
    ReadRange,
    /// Asked for before: read the whole file and [`RawTexts::keep`] it.
    ReadWhole,
}

impl RawTexts {
    fn lock(&self) -> MutexGuard<'_, Raw> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How to get a passage of transcript `id`.
    pub fn plan(&self, id: &str) -> RawPlan {
        let mut raw = self.lock();
        raw.tick += 1;
        let tick = raw.tick;
        if let Some((text, used)) = raw.texts.get_mut(id) {
            *used = tick;
            return RawPlan::Have(Arc::clone(text));
        }
        if raw.seen.insert(id.to_string()) {
            RawPlan::ReadRange
        } else {
            RawPlan::ReadWhole
        }
    }

    /// Keeps a file's text, dropping the least recently used beyond the budget.
    pub fn keep(&self, id: &str, text: Arc<str>) {
        let mut raw = self.lock();
        raw.tick += 1;
        let tick = raw.tick;
        raw.bytes += text.len();
        if let Some((old, _)) = raw.texts.insert(id.to_string(), (text, tick)) {
            raw.bytes -= old.len();
        }
        while raw.bytes > RAW_BUDGET && raw.texts.len() > 1 {
            let Some(oldest) = raw
                .texts
                .iter()
                .filter(|(_, (_, used))| *used != tick)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| id.clone())
            else {
                break;
            };
            if let Some((gone, _)) = raw.texts.remove(&oldest) {
                raw.bytes -= gone.len();
            }
        }
    }

    /// Forgets a file's text (it changed).
    pub fn remove(&self, id: &str) {
        let mut raw = self.lock();
        if let Some((gone, _)) = raw.texts.remove(id) {
            raw.bytes -= gone.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_recent_transcripts_within_the_budget() {
        let cache = TextCache::default();
        let big = "A: ".to_string() + &"x".repeat(BUDGET / 4);
        for id in ["a", "b", "c"] {
            cache.put(Arc::new(Transcript::parse(id, big.clone())));
        }
        assert!(cache.get("a").is_some());
        cache.put(Arc::new(Transcript::parse("d", big.clone())));
        // b was the least recently used
        assert!(cache.get("b").is_none());
        assert!(cache.get("a").is_some() && cache.get("d").is_some());
        cache.remove("a");
        assert!(cache.get("a").is_none());
    }
}
