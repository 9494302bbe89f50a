//! Input records, exactly as SPEC §2 names them. Readers of other formats map onto these types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The record kinds of SPEC §2; the `kind` field of a native JSONL line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Post,
    Account,
    Article,
    Domain,
    Ad,
    Media,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Post,
        Kind::Account,
        Kind::Article,
        Kind::Domain,
        Kind::Ad,
        Kind::Media,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Account => "account",
            Kind::Article => "article",
            Kind::Domain => "domain",
            Kind::Ad => "ad",
            Kind::Media => "media",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Small stable integer used as a column value in stores.
    pub fn code(self) -> i64 {
        match self {
            Kind::Post => 1,
            Kind::Account => 2,
            Kind::Article => 3,
            Kind::Domain => 4,
            Kind::Ad => 5,
            Kind::Media => 6,
        }
    }

    pub fn from_code(code: i64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Accepts `"123"` or `123`: real exports (legacy Telegram, ad libraries) write ids as numbers.
pub fn de_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Id::deserialize(d)? {
        Id::S(s) => s,
        Id::I(i) => i.to_string(),
        Id::U(u) => u.to_string(),
    })
}

fn de_opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(match Option::<Id>::deserialize(d)? {
        None => None,
        Some(Id::S(s)) if s.is_empty() => None,
        Some(Id::S(s)) => Some(s),
        Some(Id::I(i)) => Some(i.to_string()),
        Some(Id::U(u)) => Some(u.to_string()),
    })
}

/// RFC 3339 timestamps, converted to UTC, with an error that shows the offending value.
pub fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    parse_rfc3339(&s).map_err(serde::de::Error::custom)
}

fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_rfc3339(&s)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            let shown: String = s.chars().take(40).collect();
            format!("invalid RFC 3339 timestamp {shown:?}: {e}")
        })
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reposts: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replies: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<u64>,
}

