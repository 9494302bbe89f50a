//! End-to-end checks of the generated data set: determinism, parseability, truth consistency and
//! the claimed shape of every operation.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use vigie_core::{Account, Ad, Article, DomainRecord, Post, Record};
use vigie_generate::truth::{Operation, Truth};
use vigie_generate::{generate, GenerateError, GenerateOptions};

struct Data {
    posts: Vec<Post>,
    accounts: Vec<Account>,
    articles: Vec<Article>,
    domains: Vec<DomainRecord>,
    ads: Vec<Ad>,
    truth: Truth,
    config: String,
}

impl Data {
    fn post_map(&self) -> BTreeMap<&str, &Post> {
        self.posts.iter().map(|p| (p.id.as_str(), p)).collect()
    }
    fn account_map(&self) -> BTreeMap<&str, &Account> {
        self.accounts.iter().map(|a| (a.id.as_str(), a)).collect()
    }
    fn item_time(&self, id: &str) -> Option<DateTime<Utc>> {
        self.posts
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.created_at)
            .or_else(|| {
                self.articles
                    .iter()
                    .find(|a| a.id.as_deref() == Some(id))
                    .map(|a| a.published_at)
            })
    }
    fn ops(&self, kind: &str) -> Vec<&Operation> {
        self.truth.operations_of(kind)
    }
}

fn opts(seed: u64, posts: usize) -> GenerateOptions {
    GenerateOptions {
        seed,
        posts,
        ..GenerateOptions::default()
    }
}

fn read_records(path: &Path, kind: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let r: Record = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: {e}: {line}", path.display(), i + 1));
            assert_eq!(r.kind().as_str(), kind, "{}:{}", path.display(), i + 1);
            r
        })
        .collect()
}

fn load(dir: &Path) -> Data {
    let mut d = Data {
        posts: Vec::new(),
        accounts: Vec::new(),
        articles: Vec::new(),
        domains: Vec::new(),
        ads: Vec::new(),
        truth: serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap(),
        config: std::fs::read_to_string(dir.join("vigie.toml")).unwrap(),
    };
    for r in read_records(&dir.join("data/posts.jsonl"), "post") {
        if let Record::Post(p) = r {
            d.posts.push(p);
        }
    }
    for r in read_records(&dir.join("data/accounts.jsonl"), "account") {
        if let Record::Account(a) = r {
            d.accounts.push(a);
        }
    }
    for r in read_records(&dir.join("data/articles.jsonl"), "article") {
        if let Record::Article(a) = r {
            d.articles.push(a);
        }
    }
    for r in read_records(&dir.join("data/domains.jsonl"), "domain") {
        if let Record::Domain(x) = r {
            d.domains.push(x);
        }
    }
    for r in read_records(&dir.join("data/ads.jsonl"), "ad") {
        if let Record::Ad(x) = r {
            d.ads.push(x);
        }
    }
    d
}

fn generated(seed: u64, posts: usize) -> (tempfile::TempDir, Data) {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&opts(seed, posts), dir.path()).unwrap();
    let data = load(dir.path());
    assert_eq!(summary.counts["post"], data.posts.len() as u64);
    assert_eq!(summary.counts["account"], data.accounts.len() as u64);
    assert_eq!(summary.counts["article"], data.articles.len() as u64);
    assert_eq!(summary.counts["domain"], data.domains.len() as u64);
    assert_eq!(summary.counts["ad"], data.ads.len() as u64);
    assert_eq!(summary.operations, data.truth.operations.len());
    let images = summary
        .files
        .iter()
        .filter(|f| f.parent().and_then(|p| p.file_name()) == Some("media".as_ref()))
        .count();
    assert_eq!(summary.files.len(), 8 + images);
    let avatars = summary
        .files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("avatar-"))
        })
        .count();
    assert!(
        (50..=200).contains(&(images - avatars)),
        "{images} image files"
    );
    // The bursts' accounts (20-60 and 30-60) and the genuine sign-ups (25-40).
    assert!((75..=160).contains(&avatars), "{avatars} avatar files");
    (dir, data)
}

