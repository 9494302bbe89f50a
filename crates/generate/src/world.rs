//! The fixed world the data lives in: the campaign clock (Europe/Paris), record ids, the media,
//! candidates and sites, and the `vigie.toml` that describes them to the detectors.

use crate::lang::{Lang, CANDIDATES};
use crate::narrative::NARRATIVES;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday,
};
use std::fmt::Write as _;

/// Europe/Paris without a tz database: CET (+1) or CEST (+2) by the EU rule (from the last Sunday
/// of March 01:00 UTC to the last Sunday of October 01:00 UTC).
pub fn paris_offset_hours(t: DateTime<Utc>) -> i64 {
    let year = t.year();
    let switch = |month: u32| -> DateTime<Utc> {
        let last = last_sunday(year, month);
        Utc.from_utc_datetime(&last.and_hms_opt(1, 0, 0).unwrap_or_default())
    };
    if t >= switch(3) && t < switch(10) {
        2
    } else {
        1
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month, 31)
        .or_else(|| NaiveDate::from_ymd_opt(year, month, 30))
        .unwrap_or_default();
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

/// The campaign period, day 0 starting at local midnight of `start`.
#[derive(Debug, Clone)]
pub struct Clock {
    pub start: NaiveDate,
    pub days: u32,
    pub t0: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Polling day: the last day of the period (2024-06-09 with the defaults).
    pub election_day: NaiveDate,
}

impl Clock {
    pub fn new(start: NaiveDate, days: u32) -> Clock {
        let t0 = local_to_utc(start.and_hms_opt(0, 0, 0).unwrap_or_default());
        let end_date = start + Duration::days(days as i64);
        let end = local_to_utc(end_date.and_hms_opt(0, 0, 0).unwrap_or_default());
        Clock {
            start,
            days,
            t0,
            end,
            election_day: start + Duration::days(days as i64 - 1),
        }
    }

    pub fn date(&self, day: u32) -> NaiveDate {
        self.start + Duration::days(day as i64)
    }

    /// A local (Paris) wall-clock time on day `day`, as UTC; `secs` may exceed a day.
    pub fn at(&self, day: u32, secs: i64) -> DateTime<Utc> {
        let local =
            self.date(day).and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(secs);
        local_to_utc(local)
    }

    pub fn local_hour(&self, t: DateTime<Utc>) -> u32 {
        (t + Duration::hours(paris_offset_hours(t))).hour()
    }

    /// Clamp into the period so that no injected item falls outside the files' time range.
    pub fn clamp(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        t.max(self.t0).min(self.end - Duration::seconds(1))
    }
}

pub fn local_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    // The offset at (local - 1h) read as UTC is right except within the DST switch hour itself.
    let guess = Utc.from_utc_datetime(&(local - Duration::hours(1)));
    Utc.from_utc_datetime(&(local - Duration::hours(paris_offset_hours(guess))))
}

/// Record ids. Counters are scrambled by multiplication with an odd constant modulo 2^bits, a
/// bijection, so ids are unique by construction yet do not reveal generation order (a detector
/// must not be able to tell injected records from their ids).
#[derive(Debug, Default, Clone)]
pub struct Ids {
    posts: u64,
    accounts: u64,
    articles: u64,
    media: u64,
}

fn scramble(n: u64, bits: u32, mult: u64) -> u64 {
    let mask = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    n.wrapping_mul(mult) & mask
}

impl Ids {
    /// X-like 19-digit numeric post id.
    pub fn post(&mut self) -> String {
        self.posts += 1;
        (1_000_000_000_000_000_000 + scramble(self.posts, 60, 0x9E37_79B9_7F4A_7C15)).to_string()
    }

    pub fn account(&mut self) -> String {
        self.accounts += 1;
        (10_000_000 + scramble(self.accounts, 40, 0xD1B5_4A32_D192_ED03)).to_string()
    }

    pub fn article(&mut self) -> String {
        self.articles += 1;
        format!(
            "a{:012x}",
            scramble(self.articles, 48, 0x94D0_49BB_1331_11EB)
        )
    }

    /// A 64-bit perceptual-hash-like hex string (avatars, images).
    pub fn phash(&mut self) -> String {
        self.media += 1;
        format!(
            "{:016x}",
            scramble(self.media, 64, 0xBF58_476D_1CE4_E5B9) ^ 0x5DEE_CE66_D1CE_0000
        )
    }
}

