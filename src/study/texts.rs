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