fn detail_time(op: &Operation, key: &str) -> DateTime<Utc> {
    let s = op.details[key].as_str().unwrap();
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const FILES: [&str; 8] = [
    "data/accounts.jsonl",
    "data/ads.jsonl",
    "data/media.jsonl",
    "data/posts.jsonl",
    "data/articles.jsonl",
    "data/domains.jsonl",
    "truth.json",
    "vigie.toml",
];

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    generate(&opts(7, 3000), a.path()).unwrap();
    generate(&opts(7, 3000), b.path()).unwrap();
    generate(&opts(8, 3000), c.path()).unwrap();
    for f in FILES {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
    let listing = |d: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join("media"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert!(listing(a.path()) == listing(b.path()), "image files differ");
    for f in [
        "data/accounts.jsonl",
        "data/posts.jsonl",
        "data/articles.jsonl",
        "truth.json",
    ] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let z = std::fs::read(c.path().join(f)).unwrap();
        assert!(x != z, "{f} is identical for different seeds");
    }
}

#[test]
fn operations_do_not_depend_on_background_size() {
    let (_a, small) = generated(11, 2000);
    let (_b, large) = generated(11, 6000);
    assert_eq!(small.truth.operations.len(), large.truth.operations.len());
    for (x, y) in small.truth.operations.iter().zip(&large.truth.operations) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.items.len(), y.items.len(), "{}", x.id);
        assert_eq!(x.domains, y.domains, "{}", x.id);
    }
    assert!(large.posts.len() > small.posts.len() + 3000);
}