/// A media attachment of a post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<String>,
    /// The image file (relative to the input file's folder, or absolute); hashed at ingest when
    /// `phash` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// C2PA content credentials: given, or read from the file at ingest (see `provenance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c2pa: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    pub platform: String,
    #[serde(deserialize_with = "de_id")]
    pub author: String,
    #[serde(deserialize_with = "de_time")]
    pub created_at: DateTime<Utc>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashtags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub reply_to: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub repost_of: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub quote_of: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Metrics>,
    /// Unknown input fields: kept, ignored by detectors.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    pub platform: String,
    pub handle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_phash: Option<String>,
    /// The avatar's image file (relative to the input file's folder, or absolute); hashed into
    /// `avatar_phash` at ingest when that is absent. An extension of SPEC §2's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub url: String,
    pub site: String,
    #[serde(deserialize_with = "de_time")]
    pub published_at: DateTime<Utc>,
    pub title: String,
    pub text: String,
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainRecord {
    pub domain: String,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_seen: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub registered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrar: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nameservers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub asn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl DomainRecord {
    /// A domain with nothing else known about it yet (a feed line, a certificate name).
    pub fn new(domain: String) -> DomainRecord {
        DomainRecord {
            domain,
            first_seen: None,
            registered_at: None,
            registrar: None,
            nameservers: Vec::new(),
            ips: Vec::new(),
            asn: None,
            cert_issuer: None,
            title: None,
            html: None,
            extra: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ad {
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    pub platform: String,
    #[serde(deserialize_with = "de_id")]
    pub page_id: String,
    pub page_name: String,
    #[serde(deserialize_with = "de_time")]
    pub started_at: DateTime<Utc>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_country: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impressions_min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impressions_max: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ages: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_genders: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclaimer: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    #[serde(deserialize_with = "de_id")]
    pub id: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c2pa: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentic: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Perceptual hashes (hex, like `phash`) of sub-windows of a known original (`authentic`),
    /// computed at ingest from its file: a cropped copy's full-frame hash lands near one of
    /// them. Derived, not part of SPEC §2; absent for records stored before it existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phash_windows: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One input record; serialises to and from a native JSONL line (`kind` tag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Record {
    Post(Post),
    Account(Account),
    Article(Article),
    Domain(DomainRecord),
    Ad(Ad),
    Media(Media),
}

/// The identity of a record: the same (kind, platform, id) read twice is the same record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    pub kind: Kind,
    pub platform: String,
    pub id: String,
}

impl RecordKey {
    /// 64-bit stable digest, used as the store's unique key.
    pub fn digest(&self) -> u64 {
        crate::stable_hash(&[
            self.kind.as_str().as_bytes(),
            self.platform.as_bytes(),
            self.id.as_bytes(),
        ])
    }
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Post(_) => Kind::Post,
            Record::Account(_) => Kind::Account,
            Record::Article(_) => Kind::Article,
            Record::Domain(_) => Kind::Domain,
            Record::Ad(_) => Kind::Ad,
            Record::Media(_) => Kind::Media,
        }
    }

    /// Platform part of the identity. Articles are keyed by site, domains and media have none.
    pub fn platform(&self) -> &str {
        match self {
            Record::Post(p) => &p.platform,
            Record::Account(a) => &a.platform,
            Record::Article(a) => &a.site,
            Record::Domain(_) | Record::Media(_) => "",
            Record::Ad(a) => &a.platform,
        }
    }

    /// The id as given in the input; an article without `id` is identified by its `url` (SPEC §4).
    pub fn id(&self) -> &str {
        match self {
            Record::Post(p) => &p.id,
            Record::Account(a) => &a.id,
            Record::Article(a) => a.id.as_deref().unwrap_or(&a.url),
            Record::Domain(d) => &d.domain,
            Record::Ad(a) => &a.id,
            Record::Media(m) => &m.id,
        }
    }

    pub fn key(&self) -> RecordKey {
        RecordKey {
            kind: self.kind(),
            platform: self.platform().to_owned(),
            id: self.id().to_owned(),
        }
    }

    /// The account that produced the record, when there is one.
    pub fn author(&self) -> Option<&str> {
        match self {
            Record::Post(p) => Some(&p.author),
            Record::Account(a) => Some(&a.id),
            Record::Article(a) => a.author.as_deref(),
            Record::Ad(a) => Some(&a.page_id),
            Record::Domain(_) | Record::Media(_) => None,
        }
    }

    /// The time the record is about: publication for content, creation for accounts, first sighting
    /// (or registration) for domains.
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        match self {
            Record::Post(p) => Some(p.created_at),
            Record::Account(a) => a.created_at,
            Record::Article(a) => Some(a.published_at),
            Record::Domain(d) => d.first_seen.or(d.registered_at),
            Record::Ad(a) => Some(a.started_at),
            Record::Media(_) => None,
        }
    }

    /// Every timestamp the record carries, for validity checks.
    pub fn timestamps(&self) -> Vec<(&'static str, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut push = |name, t: Option<DateTime<Utc>>| {
            if let Some(t) = t {
                out.push((name, t));
            }
        };
        match self {
            Record::Post(p) => push("created_at", Some(p.created_at)),
            Record::Account(a) => push("created_at", a.created_at),
            Record::Article(a) => push("published_at", Some(a.published_at)),
            Record::Domain(d) => {
                push("first_seen", d.first_seen);
                push("registered_at", d.registered_at);
            }
            Record::Ad(a) => {
                push("started_at", Some(a.started_at));
                push("ended_at", a.ended_at);
            }
            Record::Media(_) => {}
        }
        out
    }

    /// The main free text a detector reads (post/ad text, article title + body, account bio).
    pub fn text(&self) -> Option<&str> {
        match self {
            Record::Post(p) => Some(&p.text),
            Record::Article(a) => Some(&a.text),
            Record::Ad(a) => Some(&a.text),
            Record::Account(a) => a.bio.as_deref(),
            Record::Domain(d) => d.title.as_deref(),
            Record::Media(_) => None,
        }
    }

    pub fn lang(&self) -> Option<&str> {
        match self {
            Record::Post(p) => p.lang.as_deref(),
            Record::Article(a) => a.lang.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_post_round_trips_and_keeps_unknown_fields() {
        let line = r#"{"kind":"post","id":"1","platform":"x","author":"a1","created_at":"2024-06-01T10:00:00+02:00","text":"hi","campaign":"z"}"#;
        let r: Record = serde_json::from_str(line).unwrap();
        let Record::Post(p) = &r else {
            panic!("not a post")
        };
        assert_eq!(p.created_at.to_rfc3339(), "2024-06-01T08:00:00+00:00");
        assert_eq!(p.extra.get("campaign"), Some(&Value::from("z")));
        let back: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn numeric_ids_are_accepted_as_text() {
        let line = r#"{"kind":"account","id":42,"platform":"telegram","handle":"c"}"#;
        let r: Record = serde_json::from_str(line).unwrap();
        assert_eq!(r.id(), "42");
    }

    #[test]
    fn missing_required_field_names_the_field() {
        let line = r#"{"kind":"post","id":"1","platform":"x","created_at":"2024-06-01T10:00:00Z","text":"hi"}"#;
        let err = serde_json::from_str::<Record>(line)
            .unwrap_err()
            .to_string();
        assert!(err.contains("author"), "{err}");
    }

    #[test]
    fn article_without_id_is_identified_by_url() {
        let line = r#"{"kind":"article","url":"https://a.example/x","site":"a.example","published_at":"2024-06-01T10:00:00Z","title":"t","text":"b"}"#;
        let r: Record = serde_json::from_str(line).unwrap();
        assert_eq!(r.id(), "https://a.example/x");
        assert_ne!(r.key().digest(), 0);
    }
}
