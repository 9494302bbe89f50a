//! Generic CSV through a `[[input.csv]]` column mapping.
//!
//! Each row becomes a JSON object shaped like a native JSONL line (SPEC §2): mapped cells are
//! converted by field type (times to RFC 3339, counts to integers, list cells split), then the
//! object goes through the same serde model as native input, so a missing required field or a bad
//! value is reported in the same words, plus the CSV column it came from.

use crate::csv_rows::{read_rows, Row};
use crate::{ReadContext, Sink, SourceError};
use chrono::SecondsFormat;
use serde_json::{Map, Value};
use std::io::BufRead;
use vigie_core::config::CsvMapping;
use vigie_core::{Kind, Record};
use vigie_normalise::time::{parse_timestamp, parse_with_format};
use vigie_normalise::urls::{host, normalise_domain, registrable_domain};

/// How a cell is turned into a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldType {
    Text,
    /// Text that may legitimately be empty (a photo post has no text): an empty cell is `""`.
    TextOrEmpty,
    Time,
    Count,
    Float,
    Bool,
    List,
    Json,
}

fn field_type(field: &str) -> FieldType {
    match field {
        "text" | "title" => FieldType::TextOrEmpty,
        "created_at" | "published_at" | "started_at" | "ended_at" | "first_seen"
        | "registered_at" => FieldType::Time,
        "followers" | "following" | "posts_count" | "impressions_min" | "impressions_max"
        | "likes" | "reposts" | "replies" | "views" => FieldType::Count,
        "spend_min" | "spend_max" => FieldType::Float,
        "verified" | "authentic" => FieldType::Bool,
        "urls" | "hashtags" | "mentions" | "nameservers" | "ips" | "target_countries"
        | "target_genders" => FieldType::List,
        "c2pa" => FieldType::Json,
        _ => FieldType::Text,
    }
}

/// Post metrics may be mapped as `likes` or `metrics.likes`; both land in the `metrics` object.
fn metric_name(field: &str) -> Option<&str> {
    let name = field.strip_prefix("metrics.").unwrap_or(field);
    matches!(name, "likes" | "reposts" | "replies" | "views").then_some(name)
}

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    m: &CsvMapping,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let malformed = |reason: String| SourceError::Malformed {
        input: ctx.name.to_owned(),
        format: "mapped CSV",
        line: 0,
        reason,
    };
    let kind = Kind::parse(m.kind.trim().to_ascii_lowercase().as_str()).ok_or_else(|| {
        malformed(format!(
            "mapping {:?}: unknown record kind {:?} (expected post, account, article, domain, ad or media)",
            m.name, m.kind
        ))
    })?;
    let delimiter = match m.delimiter {
        None => b',',
        Some(c) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => c as u8,
        Some(c) => {
            return Err(malformed(format!(
                "mapping {:?}: unusable delimiter {c:?}",
                m.name
            )))
        }
    };
    // Header names are matched lower-cased (csv_rows lower-cases the header row).
    let columns: Vec<(&str, String)> = m
        .columns
        .iter()
        .map(|(field, col)| (field.as_str(), col.trim().to_lowercase()))
        .collect();
    read_rows(
        r,
        ctx,
        delimiter,
        |row, out| {
            out.push(map_row(row, kind, m, &columns)?);
            Ok(())
        },
        sink,
    )
}

fn map_row(
    row: &Row<'_>,
    kind: Kind,
    m: &CsvMapping,
    columns: &[(&str, String)],
) -> Result<Record, String> {
    let mut obj = Map::new();
    let mut metrics = Map::new();
    obj.insert("kind".into(), Value::from(kind.as_str()));
    if let Some(p) = m.platform.as_deref().filter(|p| !p.trim().is_empty()) {
        obj.insert("platform".into(), Value::from(p.trim()));
    }
    for (field, col) in columns {
        let ty = field_type(metric_name(field).unwrap_or(field));
        let cell = row.get(col);
        if cell.is_empty() && ty != FieldType::TextOrEmpty {
            // Absent: optional fields stay absent, required ones are reported by serde below.
            continue;
        }
        let value = convert(cell, ty, m.time_format.as_deref())
            .map_err(|why| format!("column `{col}` (field `{field}`): {why}"))?;
        match metric_name(field).filter(|_| kind == Kind::Post) {
            Some(name) => {
                metrics.insert(name.into(), value);
            }
            None => {
                let value = match (kind, *field) {
                    (Kind::Domain, "domain") => {
                        Value::from(normalise_domain(cell).ok_or_else(|| {
                            format!(
                                "column `{col}` (field `domain`): {cell:?} is not a domain name"
                            )
                        })?)
                    }
                    _ => value,
                };
                obj.insert((*field).to_owned(), value);
            }
        }
    }
    if !metrics.is_empty() {
        obj.insert("metrics".into(), Value::Object(metrics));
    }
    // An article's site is its registrable domain (SPEC §2): derive it when no column gives it.
    if kind == Kind::Article && !obj.contains_key("site") {
        if let Some(site) = obj
            .get("url")
            .and_then(Value::as_str)
            .and_then(host)
            .map(|h| registrable_domain(&h).unwrap_or(h))
        {
            obj.insert("site".into(), Value::from(site));
        }
    }
    serde_json::from_value::<Record>(Value::Object(obj)).map_err(|e| explain(e, columns))
}

