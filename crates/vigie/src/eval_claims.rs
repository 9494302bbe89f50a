//! `vigie eval --real claims`: `electoral_process` on real claims (not a test; needs the data in
//! `../shared/data/claims`, skipped with a message when absent).
//!
//! - Recall on the Brazilian electoral court's debunks (TSE "Fato ou Boato", 2018–2022), with
//!   the 2018, 2020 and 2022 Brazilian elections configured. The subset: the titles that state
//!   the rumour after a debunk frame ("É falso que …", "É mentira que …", "Não é verdade que …"),
//!   so that the rumour can be read as the claim itself, and whose rumour is about the voting
//!   date, hours, method, eligibility, polling place or cancellation — picked by hand from the
//!   74 framed titles and listed in [`TSE_PROCEDURE_IDS`]. The rumour is dated by the debunk.
//! - False-positive rate on LIAR statements of subject `elections` labelled `true` (and,
//!   separately, `mostly-true`), with the 2016 US general election configured.

use std::path::Path;
use vigie_core::Config;
use vigie_detect::detectors::electoral_process::ElectoralProcess;

pub const CLAIMS_DIR: &str = "../shared/data/claims";

/// Framed TSE debunks whose rumour concerns voting procedure or dates (hand-labelled).
pub const TSE_PROCEDURE_IDS: [&str; 12] = [
    "S0009", // new presidential election set for 11 January 2023
    "S0029", // poll workers may vote on behalf of a voter
    "S0111", // supporters of a candidate need not vote in the second round
    "S0158", // supporters of rival candidates vote on separate days
    "S0188", // phones and the e-Título app banned on election day
    "S0303", // voters under 60 cannot vote from 7h to 10h
    "S0304", // online voting announced for the 2020 elections
    "S0308", // polling stations moved
    "S0310", // people with Covid-19 cannot vote
    "S0315", // voters without a pen cannot vote
    "S0320", // votes not counted without the voting receipt
    "S0331", // elections annulled in Tocantins
];

const BRAZIL: &str = r#"
[[election]]
name = "Brazil general election 2018"
country = "BR"
timezone = "America/Sao_Paulo"
voting_days = ["2018-10-07", "2018-10-28"]
polls_open = "08:00"
polls_close = "17:00"
methods = ["in_person"]

[[election]]
name = "Brazil municipal election 2020"
country = "BR"
timezone = "America/Sao_Paulo"
voting_days = ["2020-11-15", "2020-11-29"]
polls_open = "07:00"
polls_close = "17:00"
methods = ["in_person"]

[[election]]
name = "Brazil general election 2022"
country = "BR"
timezone = "America/Sao_Paulo"
voting_days = ["2022-10-02", "2022-10-30"]
polls_open = "08:00"
polls_close = "17:00"
methods = ["in_person"]
"#;

/// LIAR statements are undated (2007–2016); they are read as posted a month before the 2016
/// general election. Poll hours vary by state, so none are configured.
const US_2016: &str = r#"
[[election]]
name = "US general election 2016"
country = "US"
timezone = "America/New_York"
voting_days = ["2016-11-08"]
methods = ["in_person", "postal"]
"#;

