//! Copy clusters of posts and articles, computed once per scan and shared by the detectors that
//! read them (`copypasta`, `relay_network`). Matching settings are copypasta's (`min_chars` and
//! the near-duplicate parameters under `[detectors.copypasta]`).

use crate::detectors::copypasta::{looks_cut, matching_text, Settings, NAME};
use crate::neardup::{Entry, Index};
use crate::DetectError;
use std::collections::HashMap;
use vigie_core::{Config, Kind};
use vigie_store::Store;

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

/// Clusters every post and article of the store (native reposts left out), in publication order
/// of their first item. Two passes: the index in time order, then the members' details.
pub fn copy_clusters(config: &Config, store: &Store) -> Result<Vec<CopyCluster>, DetectError> {
    let settings: Settings = config.detector_settings(NAME)?;
    let kinds = [Kind::Post, Kind::Article];
    let mut index = Index::new(settings.matching.clone());
    // Sized once: doubling vectors of millions of items would waste up to half of them.
    let expected = (store.count(Kind::Post)? + store.count(Kind::Article)?) as usize;
    index.reserve(expected);
    // Store row of each indexed item, by item number.
    let mut rids: Vec<i64> = Vec::with_capacity(expected);
    store.for_each_text_by_time(&kinds, |row| {
        // A native repost (retweet, forward) is the platform copying, not a person: it is
        // amplification, which the coordination detector weighs.
        if row.repost_of.is_some() {
            return Ok(());
        }
        let text = matching_text(row.norm);
        if text.chars().count() < settings.min_chars {
            return Ok(());
        }
        let headline = row
            .title
            .map(|t| matching_text(&vigie_normalise::text::fold(t)));
        let entry = Entry {
            text: &text,
            cut: looks_cut(row.norm),
            headline: headline.as_deref(),
        };
        let secs = row.ts.unwrap_or(0).div_euclid(1000);
        if index.add_entry(secs, entry, |_| {}).is_some() {
            rids.push(row.rid);
        }
        Ok(())
    })?;
    let mut member_of: HashMap<i64, u32> = HashMap::new();
    for (item, &rid) in rids.iter().enumerate() {
        let item = item as u32;
        if index.cluster_size(item) >= 2 {
            member_of.insert(rid, index.cluster_of(item));
        }
    }
    drop(rids);
    let mut building: HashMap<u32, Building> = HashMap::new();
    store.for_each_text(&kinds, |row| {
        let Some(&root) = member_of.get(&row.rid) else {
            return Ok(());
        };
        let source = match row.kind {
            Kind::Article => row.platform,
            _ => row.author.unwrap_or(row.platform),
        };
        let ts = row.ts.unwrap_or(0);
        let cluster = building.entry(root).or_default();
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
    // Deterministic order: roots follow publication order.
    let mut ordered: Vec<(u32, Building)> = building.into_iter().collect();
    ordered.sort_unstable_by_key(|(root, _)| *root);
    Ok(ordered
        .into_iter()
        .map(|(root, mut b)| {
            b.members.sort_by(|x, y| {
                x.ts.cmp(&y.ts)
                    .then_with(|| x.source.cmp(&y.source))
                    .then_with(|| x.id.cmp(&y.id))
            });
            CopyCluster {
                members: b.members,
                weakest_similarity: index.weakest_link(root),
                origin_text: b.origin_text.unwrap_or_default(),
                languages: b.languages,
            }
        })
        .collect())
}