/// A protected news outlet: the domain look-alikes imitate, split into label and public suffix.
#[derive(Debug, Clone, Copy)]
pub struct ProtectedMedia {
    pub name: &'static str,
    pub label: &'static str,
    pub suffix: &'static str,
    pub lang: Lang,
    pub handles: &'static [&'static str],
    pub title: &'static str,
}

impl ProtectedMedia {
    pub fn domain(&self) -> String {
        format!("{}.{}", self.label, self.suffix)
    }
}

/// The outlets the 2023-2024 "Doppelgänger" campaigns imitated, as protected in vigie.toml.
pub const PROTECTED_MEDIA: [ProtectedMedia; 5] = [
    ProtectedMedia {
        name: "Le Monde",
        label: "lemonde",
        suffix: "fr",
        lang: Lang::Fr,
        handles: &["x:lemondefr", "telegram:lemondefr"],
        title: "Le Monde.fr - Actualités et Infos en France et dans le monde",
    },
    ProtectedMedia {
        name: "Le Figaro",
        label: "lefigaro",
        suffix: "fr",
        lang: Lang::Fr,
        handles: &["x:Le_Figaro"],
        title: "Le Figaro - Actualité en direct et informations en continu",
    },
    ProtectedMedia {
        name: "Le Parisien",
        label: "leparisien",
        suffix: "fr",
        lang: Lang::Fr,
        handles: &["x:le_Parisien"],
        title: "Le Parisien - Info Paris, Île-de-France et France",
    },
    ProtectedMedia {
        name: "20 Minutes",
        label: "20minutes",
        suffix: "fr",
        lang: Lang::Fr,
        handles: &["x:20Minutes"],
        title: "20 Minutes - Toute l'actualité en direct",
    },
    ProtectedMedia {
        name: "Der Spiegel",
        label: "spiegel",
        suffix: "de",
        lang: Lang::De,
        handles: &["x:derspiegel"],
        title: "DER SPIEGEL | Online-Nachrichten",
    },
];

/// A legitimate news site: organic articles and the links ordinary users share.
#[derive(Debug, Clone, Copy)]
pub struct NewsSite {
    pub site: &'static str,
    pub host: &'static str,
    pub lang: Lang,
    pub section: &'static str,
}

pub const NEWS_SITES: [NewsSite; 16] = [
    NewsSite {
        site: "lemonde.fr",
        host: "www.lemonde.fr",
        lang: Lang::Fr,
        section: "politique/article",
    },
    NewsSite {
        site: "lefigaro.fr",
        host: "www.lefigaro.fr",
        lang: Lang::Fr,
        section: "politique",
    },
    NewsSite {
        site: "leparisien.fr",
        host: "www.leparisien.fr",
        lang: Lang::Fr,
        section: "elections/europeennes",
    },
    NewsSite {
        site: "20minutes.fr",
        host: "www.20minutes.fr",
        lang: Lang::Fr,
        section: "politique",
    },
    NewsSite {
        site: "liberation.fr",
        host: "www.liberation.fr",
        lang: Lang::Fr,
        section: "politique/elections",
    },
    NewsSite {
        site: "francetvinfo.fr",
        host: "www.francetvinfo.fr",
        lang: Lang::Fr,
        section: "elections/europeennes",
    },
    NewsSite {
        site: "bbc.co.uk",
        host: "www.bbc.co.uk",
        lang: Lang::En,
        section: "news/world-europe",
    },
    NewsSite {
        site: "theguardian.com",
        host: "www.theguardian.com",
        lang: Lang::En,
        section: "world/europe",
    },
    NewsSite {
        site: "spiegel.de",
        host: "www.spiegel.de",
        lang: Lang::De,
        section: "politik/europawahl",
    },
    NewsSite {
        site: "zeit.de",
        host: "www.zeit.de",
        lang: Lang::De,
        section: "politik/ausland",
    },
    NewsSite {
        site: "elpais.com",
        host: "elpais.com",
        lang: Lang::Es,
        section: "internacional/elecciones-europeas",
    },
    NewsSite {
        site: "elmundo.es",
        host: "www.elmundo.es",
        lang: Lang::Es,
        section: "internacional",
    },
    NewsSite {
        site: "corriere.it",
        host: "www.corriere.it",
        lang: Lang::It,
        section: "politica",
    },
    NewsSite {
        site: "repubblica.it",
        host: "www.repubblica.it",
        lang: Lang::It,
        section: "politica",
    },
    NewsSite {
        site: "wyborcza.pl",
        host: "wyborcza.pl",
        lang: Lang::Pl,
        section: "wybory",
    },
    NewsSite {
        site: "rp.pl",
        host: "www.rp.pl",
        lang: Lang::Pl,
        section: "polityka",
    },
];