fn convert(cell: &str, ty: FieldType, time_format: Option<&str>) -> Result<Value, String> {
    let shown = || cell.chars().take(60).collect::<String>();
    Ok(match ty {
        FieldType::Text | FieldType::TextOrEmpty => Value::from(cell),
        FieldType::Time => {
            let t = match time_format {
                Some(fmt) => parse_with_format(cell, fmt).or_else(|| parse_timestamp(cell)),
                None => parse_timestamp(cell),
            }
            .ok_or_else(|| format!("unreadable time {:?}", shown()))?;
            Value::from(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        FieldType::Count => {
            let cleaned: String = cell
                .chars()
                .filter(|c| !matches!(c, ',' | '_' | ' '))
                .collect();
            let n = cleaned
                .parse::<u64>()
                .ok()
                .or_else(|| {
                    cleaned
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1.8e19)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| format!("{:?} is not a count", shown()))?;
            Value::from(n)
        }
        FieldType::Float => {
            let f = cell
                .replace([',', '_', ' '], "")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| format!("{:?} is not a number", shown()))?;
            Value::from(f)
        }
        FieldType::Bool => Value::from(match cell.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "t" => true,
            "false" | "0" | "no" | "n" | "f" => false,
            _ => return Err(format!("{:?} is not true/false", shown())),
        }),
        FieldType::List => Value::from(split_list(cell)),
        FieldType::Json => serde_json::from_str(cell).map_err(|e| format!("invalid JSON: {e}"))?,
    })
}

