//! What detector tests share: an in-memory store holding native JSONL records.

use vigie_core::config::InputConfig;
use vigie_core::Record;
use vigie_normalise::Normaliser;
use vigie_store::Store;

/// A store with these JSONL lines normalised and inserted (test inputs are well-formed).
pub(crate) fn store_with(lines: &[String]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let normaliser = Normaliser::new(&InputConfig::default());
    let mut batch = store.batch().unwrap();
    for line in lines {
        let record: Record = serde_json::from_str(line).unwrap();
        batch
            .insert(&normaliser.normalise(record).unwrap())
            .unwrap();
    }
    batch.commit().unwrap();
    store
}
