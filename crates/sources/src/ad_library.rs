//! Ad-library exports mapped onto SPEC `ad` records: the Meta Ad Library API (`ads_archive`
//! responses — `{"data": [ad…], "paging": …}` pages, several pages in a row, or one ad object per
//! line) and Google's political-ads transparency report CSV (`creative-stats`).
//!
//! Meta pages are streamed element by element with the Telegram reader's structural scanner, so
//! a page of any size costs one ad of memory and a bad ad costs that ad only (rejected with the
//! line it starts on). Both libraries list political and issue ads only, so every record is
//! marked `political: true`.

use crate::csv_rows::{read_rows, Row};
use crate::telegram::{ScanError, Scanner};
use crate::{Event, ReadContext, Rejected, Sink, SourceError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::io::BufRead;
use std::ops::ControlFlow;
use vigie_core::{Ad, Record};
use vigie_normalise::time::parse_timestamp;

const META: &str = "Meta Ad Library JSON";
const MAX_KEY_BYTES: usize = 1024;

/// Keys only a Meta ad object has.
pub(crate) fn is_meta_ad(obj: &Map<String, Value>) -> bool {
    obj.contains_key("ad_archive_id")
        || (obj.contains_key("page_id") && obj.contains_key("ad_delivery_start_time"))
}

pub fn read_meta(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut m = Meta {
        sc: Scanner { r, line: 1 },
        ctx,
        sink,
    };
    let bom = m.sc.fill().map(|b| b.starts_with(b"\xEF\xBB\xBF"));
    if bom.map_err(|e| m.io(e))? {
        m.sc.advance(3);
    }
    // A sequence of top-level values: response pages, or ads one per line.
    loop {
        let next = m.sc.skip_ws().map_err(|e| m.io(e))?;
        let line = m.sc.line;
        match next {
            None => return Ok(()),
            Some(b'{') => {
                m.sc.advance(1);
                if m.top_object(line)?.is_break() {
                    return Ok(());
                }
            }
            Some(b'[') => {
                m.sc.advance(1);
                if m.ads_array()?.is_break() {
                    return Ok(());
                }
            }
            Some(b) => {
                return Err(m.malformed(
                    line,
                    format!("expected a JSON object or array, found {:?}", char::from(b)),
                ))
            }
        }
    }
}

struct Meta<'r, 'c, 's> {
    sc: Scanner<'r>,
    ctx: ReadContext<'c>,
    sink: &'s mut dyn Sink,
}

type Flow = Result<ControlFlow<()>, SourceError>;

