//! CSV of alerts and of incidents, for spreadsheets. Cells an adversary wrote could start with a
//! formula (`=HYPERLINK(...)`), which spreadsheets run: such cells are prefixed with `'`.

use crate::incidents::Incident;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use vigie_core::Alert;
use vigie_store::IncidentState;

/// Neutralises spreadsheet formulas (OWASP's CSV injection advice).
pub fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

fn list(v: &[String]) -> String {
    v.join(";")
}

pub fn write_alerts(
    w: impl Write,
    alerts: &[Alert],
    incidents: &[Incident],
) -> Result<(), csv::Error> {
    let incident_of: HashMap<&str, &str> = incidents
        .iter()
        .flat_map(|i| i.alerts.iter().map(move |a| (a.as_str(), i.id.as_str())))
        .collect();
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "id",
        "incident",
        "detector",
        "modus_operandi",
        "disarm",
        "severity",
        "score",
        "title",
        "summary",
        "first_seen",
        "last_seen",
        "items",
        "accounts",
        "domains",
        "urls",
    ])?;
    for a in alerts {
        let modus = serde_json::to_value(a.modus_operandi)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.write_record([
            cell(&a.id),
            incident_of
                .get(a.id.as_str())
                .copied()
                .unwrap_or("")
                .to_owned(),
            cell(&a.detector),
            modus,
            list(&a.disarm),
            a.severity.as_str().to_owned(),
            format!("{:.4}", a.score),
            cell(&a.title),
            cell(&a.summary),
            a.first_seen.to_rfc3339(),
            a.last_seen.to_rfc3339(),
            a.evidence.items.len().to_string(),
            cell(&list(&a.evidence.accounts)),
            cell(&list(&a.evidence.domains)),
            cell(&list(&a.evidence.urls)),
        ])?;
    }
    out.flush()?;
    Ok(())
}

pub fn write_incidents(
    w: impl Write,
    incidents: &[Incident],
    states: &BTreeMap<String, IncidentState>,
) -> Result<(), csv::Error> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "id",
        "status",
        "severity",
        "score",
        "title",
        "summary",
        "first_seen",
        "last_seen",
        "detectors",
        "disarm",
        "alerts",
        "items",
        "accounts",
        "domains",
    ])?;
    for i in incidents {
        out.write_record([
            i.id.clone(),
            states
                .get(&i.id)
                .map(|s| s.status.clone())
                .unwrap_or_else(|| "new".into()),
            i.severity.as_str().to_owned(),
            format!("{:.4}", i.score),
            cell(&i.title),
            cell(&i.summary),
            i.first_seen.to_rfc3339(),
            i.last_seen.to_rfc3339(),
            list(&i.detectors),
            list(&i.disarm),
            i.alerts.len().to_string(),
            i.items.len().to_string(),
            cell(&list(&i.accounts)),
            cell(&list(&i.domains)),
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(super::cell("=1+1"), "'=1+1");
        assert_eq!(super::cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::cell("-2"), "'-2");
        assert_eq!(super::cell("plain"), "plain");
        assert_eq!(super::cell(""), "");
    }
}
