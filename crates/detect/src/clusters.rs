//! Copy clusters of posts and articles, computed once per scan and shared by the detectors that
//! read them (`copypasta`, `relay_network`). Matching settings are copypasta's (`min_chars` and
//! the near-duplicate parameters under `[detectors.copypasta]`).

use crate::detectors::copypasta::{looks_cut, matching_text, Settings, NAME};
use crate::neardup::{Entry, Index, Prepared, SimilarPairs};
use crate::pipeline::{feed, read_map_consume};
use crate::DetectError;
use std::collections::{BTreeMap, HashMap};
use vigie_core::{Config, Kind};
use vigie_store::{CopyAssignments, CopyState, Store};

/// One item of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The item id as given in the input.
    pub id: String,
    /// Who published it: the site for articles, the account for posts.
    pub source: String,
    /// Unix milliseconds.
    pub ts: i64,
    pub kind: Kind,
}

/// Items that copy one another, earliest first (ties by source, then id).
#[derive(Debug, Clone, PartialEq)]
pub struct CopyCluster {
    pub members: Vec<Member>,
    /// Lowest verified similarity along the joins that built the cluster (1.0: exact copies).
    pub weakest_similarity: f64,
    /// Folded text of the earliest item, cut at 280 characters.
    pub origin_text: String,
    /// Items per language (declared or detected).
    pub languages: std::collections::BTreeMap<String, usize>,
}

impl CopyCluster {
    pub fn origin(&self) -> Option<&Member> {
        self.members.first()
    }
}

#[derive(Default)]
struct Building {
    members: Vec<Member>,
    languages: std::collections::BTreeMap<String, usize>,
    origin_key: (i64, i64),
    origin_text: Option<String>,
}

/// Copy clusters of every post and article of the store (native reposts left out).
///
/// Clustering is incremental: the store keeps every item's cluster between scans, and a scan
/// clusters only the items added since, together with the recent window (`window_seconds`
/// before the earliest new item) and one representative of each cluster active within
/// `cluster_memory_seconds`. Items arriving far out of order (before that window) or changed
/// settings rebuild the index from scratch. Then the clusters are assembled from the store.
pub fn copy_clusters(config: &Config, store: &Store) -> Result<Vec<CopyCluster>, DetectError> {
    copy_clusters_with(config, store, None)
}

/// [`copy_clusters`], with the items' features computed by `engine` when one is given.
pub fn copy_clusters_with(
    config: &Config,
    store: &Store,
    engine: Option<&dyn FeatureEngine>,
) -> Result<Vec<CopyCluster>, DetectError> {
    let settings: Settings = config.detector_settings(NAME)?;
    let started = std::time::Instant::now();
    update_index(&settings, store, engine)?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "copy clusters: index updated"
    );
    let clusters = assemble(store)?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        clusters = clusters.len(),
        "copy clusters: assembled"
    );
    Ok(clusters)
}

/// One item to cluster, with what an engine computed of it.
#[derive(Debug, Clone)]
pub struct EngineItem {
    pub rid: i64,
    /// Unix milliseconds.
    pub ts: i64,
    /// Its digest, cut flag and band keys (see [`Prepared::from_keys`]); `None` when the
    /// matching text has fewer than `min_words` words: the item moves the horizon but is not
    /// indexed.
    pub indexed: Option<Prepared>,
}

/// Computes the heavy part of copy clustering elsewhere (DataFusion plans, in this process or on
/// a cluster): the items' shingles and band keys, the band-bucket join and the verification of
/// the candidate pairs it yields. Only the streaming index's rules (window, bucket caps,
/// cluster memory), on band keys and looked-up similarities, and the union-find stay here.
pub trait FeatureEngine {
    /// Every similar pair of distinct texts (digest and cut flag) sharing a band key, among the
    /// items [`FeatureEngine::copy_features`] yields, whose publication times come within
    /// `max(window_seconds, cluster_memory_seconds)`: a superset of the pairs the index
    /// verifies (see [`SimilarPairs`]).
    fn similar_pairs(&self, settings: &Settings, max_rid: i64)
        -> Result<SimilarPairs, DetectError>;

    /// Calls `f` for each post and article with a timestamp and a row id up to `max_rid`, native
    /// reposts left out, whose matching text has at least `settings.min_chars` characters, in
    /// (time, row id) order: the rows and order `Store::for_each_text_to_cluster` gives a full
    /// pass.
    fn copy_features(
        &self,
        settings: &Settings,
        max_rid: i64,
        f: &mut dyn FnMut(EngineItem) -> Result<(), DetectError>,
    ) -> Result<(), DetectError>;

