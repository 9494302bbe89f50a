//! Format identification from the first bytes of content, never from the file name alone.

use vigie_core::config::InputConfig;

/// How many leading bytes of (decompressed) content the sniffer looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SPEC §2 native JSONL, any record kind.
    NativeJsonl,
    /// Clemson/FiveThirtyEight IRA tweets CSV.
    IraCsv,
    /// Twitter/X information-operations archive, tweets file.
    TwitterIoTweets,
    /// Twitter/X information-operations archive, users file.
    TwitterIoUsers,
    /// CooRTweet shares (account_id, post_id, url_id, hashtag_id, domain_id, phash_id, timestamp).
    CoortweetShares,
    /// CooRTweet retweets (object_id, account_id, content_id, timestamp_share).
    CoortweetRetweets,
    /// A CSV matched by the user's `[[input.csv]]` mapping at this index.
    MappedCsv(usize),
    /// Telegram Desktop "Export chat history" JSON (whole `result.json` or its messages array).
    TelegramJson,
    /// RSS 2.0, RSS 1.0 (RDF) or Atom.
    Feed,
    /// One domain per line (newly-registered or certificate-transparency lists).
    DomainList,
    /// certstream JSON messages, one per line.
    Certstream,
    /// Meta Ad Library API responses (`{"data": [ad…]}` pages, or one ad object per line).
    MetaAds,
    /// Google political-ads transparency report, creative-stats CSV.
    GoogleAdsCsv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::NativeJsonl => "native JSONL",
            Format::IraCsv => "IRA tweets CSV",
            Format::TwitterIoTweets => "X/Twitter IO archive tweets CSV",
            Format::TwitterIoUsers => "X/Twitter IO archive users CSV",
            Format::CoortweetShares => "CooRTweet shares CSV",
            Format::CoortweetRetweets => "CooRTweet retweets CSV",
            Format::MappedCsv(_) => "mapped CSV",
            Format::TelegramJson => "Telegram export JSON",
            Format::Feed => "RSS/Atom feed",
            Format::DomainList => "domain list",
            Format::Certstream => "certstream JSONL",
            Format::MetaAds => "Meta Ad Library JSON",
            Format::GoogleAdsCsv => "Google political ads CSV",
        }
    }
}

