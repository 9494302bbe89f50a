//! `truth.json`: what was injected, with the exact ids written in the JSONL files, so that any
//! detector's alerts can be scored (precision and recall per detector).
//!
//! An alert matches an operation of the same `kind` when its evidence overlaps the operation's
//! `items`, `accounts` or `domains`. Anything listed under `negatives` is a deliberate decoy: an
//! alert naming it is a false positive.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Version of the generator's output: bump when the same seed would produce different data.
pub const GENERATOR_VERSION: &str = "vigie-generate/7";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub generator_version: String,
    /// Generation options, so that a truth file says how to regenerate its data.
    #[serde(default)]
    pub options: Map<String, Value>,
    pub operations: Vec<Operation>,
    pub negatives: Negatives,
    /// Items that are copies of one another (same talking point, or a relay origin and its
    /// copies; native reposts excluded): the ground truth of copy-paste clustering.
    #[serde(default)]
    pub copy_groups: Vec<CopyGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CopyGroup {
    pub key: String,
    pub items: Vec<String>,
}

/// One injected operation of known membership.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Stable id, e.g. `op-relay-1`.
    pub id: String,
    /// The detector expected to find it (SPEC §4 `detector`).
    pub kind: String,
    pub description: String,
    /// Post and article ids (articles by their `id`).
    #[serde(default)]
    pub items: Vec<String>,
    /// Account ids (`account.id`, `post.author`).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Host names involved, lower-case, IDN in punycode.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Hashtags without `#`.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// Protected domains, handles or names imitated.
    #[serde(default)]
    pub imitates: Vec<String>,
    /// Kind-specific facts: origins and copies, coordination episodes, burst windows, the
    /// technique of each look-alike, the claim of each electoral item...
    #[serde(default)]
    pub details: Map<String, Value>,
}

/// Decoys that look a little like an operation but are not one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Negatives {
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// The same decoys by the detector they are meant to trip, with a short reason each.
    #[serde(default)]
    pub by_detector: BTreeMap<String, NegativeSet>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NegativeSet {
    pub reason: String,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub hashtags: Vec<String>,
}

impl Negatives {
    /// Adds a decoy set for `detector` and merges its ids into the flat lists.
    pub fn add(&mut self, detector: &str, set: NegativeSet) {
        self.items.extend(set.items.iter().cloned());
        self.domains.extend(set.domains.iter().cloned());
        self.accounts.extend(set.accounts.iter().cloned());
        self.hashtags.extend(set.hashtags.iter().cloned());
        match self.by_detector.get_mut(detector) {
            Some(existing) => {
                existing.items.extend(set.items);
                existing.domains.extend(set.domains);
                existing.accounts.extend(set.accounts);
                existing.hashtags.extend(set.hashtags);
            }
            None => {
                self.by_detector.insert(detector.to_owned(), set);
            }
        }
    }
}

impl Truth {
    /// The operations a given detector is expected to find.
    pub fn operations_of(&self, kind: &str) -> Vec<&Operation> {
        self.operations.iter().filter(|o| o.kind == kind).collect()
    }
}