#[test]
fn config_parses_and_describes_the_world() {
    let (_d, data) = generated(1, 2000);
    let cfg = vigie_core::Config::from_toml(&data.config, "vigie.toml").unwrap();
    let fr = cfg
        .election
        .iter()
        .find(|e| e.country.as_deref() == Some("FR"))
        .unwrap();
    assert_eq!(fr.voting_days, vec!["2024-06-09"]);
    assert_eq!(fr.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(cfg.election.len(), 7);
    let media: BTreeSet<&str> = cfg
        .protected
        .iter()
        .filter(|p| p.kind == "media")
        .flat_map(|p| p.domains.iter().map(String::as_str))
        .collect();
    for op in data.ops("lookalike_domain") {
        for imitated in &op.imitates {
            assert!(
                media.contains(imitated.as_str()),
                "{imitated} not protected"
            );
        }
    }
    assert!(cfg.protected.iter().any(|p| p.kind == "candidate"));
    assert!(!cfg.narrative.is_empty());
    assert!(cfg
        .narrative
        .iter()
        .all(|n| !n.keywords.is_empty() && !n.examples.is_empty()));
}

#[test]
fn every_truth_id_exists_and_references_resolve() {
    let (_d, data) = generated(2, 4000);
    let _d = &_d;
    let posts = data.post_map();
    let accounts = data.account_map();
    let articles: BTreeSet<&str> = data
        .articles
        .iter()
        .filter_map(|a| a.id.as_deref())
        .collect();
    let domains: BTreeSet<&str> = data.domains.iter().map(|d| d.domain.as_str()).collect();
    let mut ads: BTreeSet<&str> = data.ads.iter().map(|a| a.id.as_str()).collect();
    let media = std::fs::read_to_string(_d.path().join("data/media.jsonl")).unwrap();
    let media: Vec<Record> = media
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ads.len(), data.ads.len(), "duplicate ad ids");
    // Media ids count as items too (altered copies are evidence).
    ads.extend(media.iter().map(|m| m.id()));
    assert_eq!(
        ads.len(),
        data.ads.len() + media.len(),
        "duplicate media ids"
    );
    let pages: BTreeSet<&str> = data.ads.iter().map(|a| a.page_id.as_str()).collect();
    assert_eq!(posts.len(), data.posts.len(), "duplicate post ids");
    assert_eq!(accounts.len(), data.accounts.len(), "duplicate account ids");
    assert_eq!(
        articles.len(),
        data.articles.len(),
        "duplicate or missing article ids"
    );
    let handles: BTreeSet<(&str, &str)> = data
        .accounts
        .iter()
        .map(|a| (a.platform.as_str(), a.handle.as_str()))
        .collect();
    assert_eq!(handles.len(), data.accounts.len(), "duplicate handles");

    let kinds: BTreeSet<&str> = data
        .truth
        .operations
        .iter()
        .map(|o| o.kind.as_str())
        .collect();
    for k in [
        "relay_network",
        "coordination",
        "astroturf",
        "account_burst",
        "lookalike_domain",
        "electoral_process",
        "political_ad",
        "manufactured_media",
    ] {
        assert!(kinds.contains(k), "no {k} operation");
    }
    let ids: BTreeSet<&str> = data
        .truth
        .operations
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(ids.len(), data.truth.operations.len(), "duplicate op ids");

    for op in &data.truth.operations {
        assert!(
            !op.items.is_empty() || !op.domains.is_empty(),
            "{} is empty",
            op.id
        );
        for i in &op.items {
            assert!(
                posts.contains_key(i.as_str())
                    || articles.contains(i.as_str())
                    || ads.contains(i.as_str()),
                "{}: item {i}",
                op.id
            );
        }
        for a in &op.accounts {
            assert!(
                accounts.contains_key(a.as_str()) || pages.contains(a.as_str()),
                "{}: account {a}",
                op.id
            );
        }
        for d in &op.domains {
            assert!(domains.contains(d.as_str()), "{}: domain {d}", op.id);
        }
    }
    let n = &data.truth.negatives;
    for i in &n.items {
        assert!(
            posts.contains_key(i.as_str())
                || articles.contains(i.as_str())
                || ads.contains(i.as_str()),
            "negative {i}"
        );
    }
    for d in &n.domains {
        assert!(domains.contains(d.as_str()), "negative domain {d}");
    }
    for a in &n.accounts {
        assert!(
            accounts.contains_key(a.as_str()) || pages.contains(a.as_str()),
            "negative account {a}"
        );
    }
    // Negatives never overlap the operations they are decoys for.
    let op_items: BTreeSet<&str> = data
        .truth
        .operations
        .iter()
        .flat_map(|o| o.items.iter().map(String::as_str))
        .collect();
    let op_domains: BTreeSet<&str> = data
        .truth
        .operations
        .iter()
        .flat_map(|o| o.domains.iter().map(String::as_str))
        .collect();
    assert!(n.items.iter().all(|i| !op_items.contains(i.as_str())));
    assert!(n.domains.iter().all(|d| !op_domains.contains(d.as_str())));

    // Every post's author exists and was created before posting; references point backwards.
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in data.posts.iter().enumerate() {
        order.insert(p.id.as_str(), i);
    }
    for (i, p) in data.posts.iter().enumerate() {
        let a = accounts
            .get(p.author.as_str())
            .unwrap_or_else(|| panic!("author {} of {}", p.author, p.id));
        assert_eq!(
            a.platform, p.platform,
            "post {} on another platform than its author",
            p.id
        );
        if let Some(c) = a.created_at {
            assert!(
                c < p.created_at,
                "post {} before its author's creation",
                p.id
            );
        }
        for r in [&p.reply_to, &p.repost_of, &p.quote_of]
            .into_iter()
            .flatten()
        {
            let j = order
                .get(r.as_str())
                .unwrap_or_else(|| panic!("{} references missing {r}", p.id));
            assert!(*j < i, "{} references a later post {r}", p.id);
        }
    }
}

