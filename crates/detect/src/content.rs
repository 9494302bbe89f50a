//! One pass over the store's texts for the content detectors (`electoral_process`,
//! `incitement`, `doxxing`): reading the store dominates their cost, so the enabled ones look
//! at each text in the same pass, and each keeps only the few items it flags. The pass runs
//! once per scan, on demand, and is cached in the [`crate::Context`].

use crate::detectors::{doxxing, electoral_process, incitement};
use crate::{lexicon, DetectError};
use std::collections::BTreeMap;
use std::sync::{mpsc, Arc, Mutex};
use vigie_core::{Config, Kind};
use vigie_store::{Store, TextRow};

#[derive(Default)]
pub struct ContentScan {
    pub(crate) electoral: Vec<electoral_process::Flagged>,
    pub(crate) incitement: Vec<incitement::Flagged>,
    pub(crate) doxxing: Vec<doxxing::Flagged>,
    /// Texts read.
    pub texts: u64,
}

impl ContentScan {
    /// Items flagged by each content detector.
    pub fn flagged(&self) -> usize {
        self.electoral.len() + self.incitement.len() + self.doxxing.len()
    }
}

/// The enabled content detectors, built from the configuration.
pub struct ContentAnalysers {
    electoral: Option<electoral_process::ElectoralProcess>,
    incitement: Option<incitement::Incitement>,
    doxxing: Option<doxxing::Doxxing>,
    /// The electoral trigger words (bit 0) and incitement action words (bit 1) in one
    /// automaton: one pass tells which of the two need to read a text further.
    prefilter: lexicon::Prefilter,
}

impl ContentAnalysers {
    pub fn new(config: &Config) -> Result<ContentAnalysers, DetectError> {
        let on = |name| config.detector_enabled(name);
        let electoral = on(electoral_process::NAME)
            .then(|| electoral_process::ElectoralProcess::new(config))
            .transpose()?
            .filter(|e| !e.facts.is_empty());
        let incitement = on(incitement::NAME)
            .then(|| incitement::Incitement::new(config))
            .transpose()?;
        let none: &[String] = &[];
        let prefilter = lexicon::Prefilter::new(&[
            electoral.as_ref().map_or(none, |e| e.trigger_words()),
            incitement
                .as_ref()
                .map_or(none, |i| i.action_words.as_slice()),
        ])?;
        Ok(ContentAnalysers {
            electoral,
            incitement,
            doxxing: on(doxxing::NAME)
                .then(|| doxxing::Doxxing::new(config))
                .transpose()?,
            prefilter,
        })
    }

    /// Looks at one text with every enabled content detector.
    pub fn analyse(&self, row: &TextRow<'_>, out: &mut ContentScan) {
        out.texts += 1;
        // Native reposts repeat their original, which is read on its own.
        if row.repost_of.is_some() || row.norm.is_empty() {
            return;
        }
        let words = self.prefilter.scan(row.norm);
        if let Some(f) = self
            .electoral
            .as_ref()
            .and_then(|d| d.scan_row(row, words & 1 != 0))
        {
            out.electoral.push(f);
        }
        if let Some(f) = self
            .incitement
            .as_ref()
            .and_then(|d| d.scan_row(row, words & 2 != 0))
        {
            out.incitement.push(f);
        }
        if let Some(f) = self.doxxing.as_ref().and_then(|d| d.scan_row(row)) {
            out.doxxing.push(f);
        }
    }
}

/// Kinds of record the content detectors read.
pub const KINDS: [Kind; 3] = [Kind::Post, Kind::Article, Kind::Ad];

/// Texts handed to a worker at a time: enough to make the hand-over cost nothing, few enough
/// that the workers stay busy until the end.
const BATCH: usize = 1024;

/// A byte range in a [`Batch`]'s buffer.
type Span = (u32, u32);

