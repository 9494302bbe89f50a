//! Injected operations. Each module builds one operation type into a shared [`Ctx`]: its
//! accounts, posts and articles, domains, and its [`Operation`] truth entry. Adding an operation
//! type means adding a module and a call in [`inject_all`].
//!
//! Operations are generated before the background, from their own random stream, so that the
//! same seed gives the same operations whatever the number of organic posts. Their items are
//! small in number (thousands) and kept in memory, then merged by time into the streamed files.

pub mod ads;
pub mod astroturf;
pub mod burst;
pub mod coordination;
pub mod doxxing;
pub mod electoral;
pub mod incitement;
pub mod lookalike;
pub mod media;
pub mod relay;
pub mod takeover;

use crate::lang::Lang;
use crate::names::{entities, ordinary_handle};
use crate::text::Texts;
use crate::truth::{Negatives, Operation};
use crate::world::{Clock, Ids};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use vigie_core::{Account, Ad, Article, DomainRecord, Media, Metrics, Post};

/// A generated content item of an operation (or a decoy), kept until merged into the files.
#[derive(Debug, Clone)]
pub enum Item {
    Post(Post),
    Article(Article),
}

impl Item {
    pub fn time(&self) -> DateTime<Utc> {
        match self {
            Item::Post(p) => p.created_at,
            Item::Article(a) => a.published_at,
        }
    }
}

/// An account created by an operation. `background` accounts also write ordinary posts among
/// the organic ones, as real operators' accounts do to look genuine.
#[derive(Debug, Clone)]
pub struct OpAccount {
    pub account: Account,
    pub lang: Lang,
    pub background: bool,
}

pub struct Ctx<'a> {
    pub rng: ChaCha8Rng,
    pub clock: &'a Clock,
    pub texts: &'a Texts,
    pub ids: &'a mut Ids,
    pub items: Vec<Item>,
    pub accounts: Vec<OpAccount>,
    pub domains: Vec<DomainRecord>,
    /// Handles taken, per `platform:handle`, so that no two accounts share one.
    pub handles: BTreeSet<String>,
    pub negatives: Negatives,
    /// Items that copy the same text (a talking point, or a relay origin), by key.
    pub copy_groups: BTreeMap<String, Vec<String>>,
    /// Ads of the ad library (background and operations).
    pub ads: Vec<Ad>,
    /// Background ads to generate (scales with the organic posts).
    pub organic_ads: usize,
    /// Ads made so far, for their ids.
    pub ad_seq: u64,
    /// Media records (known originals, altered copies, decoys).
    pub media: Vec<Media>,
    /// Accounts the generated `vigie.toml` watches for takeovers (`platform:handle`).
    pub watched: Vec<String>,
    /// Image files the media records name: file name under `media/`, bytes.
    pub images: Vec<(String, Vec<u8>)>,
    /// Pictures drawn for avatar files: their own stream, so that the other operations' data
    /// does not move when avatars change.
    pub pictures: ChaCha8Rng,
    /// Accounts wearing copies of one avatar file, per picture (the bursts').
    pub avatar_groups: Vec<Vec<String>>,
    /// Accounts with avatar files of their own (decoys for shared avatars).
    pub avatar_decoys: Vec<String>,
    /// Sign some pictures with C2PA test credentials.
    #[cfg(feature = "c2pa")]
    pub content_credentials: bool,
    /// Also write false voting claims in other words than the lexicons know.
    pub reworded_claims: bool,
}

impl<'a> Ctx<'a> {
    /// Records that item `id` copies the text behind `key`.
    pub fn copies(&mut self, key: &str, id: &str) {
        self.copy_groups
            .entry(key.to_owned())
            .or_default()
            .push(id.to_owned());
    }

    /// Reserves `handle` on `platform`, adding digits when it is already taken.
    pub fn unique_handle(&mut self, platform: &str, handle: String) -> String {
        let mut h = handle.clone();
        let mut n = 1;
        while !self.handles.insert(format!("{platform}:{h}")) {
            n += 1;
            h = format!("{handle}{n}");
        }
        h
    }

    /// Creates an account and returns its id. Followers are small unless the caller sets them.
    pub fn account(
        &mut self,
        platform: &str,
        handle: String,
        display_name: Option<String>,
        created_at: DateTime<Utc>,
        lang: Lang,
        background: bool,
    ) -> String {
        let handle = self.unique_handle(platform, handle);
        let id = self.ids.account();
        let followers = (self.rng.gen_range(1.0f64..6.0)).exp() as u64;
        let account = Account {
            id: id.clone(),
            platform: platform.to_owned(),
            handle,
            display_name,
            created_at: Some(created_at),
            followers: Some(followers),
            following: Some(self.rng.gen_range(20..900)),
            posts_count: None,
            bio: None,
            verified: false,
            avatar_phash: Some(self.ids.phash()),
            avatar_path: None,
            location: None,
            extra: Map::new(),
        };
        self.accounts.push(OpAccount {
            account,
            lang,
            background,
        });
        id
    }