impl Meta<'_, '_, '_> {
    fn malformed(&self, line: u64, reason: String) -> SourceError {
        SourceError::Malformed {
            input: self.ctx.name.to_owned(),
            format: META,
            line,
            reason,
        }
    }

    fn io(&self, e: std::io::Error) -> SourceError {
        SourceError::io(self.ctx.name, e)
    }

    fn scan_err(&self, e: ScanError, line: u64) -> SourceError {
        match e {
            ScanError::Io(e) => self.io(e),
            ScanError::Eof => self.malformed(line, "the input ends inside a value".into()),
        }
    }

    /// An object after its `{`: a response page (its `data` array is streamed) or an ad.
    fn top_object(&mut self, line: u64) -> Flow {
        let mut fields = Map::new();
        let mut first = true;
        let mut size = 0usize;
        loop {
            match self.sc.skip_ws().map_err(|e| self.io(e))? {
                Some(b'}') => {
                    self.sc.advance(1);
                    break;
                }
                Some(b',') if !first => self.sc.advance(1),
                Some(_) if first => {}
                _ => return Err(self.malformed(self.sc.line, "expected `,` or `}`".into())),
            }
            first = false;
            let at = self.sc.line;
            if self.sc.skip_ws().map_err(|e| self.io(e))? != Some(b'"') {
                return Err(self.malformed(at, "expected an object key".into()));
            }
            let cap = self
                .sc
                .capture(MAX_KEY_BYTES)
                .map_err(|e| self.scan_err(e, at))?;
            let key: String = serde_json::from_slice(&cap.bytes)
                .ok()
                .filter(|_| !cap.overlong)
                .ok_or_else(|| self.malformed(at, "invalid object key".into()))?;
            if !self.sc.eat(b':').map_err(|e| self.io(e))? {
                return Err(self.malformed(self.sc.line, format!("expected `:` after {key:?}")));
            }
            if key == "data" && self.sc.skip_ws().map_err(|e| self.io(e))? == Some(b'[') {
                self.sc.advance(1);
                if self.ads_array()?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
                continue;
            }
            let vline = self.sc.line;
            let cap = self
                .sc
                .capture(self.ctx.limits.max_record_bytes)
                .map_err(|e| self.scan_err(e, vline))?;
            size += cap.bytes.len();
            if cap.overlong || size > self.ctx.limits.max_record_bytes {
                // Paging cursors and the like are small; an ad this large is refused below.
                fields.insert("__overlong".into(), Value::Bool(true));
                continue;
            }
            if let Ok(v) = serde_json::from_slice::<Value>(&cap.bytes) {
                fields.insert(key, v);
            }
        }
        if fields.contains_key("__overlong") && is_meta_ad(&fields) {
            return Ok(self.reject(
                line,
                format!(
                    "ad larger than the {}-byte limit (input.max_record_bytes)",
                    self.ctx.limits.max_record_bytes
                ),
                Vec::new(),
            ));
        }
        if is_meta_ad(&fields) {
            let raw = serde_json::to_vec(&fields).unwrap_or_default();
            return Ok(self.emit(line, meta_ad(&fields), raw));
        }
        Ok(ControlFlow::Continue(()))
    }

    /// An array of ads, after its `[`.
    fn ads_array(&mut self) -> Flow {
        let mut first = true;
        loop {
            let line = self.sc.line;
            match self.sc.skip_ws().map_err(|e| self.io(e))? {
                Some(b']') => {
                    self.sc.advance(1);
                    return Ok(ControlFlow::Continue(()));
                }
                Some(b',') if !first => self.sc.advance(1),
                Some(_) if first => {}
                _ => return Err(self.malformed(line, "expected `,` or `]` between ads".into())),
            }
            first = false;
            let at = self.sc.line;
            let cap = self
                .sc
                .capture(self.ctx.limits.max_record_bytes)
                .map_err(|e| self.scan_err(e, at))?;
            let flow = if cap.overlong {
                self.reject(
                    cap.line,
                    format!(
                        "ad larger than the {}-byte limit (input.max_record_bytes)",
                        self.ctx.limits.max_record_bytes
                    ),
                    cap.bytes,
                )
            } else if cap.depth > self.ctx.limits.max_json_depth {
                self.reject(
                    cap.line,
                    format!(
                        "JSON nested deeper than {} levels (input.max_json_depth)",
                        self.ctx.limits.max_json_depth
                    ),
                    cap.bytes,
                )
            } else {
                match serde_json::from_slice::<Value>(&cap.bytes) {
                    Ok(Value::Object(obj)) => {
                        let ad = meta_ad(&obj);
                        self.emit(cap.line, ad, cap.bytes)
                    }
                    Ok(_) => self.reject(cap.line, "an ad must be a JSON object".into(), cap.bytes),
                    Err(e) => self.reject(cap.line, format!("invalid JSON: {e}"), cap.bytes),
                }
            };
            if flow.is_break() {
                return Ok(flow);
            }
        }
    }

    fn emit(&mut self, line: u64, ad: Result<Ad, String>, raw: Vec<u8>) -> ControlFlow<()> {
        let record = ad
            .map(Record::Ad)
            .and_then(|r| self.ctx.check(&r).map(|()| r));
        match record {
            Ok(record) => self.sink.event(Event::Record { line, record }),
            Err(reason) => self.reject(line, reason, raw),
        }
    }

    fn reject(&mut self, line: u64, reason: String, raw: Vec<u8>) -> ControlFlow<()> {
        self.sink
            .event(Event::Rejected(Rejected { line, reason, raw }))
    }
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// `"123"`, `123` or `"1,234.5"` as a number.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.replace([',', ' '], "").parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && *f >= 0.0)
}

/// `{lower_bound, upper_bound}` of Meta's spend and impressions ranges.
fn range(v: Option<&Value>) -> (Option<f64>, Option<f64>) {
    let Some(Value::Object(o)) = v else {
        return (None, None);
    };
    (
        o.get("lower_bound").and_then(number),
        o.get("upper_bound").and_then(number),
    )
}

fn meta_time(obj: &Map<String, Value>, key: &str) -> Result<Option<DateTime<Utc>>, String> {
    match text_of(obj.get(key)) {
        None => Ok(None),
        Some(s) => parse_timestamp(&s).map(Some).ok_or_else(|| {
            format!(
                "unreadable {key} {:?}",
                s.chars().take(40).collect::<String>()
            )
        }),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|x| text_of(Some(x))).collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        _ => Vec::new(),
    }
}