#[test]
fn files_are_time_ordered_within_the_period() {
    let (_d, data) = generated(3, 3000);
    let start = data.posts.first().unwrap().created_at;
    let t0 = DateTime::parse_from_rfc3339("2024-05-26T22:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let end = t0 + Duration::days(14);
    assert!(start >= t0);
    for w in data.posts.windows(2) {
        assert!(w[0].created_at <= w[1].created_at);
    }
    for w in data.articles.windows(2) {
        assert!(w[0].published_at <= w[1].published_at);
    }
    assert!(data
        .posts
        .iter()
        .all(|p| p.created_at >= t0 && p.created_at < end));
    assert!(data
        .articles
        .iter()
        .all(|a| a.published_at >= t0 && a.published_at < end));
}

#[test]
fn relay_copies_follow_their_origins() {
    let (_d, data) = generated(4, 2000);
    let ops = data.ops("relay_network");
    assert_eq!(ops.len(), 2);
    let by_domain: BTreeMap<&str, &DomainRecord> = data
        .domains
        .iter()
        .map(|d| (d.domain.as_str(), d))
        .collect();
    for op in ops {
        let relays = op.details["relay_sites"].as_array().unwrap();
        assert!((10..=20).contains(&relays.len()), "{} relays", relays.len());
        // Shared infrastructure.
        let ns: BTreeSet<&Vec<String>> = relays
            .iter()
            .map(|r| &by_domain[r.as_str().unwrap()].nameservers)
            .collect();
        assert_eq!(ns.len(), 1, "relays of {} do not share nameservers", op.id);
        let copies = op.details["copy_of"].as_object().unwrap();
        assert!(copies.len() > 50, "{}: only {} copies", op.id, copies.len());
        let mut verbatim = 0;
        let texts: BTreeMap<&str, &str> = data
            .articles
            .iter()
            .filter_map(|a| Some((a.id.as_deref()?, a.text.as_str())))
            .chain(data.posts.iter().map(|p| (p.id.as_str(), p.text.as_str())))
            .collect();
        for (copy, origin) in copies {
            let origin = origin.as_str().unwrap();
            let tc = data.item_time(copy).unwrap();
            let to = data.item_time(origin).unwrap();
            let delay = tc - to;
            assert!(
                delay >= Duration::minutes(5) && delay <= Duration::minutes(60),
                "{copy}: {delay}"
            );
            if texts[copy.as_str()] == texts[origin] {
                verbatim += 1;
            }
            assert!(op.items.contains(copy) && op.items.iter().any(|i| i == origin));
        }
        assert!(
            verbatim > 0 && verbatim < copies.len(),
            "{verbatim} verbatim of {}",
            copies.len()
        );
        // Copies live on the relay sites (or are X posts).
        for a in data
            .articles
            .iter()
            .filter(|a| a.id.as_ref().is_some_and(|i| copies.contains_key(i)))
        {
            assert!(
                relays.iter().any(|r| r.as_str() == Some(a.site.as_str())),
                "{}",
                a.site
            );
        }
    }
}

#[test]
fn coordination_episodes_fall_within_the_window() {
    let (_d, data) = generated(5, 2000);
    let posts = data.post_map();
    let ops = data.ops("coordination");
    assert!(ops.len() >= 4);
    for op in ops {
        assert!(
            (8..=30).contains(&op.accounts.len()),
            "{}: {}",
            op.id,
            op.accounts.len()
        );
        let window = op.details["window_seconds"].as_i64().unwrap();
        let episodes = op.details["episodes"].as_array().unwrap();
        assert!(
            episodes.len() >= 5,
            "{}: {} episodes",
            op.id,
            episodes.len()
        );
        let members: BTreeSet<&str> = op.accounts.iter().map(String::as_str).collect();
        let mode = op.details["mode"].as_str().unwrap();
        for ep in episodes {
            let items: Vec<&Post> = ep["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| posts[i.as_str().unwrap()])
                .collect();
            assert!(items.len() >= 5);
            let first = items.iter().map(|p| p.created_at).min().unwrap();
            let last = items.iter().map(|p| p.created_at).max().unwrap();
            assert!(
                (last - first).num_seconds() <= window,
                "{}: spread {}",
                op.id,
                last - first
            );
            assert!(items.iter().all(|p| members.contains(p.author.as_str())));
            let authors: BTreeSet<&str> = items.iter().map(|p| p.author.as_str()).collect();
            assert_eq!(
                authors.len(),
                items.len(),
                "one post per member per episode"
            );
            match mode {
                "same_url" => {
                    let urls: BTreeSet<&Vec<String>> = items.iter().map(|p| &p.urls).collect();
                    assert_eq!(urls.len(), 1);
                    assert!(!items[0].urls.is_empty());
                }
                "same_hashtags" => {
                    let sets: BTreeSet<BTreeSet<&String>> =
                        items.iter().map(|p| p.hashtags.iter().collect()).collect();
                    assert_eq!(sets.len(), 1);
                    assert_eq!(sets.iter().next().unwrap().len(), op.hashtags.len());
                }
                "same_repost" => {
                    let targets: BTreeSet<&Option<String>> =
                        items.iter().map(|p| &p.repost_of).collect();
                    assert_eq!(targets.len(), 1);
                    assert!(items[0].repost_of.is_some());
                }
                _ => {}
            }
        }
    }
}

#[test]
fn astroturf_surges_are_driven_by_few_accounts() {
    let (_d, data) = generated(6, 4000);
    let posts = data.post_map();
    for op in data.ops("astroturf") {
        let tag = &op.hashtags[0];
        let (start, end) = (
            detail_time(op, "window_start"),
            detail_time(op, "window_end"),
        );
        let members: BTreeSet<&str> = op.accounts.iter().map(String::as_str).collect();
        for i in &op.items {
            let p = posts[i.as_str()];
            assert!(p.hashtags.contains(tag), "{i} lacks #{tag}");
            assert!(p.created_at >= start && p.created_at <= end);
            assert!(members.contains(p.author.as_str()));
        }
        assert!(
            op.items.len() >= op.accounts.len() * 8,
            "few posts per driver"
        );
        let tagged_outside = data
            .posts
            .iter()
            .filter(|p| p.hashtags.contains(tag) && !op.items.contains(&p.id))
            .count();
        if op.details["baseline"] == "none" {
            assert_eq!(
                tagged_outside, 0,
                "a new hashtag appears outside the operation"
            );
        }
        assert!(
            op.items.len() > tagged_outside * 5,
            "surge not above baseline for #{tag}"
        );
        let new = op.details["new_accounts"].as_array().unwrap();
        let accounts = data.account_map();
        for a in new {
            let c = accounts[a.as_str().unwrap()].created_at.unwrap();
            assert!(c < start && c > start - Duration::days(30));
        }
    }
    // The organic debate surge (a negative): many ordinary accounts, few posts each.
    let debate: Vec<&Post> = data
        .posts
        .iter()
        .filter(|p| p.hashtags.iter().any(|h| h == vigie_generate::DEBATE_TAG))
        .collect();
    let authors: BTreeSet<&str> = debate.iter().map(|p| p.author.as_str()).collect();
    assert!(authors.len() >= 8, "{} debate accounts", authors.len());
    // Drivers of an operation post 10+ times each; ordinary participants a handful at most.
    assert!(
        debate.len() <= authors.len() * 3,
        "{} posts by {} accounts",
        debate.len(),
        authors.len()
    );
}

#[test]
fn burst_accounts_are_created_together_and_patterned() {
    let (dir, data) = generated(7, 2000);
    let accounts = data.account_map();
    let posts = data.post_map();
    let ops = data.ops("account_burst");
    assert_eq!(ops.len(), 2);
    for op in ops {
        assert!(
            (20..=60).contains(&op.accounts.len()),
            "{}",
            op.accounts.len()
        );
        let (start, end) = (
            detail_time(op, "window_start"),
            detail_time(op, "window_end"),
        );
        assert!(end - start <= Duration::hours(2));
        let groups = op.details["avatar_groups"].as_array().unwrap();
        let most = groups[0].as_array().unwrap();
        let mut shared = 0;
        for id in &op.accounts {
            let a = accounts[id.as_str()];
            let c = a.created_at.unwrap();
            assert!(c >= start && c <= end, "{} created at {c}", a.handle);
            let digits = a
                .handle
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .count();
            assert_eq!(digits, 4, "{}", a.handle);
            // Avatars are files, hashed at ingest.
            assert_eq!(a.avatar_phash, None);
            let file = a.avatar_path.as_deref().unwrap();
            assert!(dir.path().join("data").join(file).is_file(), "{file}");
            shared += usize::from(most.iter().any(|m| m == id.as_str()));
        }
        assert!(shared * 2 > op.accounts.len());
        assert!(!op.items.is_empty());
        for i in &op.items {
            let p = posts[i.as_str()];
            assert!(p.created_at > end && op.accounts.contains(&p.author));
        }
    }
    // Ordinary accounts created during the campaign are spread out (negatives).
    let new = &data.truth.negatives.by_detector["account_burst"].accounts;
    assert!(!new.is_empty());
}

#[test]
fn lookalikes_differ_from_what_they_imitate() {
    let (_d, data) = generated(8, 2000);
    let protected: BTreeSet<String> = data
        .ops("lookalike_domain")
        .iter()
        .flat_map(|o| o.imitates.clone())
        .collect();
    let by_domain: BTreeMap<&str, &DomainRecord> = data
        .domains
        .iter()
        .map(|d| (d.domain.as_str(), d))
        .collect();
    let posts = data.post_map();
    let mut techniques = BTreeSet::new();
    for op in data.ops("lookalike_domain") {
        assert_eq!(op.imitates.len(), 1);
        let target = &op.imitates[0];
        let target_label = target.split('.').next().unwrap();
        assert!(op.domains.len() >= 4);
        for d in &op.domains {
            assert_ne!(d, target);
            assert!(!protected.contains(d), "{d} is a protected domain");
            assert!(
                d.is_ascii() && *d == d.to_lowercase(),
                "{d} not lower-case ASCII"
            );
            let tech = op.details["techniques"][d.as_str()].as_str().unwrap();
            techniques.insert(tech.to_owned());
            if tech == "homoglyph" {
                assert!(d.starts_with("xn--"));
            } else if ["tld_swap", "multi_label_suffix", "added_word", "subdomain"].contains(&tech)
            {
                assert!(d.contains(target_label), "{d} vs {target}");
            }
            assert_eq!(
                by_domain[d.as_str()]
                    .title
                    .as_deref()
                    .map(|t| !t.is_empty()),
                Some(true)
            );
        }
        // Posts link to the look-alikes; the one article is a clone published on one of them.
        for i in &op.items {
            let urls = match posts.get(i.as_str()) {
                Some(p) => p.urls.clone(),
                None => vec![data
                    .articles
                    .iter()
                    .find(|a| a.id.as_deref() == Some(i.as_str()))
                    .map(|a| a.url.clone())
                    .unwrap_or_default()],
            };
            assert!(urls.iter().any(|u| op
                .domains
                .iter()
                .any(|d| u.starts_with(&format!("https://{d}/")))));
        }
    }
    // Every technique of the generator, multi-label suffixes and typo + suffix combinations
    // included, appears over the five outlets.
    assert_eq!(techniques.len(), 14, "{techniques:?}");
    let neg = &data.truth.negatives.by_detector["lookalike_domain"].domains;
    assert!(neg.iter().any(|d| d == "lemonde.fr"));
    assert!(neg.len() >= 10);
}

#[test]
fn electoral_claims_cover_seven_languages_with_true_reminders() {
    let (_d, data) = generated(9, 2000);
    let posts = data.post_map();
    let op = data.ops("electoral_process")[0];
    let langs: BTreeSet<&str> = op
        .items
        .iter()
        .filter_map(|i| posts[i.as_str()].lang.as_deref())
        .collect();
    assert_eq!(langs.len(), 7, "{langs:?}");
    let claims = op.details["claims"].as_object().unwrap();
    assert_eq!(claims.len(), op.items.len());
    let kinds: BTreeSet<&str> = claims.values().filter_map(|v| v.as_str()).collect();
    assert_eq!(kinds.len(), 8);
    // Document claims in their own operation, reworded claims only on request.
    let ops = data.ops("electoral_process");
    assert_eq!(ops.len(), 2);
    let documents = ops[1].details["claims"].as_object().unwrap();
    assert!(documents.len() >= 21, "{documents:?}");
    assert!(documents.values().all(|k| k == "documents"));
    let poll = NaiveDate::from_ymd_opt(2024, 6, 9).unwrap();
    for (id, kind) in claims {
        let p = posts[id.as_str()];
        assert!(p.created_at.date_naive() <= poll);
        if kind == "wrong_date" {
            assert!(p.text.contains("10"), "{}", p.text);
        }
    }
    let negs = &data.truth.negatives.by_detector["electoral_process"].items;
    assert!(negs.len() >= 6);
    for n in negs {
        // True reminders never carry the false date (the 10th).
        assert!(
            !posts[n.as_str()].text.contains("10"),
            "{}",
            posts[n.as_str()].text
        );
    }
}

#[test]
fn reworded_claims_come_with_their_kind_and_true_lookalikes() {
    let dir = tempfile::tempdir().unwrap();
    let o = GenerateOptions {
        reworded_claims: true,
        ..opts(9, 2000)
    };
    generate(&o, dir.path()).unwrap();
    let data = load(dir.path());
    let posts = data.post_map();
    let ops = data.ops("electoral_process");
    assert_eq!(ops.len(), 3);
    let reworded = ops[2];
    let claims = reworded.details["claims"].as_object().unwrap();
    // Six kinds, two posts each, in seven languages.
    assert_eq!(claims.len(), 84);
    assert_eq!(claims.len(), reworded.items.len());
    let kinds: BTreeSet<&str> = claims.values().filter_map(|v| v.as_str()).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert!(kinds.iter().all(|k| k.starts_with("reworded_")));
    let langs: BTreeSet<&str> = reworded
        .items
        .iter()
        .filter_map(|i| posts[i.as_str()].lang.as_deref())
        .collect();
    assert_eq!(langs.len(), 7, "{langs:?}");
    // Their true look-alikes are negatives: 3 per language, twice.
    let negs = &data.truth.negatives.by_detector["electoral_process"].items;
    let plain = generated(9, 2000).1;
    let plain_negs = plain.truth.negatives.by_detector["electoral_process"]
        .items
        .len();
    assert_eq!(negs.len(), plain_negs + 42);
}

#[test]
fn daily_rhythm_and_language_mix_are_visible() {
    let (_d, data) = generated(10, 6000);
    let mut by_hour = [0usize; 24];
    let mut langs = BTreeMap::new();
    for p in &data.posts {
        // The campaign is in summer time: Paris is UTC+2.
        by_hour[((p.created_at.hour() + 2) % 24) as usize] += 1;
        *langs
            .entry(p.lang.clone().unwrap_or_default())
            .or_insert(0usize) += 1;
    }
    let night: usize = by_hour[2..5].iter().sum();
    let evening: usize = by_hour[19..22].iter().sum();
    assert!(night * 4 < evening, "night {night} vs evening {evening}");
    assert!(langs.len() >= 6, "{langs:?}");
    let top_lang = langs
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(l, _)| l.as_str());
    assert_eq!(top_lang, Some("fr"), "French should dominate: {langs:?}");
    assert!(langs["fr"] * 3 > data.posts.len(), "{langs:?}");
    // Heavy-tailed activity: the busiest 10% of authors write a large share of posts.
    let mut per_author: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &data.posts {
        *per_author.entry(p.author.as_str()).or_default() += 1;
    }
    let mut counts: Vec<usize> = per_author.into_values().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let top: usize = counts[..counts.len() / 10].iter().sum();
    assert!(
        top * 10 > data.posts.len() * 3,
        "top decile wrote {top} of {}",
        data.posts.len()
    );
    // Replies and reposts exist.
    assert!(data.posts.iter().filter(|p| p.reply_to.is_some()).count() > 300);
    assert!(data.posts.iter().filter(|p| p.repost_of.is_some()).count() > 300);
}

#[test]
fn bad_options_and_paths_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = GenerateOptions {
        days: 0,
        ..GenerateOptions::default()
    };
    assert!(matches!(
        generate(&bad, dir.path()),
        Err(GenerateError::Options(_))
    ));
    let far = GenerateOptions {
        start: NaiveDate::from_ymd_opt(9000, 1, 1).unwrap(),
        ..GenerateOptions::default()
    };
    assert!(matches!(
        generate(&far, dir.path()),
        Err(GenerateError::Options(_))
    ));
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let err = generate(&opts(1, 100), &file.join("sub")).unwrap_err();
    assert!(matches!(err, GenerateError::Io { .. }), "{err}");
}