/// Unrelated, harmless domains in domains.jsonl: look-alike detection must leave them alone.
pub const BENIGN_DOMAINS: [&str; 12] = [
    "jardinage-facile.fr",
    "meteo-alpes.com",
    "velo-club-lyon.fr",
    "recettes-de-mamie.fr",
    "spielplatz-berlin.de",
    "pizzeria-napoli.it",
    "pogoda-krakow.pl",
    "libreria-centro.es",
    "photo-montagne.net",
    "ecole-musique-nantes.fr",
    "brico-depot-conseils.com",
    "randonnee-vosges.org",
];

/// One national poll of the European election, as vigie.toml states it.
pub struct ElectionSpec {
    pub country: &'static str,
    /// ISO 639-1 code of the language its voters are addressed in.
    pub lang: &'static str,
    pub polls_open: &'static str,
    pub polls_close: &'static str,
    pub methods: &'static [&'static str],
    /// Italy votes over two days (Saturday afternoon and Sunday).
    pub two_days: bool,
    /// Identity documents asked at the polling station (`documents` of `[[election]]`).
    pub documents: &'static [&'static str],
}

pub const ELECTIONS: [ElectionSpec; 7] = [
    ElectionSpec {
        country: "FR",
        lang: "fr",
        polls_open: "08:00",
        polls_close: "20:00",
        methods: &["in_person", "proxy"],
        two_days: false,
        documents: &["id_card|passport|driving_licence"],
    },
    ElectionSpec {
        country: "DE",
        lang: "de",
        polls_open: "08:00",
        polls_close: "18:00",
        methods: &["in_person", "postal"],
        two_days: false,
        documents: &["id_card|passport"],
    },
    ElectionSpec {
        country: "ES",
        lang: "es",
        polls_open: "09:00",
        polls_close: "20:00",
        methods: &["in_person", "postal"],
        two_days: false,
        documents: &["id_card|passport|driving_licence"],
    },
    ElectionSpec {
        country: "IT",
        lang: "it",
        polls_open: "07:00",
        polls_close: "23:00",
        methods: &["in_person"],
        two_days: true,
        // The tessera elettorale as well as an identity document.
        documents: &["id_card|passport|driving_licence", "voter_card"],
    },
    ElectionSpec {
        country: "PL",
        lang: "pl",
        polls_open: "07:00",
        polls_close: "21:00",
        // Postal votes exist for some voters (disabled, over 60) since 2018.
        methods: &["in_person", "proxy", "postal"],
        two_days: false,
        documents: &["id_card|passport|driving_licence"],
    },
    ElectionSpec {
        country: "IE",
        lang: "en",
        polls_open: "07:00",
        polls_close: "22:00",
        methods: &["in_person", "postal"],
        two_days: false,
        documents: &["id_card|passport|driving_licence"],
    },
    ElectionSpec {
        country: "PT",
        lang: "pt",
        polls_open: "08:00",
        polls_close: "19:00",
        methods: &["in_person"],
        two_days: false,
        documents: &["id_card|passport|driving_licence"],
    },
];

pub fn election_for(lang: &str) -> &'static ElectionSpec {
    ELECTIONS
        .iter()
        .find(|e| e.lang == lang)
        .unwrap_or(&ELECTIONS[0])
}