/// The `id` query parameter of an `ad_snapshot_url`, when it is a number.
fn snapshot_id(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("id="))
        .filter(|v| !v.is_empty() && v.len() <= 32 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// Maps one Meta ad object; the reason names the missing or bad field.
fn meta_ad(obj: &Map<String, Value>) -> Result<Ad, String> {
    // 2019 responses have no id field: the archive id is in the snapshot URL (`?id=…`).
    let id = obj
        .get("ad_archive_id")
        .or_else(|| obj.get("id"))
        .and_then(id_of)
        .or_else(|| text_of(obj.get("ad_snapshot_url")).and_then(|u| snapshot_id(&u)))
        .ok_or("missing `ad_archive_id` (or `id`, or an `ad_snapshot_url` with `id=`)")?;
    let page_id = obj
        .get("page_id")
        .and_then(id_of)
        .ok_or("missing `page_id`")?;
    let started_at = meta_time(obj, "ad_delivery_start_time")?
        .or(meta_time(obj, "ad_creation_time")?)
        .ok_or("missing `ad_delivery_start_time`")?;
    let bodies = strings(obj.get("ad_creative_bodies"));
    let bodies = if bodies.is_empty() {
        strings(obj.get("ad_creative_body"))
    } else {
        bodies
    };
    let (spend_min, spend_max) = range(obj.get("spend"));
    let (impressions_min, impressions_max) = range(obj.get("impressions"));
    // `bylines` is the "Paid for by" disclaimer; older responses call it `funding_entity`; EU
    // (DSA) responses name payers and beneficiaries.
    let byline = text_of(obj.get("bylines")).or_else(|| text_of(obj.get("funding_entity")));
    let dsa_payer = match obj.get("beneficiary_payers") {
        Some(Value::Array(list)) => list.iter().find_map(|p| text_of(p.get("payer"))),
        _ => None,
    };
    let urls = strings(obj.get("ad_creative_link_urls"));
    let mut regions = Vec::new();
    let mut countries = Vec::new();
    if let Some(Value::Array(locations)) = obj.get("target_locations") {
        for loc in locations {
            let excluded = loc.get("excluded").and_then(Value::as_bool) == Some(true);
            let (Some(name), false) = (text_of(loc.get("name")), excluded) else {
                continue;
            };
            let kind = text_of(loc.get("type")).unwrap_or_default().to_lowercase();
            if kind.contains("countr") && name.len() == 2 {
                countries.push(name.to_uppercase());
            } else if !kind.contains("countr") {
                regions.push(Value::String(name));
            }
        }
    }
    let ages = match obj.get("target_ages") {
        Some(Value::Array(a)) => {
            let parts: Vec<String> = a.iter().filter_map(|x| text_of(Some(x))).collect();
            (!parts.is_empty()).then(|| parts.join("-"))
        }
        other => text_of(other),
    };
    let genders: Vec<String> = text_of(obj.get("target_gender"))
        .map(|g| g.to_lowercase())
        .filter(|g| g != "all")
        .map(|g| match g.as_str() {
            "women" => "female".to_owned(),
            "men" => "male".to_owned(),
            _ => g,
        })
        .into_iter()
        .collect();
    let mut extra = Map::new();
    extra.insert("political".into(), Value::Bool(true));
    if !regions.is_empty() {
        extra.insert("target_regions".into(), Value::Array(regions));
    }
    for key in [
        "ad_snapshot_url",
        "delivery_by_region",
        "region_distribution",
        "demographic_distribution",
        "ad_creative_link_caption",
        "ad_creative_link_title",
        "publisher_platforms",
        "languages",
        "estimated_audience_size",
        "eu_total_reach",
    ] {
        if let Some(v) = obj.get(key) {
            extra.insert(key.into(), v.clone());
        }
    }
    Ok(Ad {
        id,
        platform: "meta".into(),
        page_id,
        page_name: text_of(obj.get("page_name")).unwrap_or_default(),
        started_at,
        text: bodies.join("\n"),
        payer: dsa_payer.or_else(|| byline.clone()),
        payer_country: None,
        ended_at: meta_time(obj, "ad_delivery_stop_time")?,
        spend_min,
        spend_max,
        currency: text_of(obj.get("currency")),
        impressions_min: impressions_min.map(|v| v as u64),
        impressions_max: impressions_max.map(|v| v as u64),
        target_countries: countries,
        target_ages: ages,
        target_genders: genders,
        url: urls.into_iter().next(),
        disclaimer: byline,
        extra,
    })
}

/// Google political-ads transparency report, `creative-stats` CSV.
pub fn read_google(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_rows(
        r,
        ctx,
        b',',
        |row, out| {
            out.push(Record::Ad(google_ad(row)?));
            Ok(())
        },
        sink,
    )
}

fn google_time(row: &Row<'_>, col: &str) -> Result<Option<DateTime<Utc>>, String> {
    match row.opt(col) {
        None => Ok(None),
        Some(v) => parse_timestamp(v)
            .map(Some)
            .ok_or_else(|| format!("unreadable {col} {v:?}")),
    }
}

/// Google's impression buckets (`≤ 10k`, `10k-100k`, `100k-1M`, `1M-10M`, `> 10M`).
fn impression_bucket(raw: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let amount = |s: &str| -> Option<u64> {
        let s = s.trim().to_lowercase();
        let (digits, mult) = if let Some(d) = s.strip_suffix('k') {
            (d, 1_000)
        } else if let Some(d) = s.strip_suffix('m') {
            (d, 1_000_000)
        } else {
            (s.as_str(), 1)
        };
        digits
            .trim()
            .parse::<u64>()
            .ok()
            .map(|n| n.saturating_mul(mult))
    };
    let t = raw.trim();
    if t.is_empty() {
        return Ok((None, None));
    }
    let bad = || format!("unreadable Impressions bucket {t:?}");
    if let Some(rest) = t.strip_prefix('≤').or_else(|| t.strip_prefix("<=")) {
        return Ok((Some(0), Some(amount(rest).ok_or_else(bad)?)));
    }
    if let Some(rest) = t.strip_prefix('>') {
        return Ok((Some(amount(rest).ok_or_else(bad)?), None));
    }
    match t.split_once('-') {
        Some((lo, hi)) => Ok((
            Some(amount(lo).ok_or_else(bad)?),
            Some(amount(hi).ok_or_else(bad)?),
        )),
        None => Err(bad()),
    }
}

fn google_ad(row: &Row<'_>) -> Result<Ad, String> {
    let started_at = google_time(row, "first_served_timestamp")?
        .or(google_time(row, "date_range_start")?)
        .ok_or("missing required column value `date_range_start`")?;
    let ended_at =
        google_time(row, "last_served_timestamp")?.or(google_time(row, "date_range_end")?);
    let advertiser = row.required("advertiser_name")?.to_owned();
    // Spend: the euro columns where the report has them, else dollars.
    let money = |col: &str| -> Result<Option<f64>, String> {
        match row.opt(col) {
            None => Ok(None),
            Some(v) => v
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(Some)
                .ok_or_else(|| format!("column `{col}`: {v:?} is not an amount")),
        }
    };
    let (spend_min, spend_max, currency) =
        match (money("spend_range_min_eur")?, money("spend_range_max_eur")?) {
            (None, None) => (
                money("spend_range_min_usd")?,
                money("spend_range_max_usd")?,
                "USD",
            ),
            (lo, hi) => (lo, hi, "EUR"),
        };
    let (impressions_min, impressions_max) = impression_bucket(row.get("impressions"))?;
    let targeted = |col: &str| {
        row.opt(col)
            .filter(|v| !v.eq_ignore_ascii_case("not targeted"))
    };
    // "18-24, 25-34" → the covered range "18-34".
    let ages = targeted("age_targeting").and_then(|v| {
        let nums: Vec<u32> = v
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        let lo = nums.iter().min()?;
        let hi = nums.iter().max()?;
        Some(if v.contains('+') && !v.contains('-') {
            format!("{lo}+")
        } else {
            format!("{lo}-{hi}")
        })
    });
    let genders: Vec<String> = targeted("gender_targeting")
        .map(|v| {
            v.split(',')
                .map(|g| g.trim().to_lowercase())
                .filter(|g| !g.is_empty() && !g.contains("unknown"))
                .collect()
        })
        .unwrap_or_default();
    let countries: Vec<String> = row
        .get("regions")
        .split(',')
        .map(|r| r.trim().to_uppercase())
        .filter(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) && r != "EU")
        .collect();
    let mut extra = Map::new();
    extra.insert("political".into(), Value::Bool(true));
    for (col, key) in [
        ("ad_url", "ad_snapshot_url"),
        ("ad_type", "ad_type"),
        ("regions", "regions"),
        ("geo_targeting_included", "geo_targeting_included"),
        ("geo_targeting_excluded", "geo_targeting_excluded"),
        ("ad_campaigns_list", "campaigns"),
    ] {
        if let Some(v) = row.opt(col) {
            extra.insert(key.into(), Value::from(v));
        }
    }
    Ok(Ad {
        id: row.required("ad_id")?.to_owned(),
        platform: "google".into(),
        page_id: row.required("advertiser_id")?.to_owned(),
        page_name: advertiser.clone(),
        started_at,
        // The report carries no creative text.
        text: String::new(),
        payer: Some(advertiser.clone()),
        payer_country: None,
        ended_at,
        spend_min,
        spend_max,
        currency: Some(currency.into()),
        impressions_min,
        impressions_max,
        target_countries: countries,
        target_ages: ages,
        target_genders: genders,
        url: None,
        // Election ads on Google always show the verified advertiser ("Paid for by").
        disclaimer: Some(advertiser),
        extra,
    })
}

#[cfg(test)]
mod tests;