    /// The co-action candidates of every post with an author (see [`crate::coaction`]): two
    /// accounts acting on one object (type and key) within the type's Δ, each pair once per
    /// object episode, the object episodes with more than `max_crowd` accounts making no pairs
    /// once crowded. `near` gives the copy cluster of the posts that have one, by post id.
    /// Calls `f` with each co-action in the order a time-ordered scan meets them (the later
    /// post's time and row id, its object's rank among the post's objects, then the earlier
    /// post's time and row id), and returns the accounts and the null model's inputs.
    fn coactions(
        &self,
        settings: &crate::coaction::Settings,
        near: &[(&str, u32)],
        f: &mut dyn FnMut(crate::coaction::EngineCoAction) -> Result<(), DetectError>,
    ) -> Result<crate::coaction::EngineCoActions, DetectError>;

    /// The observed hosts (domains of `domain` records, hosts of the URLs of posts, articles
    /// and ads, each as [`crate::detectors::lookalike_domain`] reads them) of which one of the
    /// look-up keys ([`crate::lookalike::probe_keys`]) is among `keys`, the keys of a look-alike
    /// index ([`crate::lookalike::LookalikeIndex::probe_index`]): a superset of the hosts that
    /// index matches.
    fn lookalike_candidates(
        &self,
        keys: &[u64],
    ) -> Result<std::collections::HashSet<String>, DetectError>;
}

const KINDS: [Kind; 2] = [Kind::Post, Kind::Article];

/// The settings that decide cluster membership: another fingerprint, another index.
fn fingerprint(settings: &Settings) -> String {
    let text = serde_json::to_string(&(settings.min_chars, &settings.matching)).unwrap_or_default();
    format!("{:016x}", vigie_core::stable_hash(&[text.as_bytes()]))
}

fn update_index(
    settings: &Settings,
    store: &Store,
    engine: Option<&dyn FeatureEngine>,
) -> Result<(), DetectError> {
    let fp = fingerprint(settings);
    let params = &settings.matching;
    let window_ms = params.window_seconds.max(0).saturating_mul(1000);
    let memory_ms = params.cluster_memory_seconds.max(0).saturating_mul(1000);
    let mut state = store.copy_state()?;
    if state.as_ref().is_some_and(|s| s.fingerprint != fp) {
        tracing::info!("copy-cluster settings changed: re-clustering every item");
        store.reset_copy_index()?;
        state = None;
    }
    let last_rid = state.as_ref().map_or(0, |s| s.last_rid);
    let Some(earliest_new) = store.earliest_after(&KINDS, last_rid)? else {
        return Ok(());
    };
    let (window_from, memory_from) = match &state {
        // An engine reads exported files, not the store's recent window: it clusters everything.
        Some(_) if engine.is_some() => {
            tracing::info!("engine run: re-clustering every item");
            store.reset_copy_index()?;
            (i64::MIN, i64::MIN)
        }
        Some(s) if earliest_new >= s.horizon_ts.saturating_sub(window_ms) => {
            let from = earliest_new.saturating_sub(window_ms);
            (from, from.saturating_sub(memory_ms))
        }
        Some(_) => {
            tracing::info!(
                "items older than the clustering window arrived: re-clustering every item"
            );
            store.reset_copy_index()?;
            (i64::MIN, i64::MIN)
        }
        None => (i64::MIN, i64::MIN),
    };
    let labels = if window_from == i64::MIN {
        HashMap::new()
    } else {
        store.copy_labels_since(memory_from)?
    };
    let max_rid = store.max_rid()?;

    // With an engine, the bucket join and the verification of candidates ran there: this index
    // looks their similarities up and only replays the streaming rules on band keys.
    let mut index = match engine {
        Some(engine) => Index::with_pairs(params.clone(), engine.similar_pairs(settings, max_rid)?),
        None => Index::new(params.clone()),
    };
    let preparer = index.preparer();
    // Store row of each indexed item, by item number.
    let mut rids: Vec<i64> = Vec::new();
    let mut horizon = state.as_ref().map_or(i64::MIN, |s| s.horizon_ts);
    if let Some(engine) = engine {
        engine.copy_features(settings, max_rid, &mut |item| {
            horizon = horizon.max(item.ts);
            if let Some(prepared) = item.indexed {
                if index
                    .add_prepared(item.ts.div_euclid(1000), &prepared, |_| {})
                    .is_some()
                {
                    rids.push(item.rid);
                }
            }
            Ok(())
        })?;
    } else {
        // This thread reads the rows and joins them in order; the text work (folding, shingles,
        // MinHash) runs on a second core in between.
        struct Row {
            rid: i64,
            ts: i64,
            norm: String,
            title: Option<String>,
        }
        read_map_consume(
            |sink| {
                feed(sink, |push| {
                    store.for_each_text_to_cluster(&KINDS, window_from, memory_from, |row| {
                        // A native repost (retweet, forward) is the platform copying, not a person:
                        // it is amplification, which the coordination detector weighs.
                        if row.repost_of.is_some() || row.rid > max_rid {
                            return Ok(());
                        }
                        push(Row {
                            rid: row.rid,
                            ts: row.ts.unwrap_or(0),
                            norm: row.norm.to_owned(),
                            title: row.title.map(str::to_owned),
                        })
                    })
                })
            },
            |row: Row| {
                let text = matching_text(&row.norm);
                if text.chars().count() < settings.min_chars {
                    return None;
                }
                let headline = row
                    .title
                    .as_deref()
                    .map(|t| matching_text(&vigie_normalise::text::fold(t)));
                let prepared = preparer.prepare(&Entry {
                    text: &text,
                    cut: looks_cut(&row.norm),
                    headline: headline.as_deref(),
                    known_cluster: labels.contains_key(&row.rid),
                });
                Some((row.rid, row.ts, prepared))
            },
            |item| {
                let Some((rid, ts, prepared)) = item else {
                    return Ok(());
                };
                horizon = horizon.max(ts);
                if index
                    .add_prepared(ts.div_euclid(1000), &prepared, |_| {})
                    .is_some()
                {
                    rids.push(rid);
                }
                Ok(())
            },
        )?;
    }

    // Sets of this pass → labels: a set keeps the smallest label its items already had (and
    // merges the others into it), or takes its earliest row id.
    let mut sets: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    for (item, &rid) in rids.iter().enumerate() {
        let item = item as u32;
        if index.cluster_size(item) >= 2 {
            sets.entry(index.cluster_of(item)).or_default().push(rid);
        }
    }
    let mut changes = CopyAssignments::default();
    for (root, members) in sets {
        let mut old: Vec<i64> = members
            .iter()
            .filter_map(|r| labels.get(r).copied())
            .collect();
        old.sort_unstable();
        old.dedup();
        let label = old
            .first()
            .copied()
            .or_else(|| members.iter().min().copied())
            .unwrap_or_default();
        for &from in old.iter().skip(1) {
            changes.merges.push((from, label));
        }
        for &rid in &members {
            if labels.get(&rid) != Some(&label) {
                changes.members.push((rid, label));
            }
        }
        changes.weakest.push((label, index.weakest_link(root)));
    }
    let next = CopyState {
        last_rid: max_rid,
        horizon_ts: horizon,
        fingerprint: fp,
    };
    store.apply_copy_assignments(&changes, &next)?;
    Ok(())
}