#[test]
fn short_periods_and_tiny_volumes_still_work() {
    let dir = tempfile::tempdir().unwrap();
    for days in [1, 2, 5] {
        let o = GenerateOptions {
            days,
            posts: 50,
            ..GenerateOptions::default()
        };
        let s = generate(&o, dir.path()).unwrap();
        // 5 coordination, 5 each of look-alike domains, accounts and clones, 2 relay, 2 astroturf,
        // 2 bursts, 2 electoral (claims, documents), and one each of incitement, doxxing, ads,
        // media and takeovers.
        assert_eq!(s.operations, 33);
        let data = load(dir.path());
        vigie_core::Config::from_toml(&data.config, "t").unwrap();
    }
}

#[test]
fn copy_groups_name_real_original_items() {
    let (dir, data) = generated(3, 3000);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    let groups = truth["copy_groups"].as_array().unwrap();
    assert!(groups.len() >= 5, "{} copy groups", groups.len());
    let reposts: std::collections::BTreeSet<&str> = data
        .posts
        .iter()
        .filter(|p| p.repost_of.is_some())
        .map(|p| p.id.as_str())
        .collect();
    let ids: std::collections::BTreeSet<&str> = data
        .posts
        .iter()
        .map(|p| p.id.as_str())
        .chain(data.articles.iter().filter_map(|a| a.id.as_deref()))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for g in groups {
        let items = g["items"].as_array().unwrap();
        assert!(items.len() >= 2);
        for i in items {
            let i = i.as_str().unwrap();
            assert!(ids.contains(i), "{i} is not an item");
            assert!(!reposts.contains(i), "{i} is a native repost, not a copy");
            assert!(seen.insert(i.to_owned()), "{i} is in two copy groups");
        }
    }
}