/// Identifies the format of content starting with `prefix`; the error is a hint for the user.
pub fn sniff(prefix: &[u8], cfg: &InputConfig) -> Result<Format, String> {
    let body = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = &body[start..];
    match body.first() {
        None => Err("empty input".into()),
        Some(b'<') => sniff_xml(body),
        Some(b'{') => sniff_json_object(body),
        Some(b'[') => sniff_json_array(body),
        Some(_) => sniff_text(body, cfg),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn sniff_xml(body: &[u8]) -> Result<Format, String> {
    if contains(body, b"<rss") || contains(body, b"<feed") || contains(body, b"<rdf:RDF") {
        Ok(Format::Feed)
    } else {
        Err("XML, but neither an RSS nor an Atom feed".into())
    }
}

/// Complete lines of the prefix (the last, possibly cut, line is left out unless it is the only one).
fn complete_lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let end = memchr::memrchr(b'\n', body).unwrap_or(body.len());
    body[..end]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
}

fn sniff_json_object(body: &[u8]) -> Result<Format, String> {
    // JSONL if any of the first lines is a whole object; a malformed first line (hostile input)
    // must not make a JSONL file unreadable.
    for line in complete_lines(body).take(20) {
        if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(line) {
            if obj.contains_key("kind") {
                return Ok(Format::NativeJsonl);
            }
            if obj.contains_key("message_type") {
                return Ok(Format::Certstream);
            }
            if crate::ad_library::is_meta_ad(&obj) || looks_like_meta_page(&obj) {
                return Ok(Format::MetaAds);
            }
            return Err(format!(
                "JSON lines without a `kind` field (keys: {})",
                obj.keys().take(6).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    // A pretty-printed (or very long) API page: ad fields appear before any Telegram key.
    if contains(body, b"\"ad_archive_id\"") || contains(body, b"\"ad_delivery_start_time\"") {
        return Ok(Format::MetaAds);
    }
    if contains(body, b"\"messages\"") {
        return Ok(Format::TelegramJson);
    }
    // A first line longer than the sniffed prefix: JSONL with a huge record, not a document.
    if memchr::memchr(b'\n', body).is_none() && contains(body, b"\"kind\"") {
        return Ok(Format::NativeJsonl);
    }
    Err("a JSON document that is neither native JSONL nor a Telegram export".into())
}

/// `{"data": [ad, …]}`, an API response page.
fn looks_like_meta_page(obj: &serde_json::Map<String, serde_json::Value>) -> bool {
    obj.get("data")
        .and_then(|d| d.as_array())
        .and_then(|a| a.first())
        .and_then(|ad| ad.as_object())
        .is_some_and(crate::ad_library::is_meta_ad)
}

fn sniff_json_array(body: &[u8]) -> Result<Format, String> {
    if contains(body, b"\"ad_archive_id\"") || contains(body, b"\"ad_delivery_start_time\"") {
        return Ok(Format::MetaAds);
    }
    if contains(body, b"\"date\"")
        && (contains(body, b"\"from_id\"") || contains(body, b"\"text\""))
    {
        Ok(Format::TelegramJson)
    } else {
        Err("a JSON array that is not a Telegram messages export".into())
    }
}

/// Lower-cased, unquoted header names of a CSV first line.
fn header_names(line: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(line);
    let delim = [',', '\t', ';']
        .into_iter()
        .max_by_key(|d| text.matches(*d).count())
        .unwrap_or(',');
    text.split(delim)
        .map(|h| h.trim().trim_matches('"').trim().to_lowercase())
        .collect()
}

fn sniff_text(body: &[u8], cfg: &InputConfig) -> Result<Format, String> {
    let first = complete_lines(body).next().unwrap_or(body);
    let names = header_names(first);
    let has = |n: &str| names.iter().any(|h| h == n);
    for (i, mapping) in cfg.csv.iter().enumerate() {
        let wanted = mapping.columns.values().map(|c| c.trim().to_lowercase());
        if !mapping.columns.is_empty() && wanted.into_iter().all(|c| has(&c)) {
            return Ok(Format::MappedCsv(i));
        }
    }
    if (has("author") || has("author_id")) && has("content") && has("publish_date") {
        return Ok(Format::IraCsv);
    }
    if has("tweetid") && has("userid") && has("tweet_text") {
        return Ok(Format::TwitterIoTweets);
    }
    if has("userid") && has("user_screen_name") {
        return Ok(Format::TwitterIoUsers);
    }
    if has("object_id") && has("account_id") && has("timestamp_share") {
        return Ok(Format::CoortweetRetweets);
    }
    if has("account_id") && has("post_id") && has("timestamp") {
        return Ok(Format::CoortweetShares);
    }
    if has("ad_id") && has("advertiser_name") && has("advertiser_id") {
        return Ok(Format::GoogleAdsCsv);
    }
    if looks_like_domain_list(body) {
        return Ok(Format::DomainList);
    }
    Err(format!(
        "first line is not a known CSV header nor a domain: {:?}",
        String::from_utf8_lossy(&first[..first.len().min(120)])
    ))
}

/// Every line's first field (before a comma, tab or space) is a host name; a `domain` header and
/// `#` comments are allowed.
fn looks_like_domain_list(body: &[u8]) -> bool {
    let mut seen = 0;
    for (i, line) in complete_lines(body).take(50).enumerate() {
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let first = line
            .split([',', '\t', ' ', ';'])
            .next()
            .unwrap_or("")
            .trim_matches('"');
        if i == 0 && first.eq_ignore_ascii_case("domain") {
            continue;
        }
        if vigie_normalise::urls::normalise_domain(first).is_none() {
            return false;
        }
        seen += 1;
    }
    seen > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> InputConfig {
        InputConfig::default()
    }

    fn sample(name: &str) -> Option<Vec<u8>> {
        crate::test_support::sample(name).map(|b| b[..b.len().min(SNIFF_BYTES)].to_vec())
    }

    #[test]
    fn ad_libraries_are_recognised_by_content() {
        let page = b"{\"data\":[{\"id\":\"1\",\"ad_archive_id\":\"1\",\"page_id\":\"2\"}],\"paging\":{}}\n";
        assert_eq!(sniff(page, &cfg()), Ok(Format::MetaAds));
        let pretty = b"{\n  \"data\": [\n    {\n      \"ad_archive_id\": \"1\",\n";
        assert_eq!(sniff(pretty, &cfg()), Ok(Format::MetaAds));
        let lines = b"{\"page_id\":\"2\",\"ad_delivery_start_time\":\"2024-05-01\"}\n";
        assert_eq!(sniff(lines, &cfg()), Ok(Format::MetaAds));
        let google =
            b"Ad_ID,Ad_URL,Ad_Type,Regions,Advertiser_ID,Advertiser_Name,Date_Range_Start\n";
        assert_eq!(sniff(google, &cfg()), Ok(Format::GoogleAdsCsv));
        // A Telegram export mentioning none of these stays a Telegram export.
        let tg = b"{\n \"name\": \"c\",\n \"messages\": [\n";
        assert_eq!(sniff(tg, &cfg()), Ok(Format::TelegramJson));
    }

    #[test]
    fn native_jsonl_survives_a_malformed_first_line() {
        let text = b"{not json\n{\"kind\":\"domain\",\"domain\":\"a.fr\"}\n";
        assert_eq!(sniff(text, &cfg()), Ok(Format::NativeJsonl));
    }

    #[test]
    fn pretty_printed_json_documents_are_not_jsonl() {
        let doc = b"{\n  \"seed\": 42,\n  \"operations\": [ { \"kind\": \"coordination\" } ]\n}\n";
        assert!(sniff(doc, &cfg()).is_err());
        let long_line = format!("{{\"kind\":\"post\",\"text\":\"{}", "x".repeat(SNIFF_BYTES));
        assert_eq!(
            sniff(&long_line.as_bytes()[..SNIFF_BYTES], &cfg()),
            Ok(Format::NativeJsonl)
        );
    }

    #[test]
    fn csv_headers_are_recognised_by_name_in_any_order() {
        let ira = b"author_id,content,region,language,publish_date\n";
        assert_eq!(sniff(ira, &cfg()), Ok(Format::IraCsv));
        let io = b"\"userid\",\"tweetid\",\"tweet_text\"\n";
        assert_eq!(sniff(io, &cfg()), Ok(Format::TwitterIoTweets));
        let rt = b"object_id,account_id,content_id,timestamp_share\n";
        assert_eq!(sniff(rt, &cfg()), Ok(Format::CoortweetRetweets));
        let sh = b"account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp\n";
        assert_eq!(sniff(sh, &cfg()), Ok(Format::CoortweetShares));
    }

    #[test]
    fn domain_lists_and_noise_are_told_apart() {
        assert_eq!(
            sniff(b"# new\nlemonde-fr.ltd\nxn--lemnde-5ya.fr\n", &cfg()),
            Ok(Format::DomainList)
        );
        assert_eq!(
            sniff(
                b"domain,first_seen\nlemonde.fr,2024-06-01\na.fr 2024-06-02\n",
                &cfg()
            ),
            Ok(Format::DomainList)
        );
        assert!(sniff(b"[[election]]\nname = \"x\"\n", &cfg()).is_err());
        assert!(sniff(b"hello world, this is prose\n", &cfg()).is_err());
        assert!(sniff(b"", &cfg()).is_err());
    }

    #[test]
    fn user_mapping_wins_over_builtins() {
        let mut c = cfg();
        c.csv.push(vigie_core::config::CsvMapping {
            name: "fb".into(),
            kind: "post".into(),
            columns: [
                ("id".to_string(), "post_id".to_string()),
                ("author".to_string(), "account_id".to_string()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        });
        let sh = b"account_id,post_id,timestamp\n";
        assert_eq!(sniff(sh, &c), Ok(Format::MappedCsv(0)));
    }

    #[test]
    fn real_format_samples_are_identified() {
        let cases = [
            ("twitter_io_tweets_sample.csv", Format::TwitterIoTweets),
            ("twitter_io_users_sample.csv", Format::TwitterIoUsers),
            (
                "telegram_result_private_group_2025.json",
                Format::TelegramJson,
            ),
            (
                "telegram_result_private_channel_2020_legacy.json",
                Format::TelegramJson,
            ),
            (
                "telegram_public_channel_messages_sample.json",
                Format::TelegramJson,
            ),
            ("rss_sample_ilgiornale.xml", Format::Feed),
            ("rss_sample_ilmessaggero.xml", Format::Feed),
            ("atom_sample_reddit.xml", Format::Feed),
            ("certstream_sample.jsonl", Format::Certstream),
        ];
        for (name, want) in cases {
            let Some(bytes) = sample(name) else { return };
            assert_eq!(sniff(&bytes, &cfg()), Ok(want), "{name}");
        }
    }
}