    /// An ordinary-looking person account created some years before the campaign.
    pub fn person_account(&mut self, platform: &str, lang: Lang, background: bool) -> String {
        let (handle, display) = ordinary_handle(&mut self.rng, lang);
        let created = self.clock.t0 - Duration::days(self.rng.gen_range(200..4000));
        self.account(platform, handle, Some(display), created, lang, background)
    }

    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts
            .iter_mut()
            .map(|a| &mut a.account)
            .find(|a| a.id == id)
    }

    pub fn handle_of(&self, id: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.account.id == id)
            .map(|a| a.account.handle.clone())
            .unwrap_or_default()
    }

    /// Builds a post (entities derived from the text), stores it and returns its id.
    pub fn post(
        &mut self,
        author: &str,
        platform: &str,
        at: DateTime<Utc>,
        text: String,
        lang: Lang,
        repost_of: Option<String>,
    ) -> String {
        let id = self.ids.post();
        let (urls, hashtags, mentions) = entities(&text);
        let likes = (self.rng.gen_range(0.0f64..4.0)).exp() as u64 - 1;
        let post = Post {
            id: id.clone(),
            platform: platform.to_owned(),
            author: author.to_owned(),
            created_at: self.clock.clamp(at),
            text,
            lang: Some(lang.code().to_owned()),
            urls,
            hashtags,
            mentions,
            reply_to: None,
            repost_of,
            quote_of: None,
            media: Vec::new(),
            metrics: Some(Metrics {
                likes: Some(likes),
                reposts: Some(likes / 4),
                replies: Some(likes / 8),
                views: None,
            }),
            extra: Map::new(),
        };
        self.items.push(Item::Post(post));
        id
    }

    /// Stores an article and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn article(
        &mut self,
        site: &str,
        url: String,
        at: DateTime<Utc>,
        title: String,
        text: String,
        lang: Lang,
        source_url: Option<String>,
    ) -> String {
        let id = self.ids.article();
        self.items.push(Item::Article(Article {
            url,
            site: site.to_owned(),
            published_at: self.clock.clamp(at),
            title,
            text,
            id: Some(id.clone()),
            author: None,
            lang: Some(lang.code().to_owned()),
            source_url,
            extra: Map::new(),
        }));
        id
    }

    /// A uniformly random instant between local `from_h` and `to_h` o'clock on a random day in
    /// `days`.
    pub fn daytime(&mut self, days: std::ops::Range<u32>, from_h: i64, to_h: i64) -> DateTime<Utc> {
        let d = self.rng.gen_range(days.start..days.end.max(days.start + 1));
        let s = self.rng.gen_range(from_h * 3600..to_h * 3600);
        self.clock.at(d.min(self.clock.days - 1), s)
    }

    /// A day index in `lo..hi`, clamped into the period.
    pub fn day_in(&mut self, lo: u32, hi: u32) -> u32 {
        let last = self.clock.days.saturating_sub(1);
        let lo = lo.min(last);
        let hi = hi.min(self.clock.days).max(lo + 1);
        self.rng.gen_range(lo..hi)
    }
}

/// A new operation truth entry with empty lists.
pub fn operation(id: &str, kind: &str, description: String) -> Operation {
    Operation {
        id: id.to_owned(),
        kind: kind.to_owned(),
        description,
        ..Operation::default()
    }
}

pub fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
}

/// Runs every operation injector in a fixed order and returns their truth entries.
pub fn inject_all(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let mut ops = Vec::new();
    ops.extend(relay::inject(ctx));
    ops.extend(coordination::inject(ctx));
    ops.extend(astroturf::inject(ctx));
    ops.extend(burst::inject(ctx));
    ops.extend(lookalike::inject(ctx));
    ops.extend(electoral::inject(ctx));
    ops.extend(incitement::inject(ctx));
    ops.extend(doxxing::inject(ctx));
    // Last: the ads copy talking points the other operations wrote.
    ops.extend(ads::inject(ctx));
    // After the bursts: their shared avatars are part of the media truth.
    ops.extend(media::inject(ctx));
    ops.extend(takeover::inject(ctx));
    // Added later than the others: appended, so that the others' data stayed as it was.
    ops.extend(electoral::inject_late(ctx));
    ops
}