#[test]
fn ad_campaign_is_recent_foreign_shared_and_labelled_by_signal() {
    let (_d, data) = generated(6, 3000);
    for w in data.ads.windows(2) {
        assert!(w[0].started_at <= w[1].started_at);
    }
    let ops = data.ops("political_ad");
    assert_eq!(ops.len(), 1);
    let op = ops[0];
    let by_id: BTreeMap<&str, &Ad> = data.ads.iter().map(|a| (a.id.as_str(), a)).collect();
    let signals = op.details["signals"].as_object().unwrap();
    let of = |s: &str| -> Vec<&Ad> {
        signals[s]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| by_id[v.as_str().unwrap()])
            .collect()
    };
    // Every signal has ads, and each ad of a signal shows it.
    assert!(of("foreign_payer")
        .iter()
        .all(|a| a.payer_country.as_deref().is_some_and(|c| c != "FR")));
    assert!(of("no_disclaimer").iter().all(|a| a.disclaimer.is_none()));
    assert!(of("micro_targeting")
        .iter()
        .all(|a| a.target_genders.len() == 1));
    let burst_days: BTreeSet<_> = of("burst")
        .iter()
        .map(|a| (a.page_id.as_str(), a.started_at.date_naive()))
        .collect();
    assert_eq!(burst_days.len(), 2, "one burst day on each of two pages");
    assert!(of("burst").len() >= 40);
    let shared_pages: BTreeSet<&str> = of("shared_creative")
        .iter()
        .map(|a| a.page_id.as_str())
        .collect();
    assert!(shared_pages.len() >= 3);
    assert!(!of("sanctioned_payer").is_empty());
    // The sanctions list spells the payers in Cyrillic; the ads in Latin.
    assert!(data.config.contains("Гамбашидзе"));
    assert!(of("sanctioned_payer")
        .iter()
        .all(|a| a.payer.as_deref().is_some_and(|p| p.is_ascii())));
    // The operation's pages are new; the parties advertise for months.
    let first_op = op
        .items
        .iter()
        .map(|i| by_id[i.as_str()].started_at)
        .min()
        .unwrap();
    let first_any = data.ads.first().unwrap().started_at;
    assert!(first_op - first_any > Duration::days(90));
    // Decoys are ads, never the operation's.
    let decoys = &data.truth.negatives.by_detector["political_ad"];
    assert!(decoys.items.iter().all(|i| by_id.contains_key(i.as_str())));
    assert!(decoys.items.iter().all(|i| !op.items.contains(i)));
}

#[test]
fn media_records_name_real_image_files_with_their_digest() {
    use sha2::Digest;
    let (dir, _) = generated(5, 1000);
    let text = std::fs::read_to_string(dir.path().join("data/media.jsonl")).unwrap();
    let mut with_path = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(path) = v["path"].as_str() else {
            continue;
        };
        with_path += 1;
        let bytes = std::fs::read(dir.path().join("data").join(path)).unwrap();
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v["sha256"].as_str(), Some(digest.as_str()), "{path}");
        let img = image::load_from_memory(&bytes).unwrap();
        assert!(img.width() >= 100 && img.height() >= 100, "{path}");
        assert!(v.get("phash").is_none(), "hashes are left to ingest");
    }
    assert!(with_path >= 50, "{with_path} media records with a file");
}