#[derive(Debug, Clone, serde::Serialize)]
pub struct ClaimResult {
    pub id: String,
    pub text: String,
    pub flagged: bool,
    pub claimed: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RealClaimsReport {
    pub tse_rows: usize,
    pub tse_framed: usize,
    pub tse_selected: Vec<ClaimResult>,
    pub tse_recall: f64,
    pub liar_true: usize,
    pub liar_true_flagged: Vec<ClaimResult>,
    pub liar_true_fp_rate: f64,
    pub liar_mostly_true: usize,
    pub liar_mostly_true_flagged: Vec<ClaimResult>,
    pub liar_mostly_true_fp_rate: f64,
}

/// The rumour stated after a debunk frame, if the title has one.
pub fn strip_debunk_frame(title: &str) -> Option<&str> {
    const FRAMES: [&str; 12] = [
        "é falso que ",
        "é mentira que ",
        "não é verdade que ",
        "é falsa a informação de que ",
        "é falsa a informação que ",
        "é falsa a afirmação de que ",
        "é falsa a alegação de que ",
        "é falsa a notícia de que ",
        "boato: é falso que ",
        "é boato que ",
        "é fake que ",
        "é falso o boato de que ",
    ];
    let t = title.trim();
    let lower = t.to_lowercase();
    FRAMES.iter().find_map(|f| {
        lower
            .starts_with(f)
            .then(|| t.get(f.len()..))
            .flatten()
            // to_lowercase keeps byte lengths for these Portuguese frames
            .map(str::trim)
    })
}

fn judge(
    d: &ElectoralProcess,
    id: &str,
    text: &str,
    lang: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> ClaimResult {
    let folded = vigie_normalise::text::fold(text);
    let findings = d.findings(&folded, Some(lang), at);
    ClaimResult {
        id: id.to_owned(),
        text: text.to_owned(),
        flagged: !findings.is_empty(),
        claimed: findings.into_iter().map(|f| f.claimed).collect(),
    }
}

fn noon(date: &str, tz: chrono_tz::Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    tz.from_local_datetime(&d.and_hms_opt(12, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Runs both measurements; `None` when the data folder is absent.
pub fn evaluate(dir: &Path) -> anyhow::Result<Option<RealClaimsReport>> {
    let tse = dir.join("tse_fato_ou_boato_urnas_2018_2022.csv");
    if !tse.exists() {
        return Ok(None);
    }
    let brazil = ElectoralProcess::new(&Config::from_toml(BRAZIL, "brazil")?)?;
    let mut rows = 0;
    let mut framed = 0;
    let mut selected = Vec::new();
    let mut reader = csv::Reader::from_path(&tse)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_id), Some(c_title), Some(c_date)) = (col("ID"), col("Title"), col("Date")) else {
        anyhow::bail!("{}: expected ID, Title and Date columns", tse.display());
    };
    for record in reader.records() {
        let record = record?;
        rows += 1;
        let (id, title, date) = (
            record.get(c_id).unwrap_or(""),
            record.get(c_title).unwrap_or(""),
            record.get(c_date).unwrap_or(""),
        );
        let Some(rumour) = strip_debunk_frame(title) else {
            continue;
        };
        framed += 1;
        if !TSE_PROCEDURE_IDS.contains(&id) {
            continue;
        }
        let Some(at) = noon(date, chrono_tz::America::Sao_Paulo) else {
            continue;
        };
        selected.push(judge(&brazil, id, rumour, "pt", at));
    }
    let us = ElectoralProcess::new(&Config::from_toml(US_2016, "us")?)?;
    let at = noon("2016-10-08", chrono_tz::America::New_York)
        .ok_or_else(|| anyhow::anyhow!("bad fixed date"))?;
    let (mut n_true, mut n_mostly) = (0, 0);
    let (mut fp_true, mut fp_mostly) = (Vec::new(), Vec::new());
    for split in ["train", "valid", "test"] {
        let path = dir.join(format!("liar_{split}.tsv"));
        if !path.exists() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .has_headers(false)
            .quoting(false)
            .flexible(true)
            .from_path(&path)?;
        for record in reader.records() {
            let record = record?;
            let (id, label, statement, subjects) = (
                record.get(0).unwrap_or(""),
                record.get(1).unwrap_or(""),
                record.get(2).unwrap_or(""),
                record.get(3).unwrap_or(""),
            );
            if !subjects.split(',').any(|s| s.trim() == "elections") {
                continue;
            }
            let (count, flagged) = match label {
                "true" => (&mut n_true, &mut fp_true),
                "mostly-true" => (&mut n_mostly, &mut fp_mostly),
                _ => continue,
            };
            *count += 1;
            let r = judge(&us, id, statement, "en", at);
            if r.flagged {
                flagged.push(r);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let hit = selected.iter().filter(|r| r.flagged).count();
    Ok(Some(RealClaimsReport {
        tse_rows: rows,
        tse_framed: framed,
        tse_recall: ratio(hit, selected.len()),
        tse_selected: selected,
        liar_true_fp_rate: ratio(fp_true.len(), n_true),
        liar_true: n_true,
        liar_true_flagged: fp_true,
        liar_mostly_true_fp_rate: ratio(fp_mostly.len(), n_mostly),
        liar_mostly_true: n_mostly,
        liar_mostly_true_flagged: fp_mostly,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debunk_frames_give_the_rumour() {
        assert_eq!(
            strip_debunk_frame("É falso que quem tiver Covid-19 não poderá votar"),
            Some("quem tiver Covid-19 não poderá votar")
        );
        assert_eq!(
            strip_debunk_frame("Urna não desbloqueia candidato secreto"),
            None
        );
    }

    #[test]
    fn real_claims_meet_their_floor() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(CLAIMS_DIR);
        let Some(r) = evaluate(&dir).unwrap() else {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        };
        assert_eq!(r.tse_selected.len(), TSE_PROCEDURE_IDS.len());
        assert!(r.tse_recall >= 0.75, "{:#?}", r.tse_selected);
        assert!(r.liar_true > 50);
        assert!(r.liar_true_fp_rate <= 0.05, "{:#?}", r.liar_true_flagged);
    }
}