/// What the analysis reads of a row, its strings copied into one buffer (no allocation per
/// row).
struct RowAt {
    rid: i64,
    kind: Kind,
    ts: Option<i64>,
    platform: Span,
    id: Span,
    author: Option<Span>,
    norm: Span,
    lang: Option<Span>,
}

#[derive(Default)]
struct Batch {
    buf: String,
    rows: Vec<RowAt>,
}

impl Batch {
    fn put(&mut self, s: &str) -> Span {
        let start = self.buf.len();
        self.buf.push_str(s);
        // Offsets fit u32: a batch is flushed long before 4 GiB.
        (start as u32, self.buf.len() as u32)
    }

    fn push(&mut self, r: &TextRow<'_>) {
        let row = RowAt {
            rid: r.rid,
            kind: r.kind,
            ts: r.ts,
            platform: self.put(r.platform),
            id: self.put(r.id),
            author: r.author.map(|a| self.put(a)),
            norm: self.put(r.norm),
            lang: r.lang.map(|l| self.put(l)),
        };
        self.rows.push(row);
    }

    fn get(&self, (a, b): Span) -> &str {
        self.buf.get(a as usize..b as usize).unwrap_or("")
    }

    fn row(&self, r: &RowAt) -> TextRow<'_> {
        TextRow {
            rid: r.rid,
            kind: r.kind,
            platform: self.get(r.platform),
            id: self.get(r.id),
            author: r.author.map(|s| self.get(s)),
            ts: r.ts,
            norm: self.get(r.norm),
            repost_of: None,
            lang: r.lang.map(|s| self.get(s)),
            title: None,
        }
    }
}

impl ContentScan {
    fn append(&mut self, mut part: ContentScan) {
        self.electoral.append(&mut part.electoral);
        self.incitement.append(&mut part.incitement);
        self.doxxing.append(&mut part.doxxing);
        self.texts += part.texts;
    }
}

pub fn scan(config: &Config, store: &Store) -> Result<ContentScan, DetectError> {
    let analysers = ContentAnalysers::new(config)?;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    analysers.scan(store, threads)
}

