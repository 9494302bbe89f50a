//! HTML helpers shared by the dashboard and the case report: escaping (everything an adversary
//! may have written goes through [`esc`]) and charts drawn as inline SVG, so pages need no script
//! library and no network.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment or query value.
pub fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Colours for series, by position (colour-blind friendly Okabe–Ito palette).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// Time buckets: day when the span exceeds three days, else hour.
pub fn bucket_of(first: DateTime<Utc>, last: DateTime<Utc>) -> i64 {
    if (last - first).num_hours() > 72 {
        86_400
    } else {
        3_600
    }
}

/// Counts per series per time bucket.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Series {
    /// Bucket width in seconds.
    pub bucket_seconds: i64,
    /// Bucket starts (Unix seconds), ascending, with no gaps.
    pub buckets: Vec<i64>,
    /// (series name, counts per bucket).
    pub series: Vec<(String, Vec<u64>)>,
}

impl Series {
    /// Builds series from (name, time) events; `bucket` in seconds.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = (&'a str, DateTime<Utc>)>,
        bucket: i64,
    ) -> Series {
        let events: Vec<(&str, i64)> = events
            .into_iter()
            .map(|(name, t)| (name, t.timestamp()))
            .collect();
        let (Some(first), Some(last)) = (
            events.iter().map(|e| e.1).min(),
            events.iter().map(|e| e.1).max(),
        ) else {
            return Series {
                bucket_seconds: bucket.max(1),
                ..Series::default()
            };
        };
        // Hostile or missing timestamps (1970) can span centuries: widen the buckets, by whole
        // days, until at most `MAX_BUCKETS` cover every event, so no event falls off the chart.
        const MAX_BUCKETS: i64 = 2_000;
        let mut bucket = bucket.max(1);
        let span = last.saturating_sub(first);
        if span / bucket >= MAX_BUCKETS {
            let days = span / MAX_BUCKETS / 86_400 + 1;
            bucket = days.saturating_mul(86_400);
        }
        let mut counts: BTreeMap<String, BTreeMap<i64, u64>> = BTreeMap::new();
        for (name, t) in &events {
            let b = t.div_euclid(bucket) * bucket;
            *counts
                .entry((*name).to_owned())
                .or_default()
                .entry(b)
                .or_default() += 1;
        }
        let lo = first.div_euclid(bucket) * bucket;
        let hi = last.div_euclid(bucket) * bucket;
        let n = (hi - lo) / bucket + 1;
        let buckets: Vec<i64> = (0..n).map(|i| lo + i * bucket).collect();
        let series = counts
            .into_iter()
            .map(|(name, m)| {
                let v = buckets
                    .iter()
                    .map(|b| m.get(b).copied().unwrap_or(0))
                    .collect();
                (name, v)
            })
            .collect();
        Series {
            bucket_seconds: bucket,
            buckets,
            series,
        }
    }

    /// A stacked bar chart with a legend, as inline SVG.
    pub fn svg(&self, width: u32, height: u32, title: &str) -> String {
        let mut out = format!(
            "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
            esc(title)
        );
        let n = self.buckets.len();
        if n == 0 {
            out.push_str("<text x=\"10\" y=\"20\">no data</text></svg>");
            return out;
        }
        let totals: Vec<u64> = (0..n)
            .map(|i| self.series.iter().map(|(_, v)| v[i]).sum())
            .collect();
        let max = totals.iter().copied().max().unwrap_or(1).max(1) as f64;
        let (left, top, bottom) = (40.0, 10.0, 40.0);
        let plot_w = width as f64 - left - 10.0;
        let plot_h = height as f64 - top - bottom;
        let bw = plot_w / n as f64;
        out.push_str(&format!(
            "<text x=\"2\" y=\"{:.0}\" class=\"axis\">{}</text><text x=\"2\" y=\"{:.0}\" class=\"axis\">0</text>",
            top + 8.0,
            max as u64,
            top + plot_h
        ));
        for i in 0..n {
            let mut y = top + plot_h;
            for (s, (name, v)) in self.series.iter().enumerate() {
                if v[i] == 0 {
                    continue;
                }
                let h = v[i] as f64 / max * plot_h;
                y -= h;
                let when = DateTime::<Utc>::from_timestamp(self.buckets[i], 0)
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                out.push_str(&format!(
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                    left + i as f64 * bw,
                    (bw - 1.0).max(0.5),
                    PALETTE[s % PALETTE.len()],
                    esc(name),
                    when,
                    v[i]
                ));
            }
        }
        for (i, label) in [(0, self.buckets[0]), (n - 1, self.buckets[n - 1])] {
            let fmt = if self.bucket_seconds >= 86_400 {
                "%Y-%m-%d"
            } else {
                "%m-%d %H:00"
            };
            let text = DateTime::<Utc>::from_timestamp(label, 0)
                .map(|t| t.format(fmt).to_string())
                .unwrap_or_default();
            let anchor = if i == 0 { "start" } else { "end" };
            let x = if i == 0 { left } else { left + plot_w };
            out.push_str(&format!(
                "<text x=\"{x:.0}\" y=\"{:.0}\" text-anchor=\"{anchor}\" class=\"axis\">{text}</text>",
                top + plot_h + 14.0
            ));
        }
        let mut x = left;
        for (s, (name, _)) in self.series.iter().enumerate() {
            out.push_str(&format!(
                "<rect x=\"{x:.0}\" y=\"{:.0}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.0}\" y=\"{:.0}\" class=\"legend\">{}</text>",
                height as f64 - 14.0,
                PALETTE[s % PALETTE.len()],
                x + 14.0,
                height as f64 - 5.0,
                esc(name)
            ));
            x += 24.0 + 7.0 * name.chars().count().min(30) as f64;
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script>\"&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"
        );
        assert_eq!(url_part("a b/é"), "a%20b%2F%C3%A9");
    }

    #[test]
    fn series_fill_gaps_and_widen_buckets_over_hostile_spans() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let s = Series::from_events(
            [
                ("a", t("2024-06-01T10:00:00Z")),
                ("b", t("2024-06-03T10:00:00Z")),
            ],
            86_400,
        );
        assert_eq!(s.buckets.len(), 3);
        assert_eq!(s.series[0], ("a".to_string(), vec![1, 0, 0]));
        let wide = Series::from_events(
            [
                ("a", t("1970-01-01T00:00:00Z")),
                ("a", t("2200-01-01T00:00:00Z")),
            ],
            3_600,
        );
        // Wider buckets, not lost events: both ends of the span are still counted.
        assert!(wide.buckets.len() <= 2_000, "{}", wide.buckets.len());
        assert_eq!(wide.bucket_seconds % 86_400, 0);
        assert_eq!(wide.series[0].1.iter().sum::<u64>(), 2);
        assert_eq!(wide.series[0].1.first(), Some(&1));
        assert_eq!(wide.series[0].1.last(), Some(&1));
        assert!(wide
            .svg(300, 100, "<t>")
            .contains("aria-label=\"&lt;t&gt;\""));
    }
}