/// A TOML basic string. JSON string escaping is a subset of TOML's, so serde_json does the work.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn qlist<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// The vigie.toml matching the generated world (SPEC §3).
pub fn config_toml(clock: &Clock) -> String {
    let mut s = String::new();
    let year = clock.election_day.year();
    let _ = writeln!(
        s,
        "# vigie.toml written by `vigie generate`: the calendar, protected entities and narratives\n\
         # of the synthetic campaign {} .. {} (Europe/Paris).\n",
        clock.start,
        clock.date(clock.days.saturating_sub(1))
    );
    for e in &ELECTIONS {
        let mut days = Vec::new();
        if e.two_days {
            days.push((clock.election_day - Duration::days(1)).to_string());
        }
        days.push(clock.election_day.to_string());
        let _ = writeln!(s, "[[election]]");
        let _ = writeln!(
            s,
            "name = {}",
            q(&format!("European Parliament {year} ({})", e.country))
        );
        let _ = writeln!(s, "country = {}", q(e.country));
        let _ = writeln!(s, "timezone = {}", q(timezone(e.country)));
        let _ = writeln!(s, "voting_days = {}", qlist(&days));
        let _ = writeln!(s, "polls_open = {}", q(e.polls_open));
        let _ = writeln!(s, "polls_close = {}", q(e.polls_close));
        let _ = writeln!(s, "methods = {}", qlist(e.methods));
        let _ = writeln!(s, "documents = {}", qlist(e.documents));
        let _ = writeln!(
            s,
            "registration_deadline = {}\n",
            q(&(clock.election_day - Duration::days(37)).to_string())
        );
    }
    for m in &PROTECTED_MEDIA {
        let _ = writeln!(s, "[[protected]]\nkind = \"media\"");
        let _ = writeln!(s, "name = {}", q(m.name));
        let _ = writeln!(s, "domains = {}", qlist(&[m.domain()]));
        let _ = writeln!(s, "handles = {}", qlist(m.handles));
        let _ = writeln!(s, "aliases = {}\n", qlist(&[m.name]));
    }
    for (i, (name, handle, party)) in CANDIDATES.iter().enumerate() {
        let _ = writeln!(s, "[[protected]]\nkind = \"candidate\"");
        let _ = writeln!(s, "name = {}", q(name));
        let _ = writeln!(s, "domains = {}", qlist(&[format!("{handle}.eu")]));
        let _ = writeln!(s, "handles = {}", qlist(&[format!("x:{handle}")]));
        let hashes = crate::ops::doxxing::pii_hashes(i);
        if !hashes.is_empty() {
            let _ = writeln!(s, "pii_sha256 = {}", qlist(&hashes));
        }
        let _ = writeln!(s, "aliases = {}\n", qlist(&[*name, party]));
    }
    let _ = writeln!(
        s,
        "[[protected]]\nkind = \"institution\"\nname = \"Ministère de l'Intérieur\"\n\
         domains = [\"interieur.gouv.fr\", \"elections.interieur.gouv.fr\"]\n\
         handles = [\"x:Interieur_Gouv\"]\naliases = [\"Ministère de l'Intérieur\", \"Place Beauvau\"]\n"
    );
    let _ = writeln!(s, "[privacy]\nsalt = {}\n", q(crate::ops::doxxing::SALT));
    for n in &NARRATIVES {
        let langs: Vec<&str> = n.templates.iter().map(|(l, _)| l.code()).collect();
        let examples: Vec<String> = n
            .templates
            .iter()
            .take(2)
            .map(|(_, t)| {
                t[0].replace("{cand}", CANDIDATES[0].0)
                    .replace("{n}", "300")
            })
            .collect();
        let _ = writeln!(s, "[[narrative]]");
        let _ = writeln!(s, "name = {}", q(n.name));
        let _ = writeln!(s, "keywords = {}", qlist(n.keywords));
        let _ = writeln!(s, "examples = {}", qlist(&examples));
        let _ = writeln!(s, "languages = {}\n", qlist(&langs));
    }
    let _ = writeln!(
        s,
        "# The user's sanctions list: payers and pages matching these names are flagged.\n\
         [detectors.political_ad]\nsanctioned = {}\n",
        qlist(&crate::ops::ads::SANCTIONED)
    );
    s.push_str(
        "# Detector tables (`[detectors.NAME]`, `enabled = true|false` plus thresholds) are left at\n\
         # their defaults: the generated operations are meant to be found without tuning.\n",
    );
    s
}

fn timezone(country: &str) -> &'static str {
    match country {
        "DE" => "Europe/Berlin",
        "ES" => "Europe/Madrid",
        "IT" => "Europe/Rome",
        "PL" => "Europe/Warsaw",
        "IE" => "Europe/Dublin",
        "PT" => "Europe/Lisbon",
        _ => "Europe/Paris",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_summer_time() {
        let clock = Clock::new(NaiveDate::from_ymd_opt(2024, 5, 27).unwrap(), 14);
        assert_eq!(clock.t0.to_rfc3339(), "2024-05-26T22:00:00+00:00");
        assert_eq!(clock.election_day.to_string(), "2024-06-09");
        let winter = Clock::new(NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(), 3);
        assert_eq!(winter.t0.hour(), 23);
        assert_eq!(clock.local_hour(clock.at(2, 20 * 3600 + 59)), 20);
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = Ids::default();
        let posts: std::collections::BTreeSet<String> = (0..10_000).map(|_| ids.post()).collect();
        assert_eq!(posts.len(), 10_000);
        assert!(posts.iter().all(|p| p.len() == 19));
    }
}