/// `a,b`, `a; b`, `a|b`, `[a, b]`, `['#a', "@b"]`: items trimmed, unquoted; `#`/`@` prefixes
/// dropped, as hashtags and mentions are stored without them.
fn split_list(cell: &str) -> Vec<String> {
    let inner = cell.trim();
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .split([',', ';', '|'])
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').trim())
        .map(|s| s.strip_prefix(['#', '@']).unwrap_or(s))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// serde's message, with the CSV column behind the field when there is one.
fn explain(e: serde_json::Error, columns: &[(&str, String)]) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map(|(head, _)| head.to_owned())
        .unwrap_or(msg);
    if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(f, _)| f)
    {
        return match columns.iter().find(|(f, _)| *f == field) {
            Some((_, col)) => format!("missing required value: column `{col}` (field `{field}`) is empty"),
            None => format!("missing required field `{field}`: no column is mapped to it in the [[input.csv]] mapping"),
        };
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::rejections;
    use crate::Event;
    use std::ops::ControlFlow;
    use vigie_core::config::InputConfig;

    fn mapping(kind: &str, cols: &[(&str, &str)]) -> CsvMapping {
        CsvMapping {
            name: "test".into(),
            kind: kind.into(),
            platform: Some("facebook".into()),
            columns: cols
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
            time_format: None,
            delimiter: None,
        }
    }

    fn events(data: &str, m: &CsvMapping) -> Result<Vec<Event>, SourceError> {
        let limits = InputConfig::default();
        let mut out = Vec::new();
        read(
            &mut std::io::Cursor::new(data.as_bytes()),
            ReadContext::new("mapped.csv", &limits),
            m,
            &mut |e| {
                out.push(e);
                ControlFlow::Continue(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn posts_are_built_from_mapped_columns_with_types() {
        let m = mapping(
            "post",
            &[
                ("id", "Post ID"),
                ("author", "Page"),
                ("created_at", "Posted"),
                ("text", "Message"),
                ("urls", "Links"),
                ("hashtags", "Tags"),
                ("likes", "Likes"),
                ("metrics.views", "Views"),
                ("reply_to", "Parent"),
            ],
        );
        let data = "Post ID,Page,Posted,Message,Links,Tags,Likes,Views,Parent,Ignored\n\
p1,page9,2024-06-01 10:00:00,\"Votez, votez\",\"https://a.fr/x; https://b.fr/y\",[#europe|#vote],\"1,234\",10,,zzz\n\
p2,page9,1717236000,,,,,,p1,\n\
p3,,2024-06-01T10:00:00Z,no author,,,,,,\n\
p4,page9,demain,bad time,,,,,,\n\
p5,page9,2024-06-01,bad count,,,many,,,\n";
        let ev = events(data, &m).unwrap();
        let posts: Vec<(u64, &vigie_core::Post)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    line,
                    record: Record::Post(p),
                } => Some((*line, p)),
                _ => None,
            })
            .collect();
        assert_eq!(posts.len(), 2, "{ev:?}");
        let (line, p) = posts[0];
        assert_eq!(line, 2);
        assert_eq!(
            (p.id.as_str(), p.platform.as_str(), p.author.as_str()),
            ("p1", "facebook", "page9")
        );
        assert_eq!(p.created_at.to_rfc3339(), "2024-06-01T10:00:00+00:00");
        assert_eq!(p.text, "Votez, votez");
        assert_eq!(p.urls, vec!["https://a.fr/x", "https://b.fr/y"]);
        assert_eq!(p.hashtags, vec!["europe", "vote"]);
        let metrics = p.metrics.clone().unwrap_or_default();
        assert_eq!((metrics.likes, metrics.views), (Some(1234), Some(10)));
        assert!(p.extra.is_empty(), "{:?}", p.extra);
        let (_, p2) = posts[1];
        assert_eq!(p2.text, "", "an empty mapped text is an empty post text");
        assert_eq!(p2.created_at.to_rfc3339(), "2024-06-01T10:00:00+00:00");
        assert_eq!(p2.reply_to.as_deref(), Some("p1"));
        let rej = rejections(&ev);
        assert_eq!(rej.iter().map(|r| r.0).collect::<Vec<_>>(), vec![4, 5, 6]);
        assert_eq!(
            rej[0].1,
            "missing required value: column `page` (field `author`) is empty"
        );
        assert_eq!(
            rej[1].1,
            "column `posted` (field `created_at`): unreadable time \"demain\""
        );
        assert_eq!(
            rej[2].1,
            "column `likes` (field `likes`): \"many\" is not a count"
        );
    }

    #[test]
    fn time_format_delimiter_and_other_kinds() {
        let mut m = mapping(
            "article",
            &[
                ("url", "lien"),
                ("published_at", "date"),
                ("title", "titre"),
                ("text", "corps"),
            ],
        );
        m.time_format = Some("%d/%m/%Y %Hh%M".into());
        m.delimiter = Some(';');
        let data = "lien;date;titre;corps\nhttps://www.lemonde-fr.ltd/a;09/06/2024 20h05;T;B\n";
        let ev = events(data, &m).unwrap();
        let Some(Event::Record {
            record: Record::Article(a),
            ..
        }) = ev.first()
        else {
            panic!("{ev:?}")
        };
        assert_eq!(a.site, "lemonde-fr.ltd");
        assert_eq!(a.published_at.to_rfc3339(), "2024-06-09T20:05:00+00:00");

        let m = mapping(
            "account",
            &[
                ("id", "uid"),
                ("handle", "name"),
                ("verified", "blue"),
                ("followers", "fans"),
            ],
        );
        let ev = events(
            "uid,name,blue,fans\n1,bob,yes,12\n2,,no,1\n3,carol,maybe,1\n",
            &m,
        )
        .unwrap();
        let Some(Event::Record {
            record: Record::Account(a),
            ..
        }) = ev.first()
        else {
            panic!("{ev:?}")
        };
        assert!(a.verified);
        assert_eq!(a.followers, Some(12));
        let rej = rejections(&ev);
        assert_eq!(rej.iter().map(|r| r.0).collect::<Vec<_>>(), vec![3, 4]);
        assert!(
            rej[1].1.contains("\"maybe\" is not true/false"),
            "{}",
            rej[1].1
        );

        // A mapping that never gives a required field names the mapping as the problem.
        let m = mapping("domain", &[("first_seen", "seen")]);
        let ev = events("seen\n2024-06-01\n", &m).unwrap();
        assert_eq!(
            rejections(&ev)[0].1,
            "missing required field `domain`: no column is mapped to it in the [[input.csv]] mapping"
        );
        let m = mapping("domain", &[("domain", "d")]);
        let ev = events("d\nLeMonde.FR.\nnot a domain\n", &m).unwrap();
        assert!(
            matches!(&ev[0], Event::Record { record: Record::Domain(d), .. } if d.domain == "lemonde.fr")
        );
        assert!(rejections(&ev)[0].1.contains("is not a domain name"));
    }

    #[test]
    fn a_bad_mapping_is_an_error_not_a_flood_of_rejections() {
        let m = mapping("tweet", &[("id", "id")]);
        let err = events("id\n1\n", &m).unwrap_err().to_string();
        assert!(err.contains("unknown record kind \"tweet\""), "{err}");
        let mut m = mapping("post", &[("id", "id")]);
        m.delimiter = Some('é');
        assert!(events("id\n1\n", &m).is_err());
    }
}