impl ContentAnalysers {
    /// Every stored text through the enabled detectors. With more than one thread, this thread
    /// reads the store into batches while `threads` workers analyse them; results are put
    /// back in reading order, so the output is the same whatever the thread count.
    pub fn scan(&self, store: &Store, threads: usize) -> Result<ContentScan, DetectError> {
        let mut out = ContentScan::default();
        if threads <= 1 {
            store.for_each_text(&KINDS, |row| {
                self.analyse(row, &mut out);
                Ok(())
            })?;
            return Ok(out);
        }
        let (to_workers, batches) = mpsc::sync_channel::<(usize, Batch)>(2 * threads);
        // Shared by the workers only: once they are all gone, the reader's sends fail instead
        // of blocking.
        let batches = Arc::new(Mutex::new(batches));
        let (to_merge, parts) = mpsc::channel::<(usize, ContentScan)>();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (batches, to_merge) = (Arc::clone(&batches), to_merge.clone());
                s.spawn(move || loop {
                    let next = batches.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some((seq, batch)) = next else { break };
                    let mut part = ContentScan::default();
                    for r in &batch.rows {
                        self.analyse(&batch.row(r), &mut part);
                    }
                    if to_merge.send((seq, part)).is_err() {
                        break;
                    }
                });
            }
            drop((batches, to_merge));
            let mut seq = 0;
            let mut batch = Batch::default();
            let read = store.for_each_text(&KINDS, |row| {
                if row.repost_of.is_some() || row.norm.is_empty() {
                    out.texts += 1;
                    return Ok(());
                }
                batch.push(row);
                if batch.rows.len() >= BATCH {
                    // A failed send means the workers are gone: the scope reports why.
                    let _ = to_workers.send((seq, std::mem::take(&mut batch)));
                    seq += 1;
                }
                Ok(())
            });
            if !batch.rows.is_empty() {
                let _ = to_workers.send((seq, batch));
            }
            drop(to_workers);
            let mut ordered: BTreeMap<usize, ContentScan> = BTreeMap::new();
            for (seq, part) in parts {
                ordered.insert(seq, part);
            }
            for part in ordered.into_values() {
                out.append(part);
            }
            read
        })?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More texts than a batch holds, of every kind the three detectors look for, and
    /// ordinary ones.
    fn store() -> Store {
        let texts = [
            (
                "fr",
                "Rappel : les bureaux de vote fermeront exceptionnellement à 18h ce dimanche.",
            ),
            (
                "en",
                "BREAKING: the EU election vote has been moved to Monday 10 June. Please share!",
            ),
            ("en", "Let's burn down the party office in Leeds tonight."),
            (
                "es",
                "Todos al colegio electoral el domingo a las 8: ¡bloquead la entrada!",
            ),
            (
                "fr",
                "Fuite : Jean Martin 06 98 76 54 32 jean.martin@example.net, Marie Durand \
                    07 11 22 33 44 marie.durand@example.net, 12 rue des Lilas",
            ),
            (
                "fr",
                "N'oubliez pas : les européennes ont lieu le dimanche 9 juin, de 8h à 20h.",
            ),
            (
                "en",
                "Lovely walk along the river today, 12 ducks and a heron.",
            ),
            (
                "de",
                "Die Wahllokale sind von 8 bis 18 Uhr geöffnet, gehen Sie wählen.",
            ),
        ];
        let lines: Vec<String> = (0..2600)
            .map(|i| {
                let (lang, text) = texts[i % texts.len()];
                serde_json::json!({"kind": "post", "id": format!("p{i}"), "platform": "x",
                    "author": format!("a{}", i % 37), "created_at": "2024-06-05T10:00:00Z",
                    "text": text, "lang": lang})
                .to_string()
            })
            .collect();
        crate::test_support::store_with(&lines)
    }

    fn ids(s: &ContentScan) -> (Vec<String>, Vec<String>, Vec<String>) {
        (
            s.electoral.iter().map(|f| f.id.clone()).collect(),
            s.incitement.iter().map(|f| f.id.clone()).collect(),
            s.doxxing.iter().map(|f| f.id.clone()).collect(),
        )
    }

    #[test]
    fn parallel_scan_finds_what_one_thread_finds_in_the_same_order() {
        let config = Config::from_toml(
            "[[election]]\nname = \"EP\"\ncountry = \"FR\"\ntimezone = \"Europe/Paris\"\n\
             voting_days = [\"2024-06-09\"]\npolls_open = \"08:00\"\npolls_close = \"20:00\"\n\
             [[election]]\nname = \"EP IE\"\ncountry = \"IE\"\ntimezone = \"Europe/Dublin\"\n\
             voting_days = [\"2024-06-09\"]\npolls_open = \"07:00\"\npolls_close = \"22:00\"\n\
             [[election]]\nname = \"EP DE\"\ncountry = \"DE\"\ntimezone = \"Europe/Berlin\"\n\
             voting_days = [\"2024-06-09\"]\npolls_open = \"08:00\"\npolls_close = \"18:00\"\n",
            "t",
        )
        .unwrap();
        let store = store();
        let analysers = ContentAnalysers::new(&config).unwrap();
        let one = analysers.scan(&store, 1).unwrap();
        let (electoral, incitement, doxxing) = ids(&one);
        // Two false claims, two calls and one dump in every eight texts.
        assert_eq!(electoral.len(), 2 * 2600 / 8);
        assert_eq!(incitement.len(), 2 * 2600 / 8);
        assert_eq!(doxxing.len(), 2600 / 8);
        assert_eq!(one.texts, 2600);
        for threads in [2, 3] {
            let many = analysers.scan(&store, threads).unwrap();
            assert_eq!(many.texts, one.texts);
            assert_eq!(ids(&many), ids(&one), "{threads} threads");
        }
        assert_eq!(scan(&config, &store).unwrap().flagged(), one.flagged());
    }
}