/// The clusters of the index, with their members' details, earliest label first.
fn assemble(store: &Store) -> Result<Vec<CopyCluster>, DetectError> {
    let (member_of, weakest) = store.copy_members()?;
    let mut building: HashMap<i64, Building> = HashMap::new();
    store.for_each_copy_member_row(&KINDS, |row| {
        let Some(&label) = member_of.get(&row.rid) else {
            return Ok(());
        };
        let source = match row.kind {
            Kind::Article => row.platform,
            _ => row.author.unwrap_or(row.platform),
        };
        let ts = row.ts.unwrap_or(0);
        let cluster = building.entry(label).or_default();
        // Only the origin's text is kept: one text per cluster, not one per copy.
        if cluster.origin_text.is_none() || (ts, row.rid) < cluster.origin_key {
            cluster.origin_key = (ts, row.rid);
            cluster.origin_text = Some(row.norm.chars().take(280).collect());
        }
        if let Some(lang) = row.lang {
            *cluster.languages.entry(lang.to_owned()).or_default() += 1;
        }
        cluster.members.push(Member {
            id: row.id.to_owned(),
            source: source.to_owned(),
            ts,
            kind: row.kind,
        });
        Ok(())
    })?;
    // Deterministic order: by origin, then label.
    let mut ordered: Vec<(i64, Building)> = building
        .into_iter()
        .filter(|(_, b)| b.members.len() >= 2)
        .collect();
    ordered.sort_unstable_by_key(|(label, b)| (b.origin_key, *label));
    Ok(ordered
        .into_iter()
        .map(|(label, mut b)| {
            b.members.sort_by(|x, y| {
                x.ts.cmp(&y.ts)
                    .then_with(|| x.source.cmp(&y.source))
                    .then_with(|| x.id.cmp(&y.id))
            });
            CopyCluster {
                members: b.members,
                weakest_similarity: weakest.get(&label).copied().unwrap_or(1.0),
                origin_text: b.origin_text.unwrap_or_default(),
                languages: b.languages,
            }
        })
        .collect())
}
