//! `vigie report INCIDENT`: a self-contained HTML case file (inline CSS and SVG, no script, no
//! external resource) laid out on the four criteria, for handing on.

use crate::html::{esc, Series};
use crate::incidents::Incident;
use std::fmt::Write as _;
use vigie_core::Alert;
use vigie_store::{EvidenceRole, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no incident {0:?} in this store (list them with `vigie export csv --table incidents` or GET /api/incidents)")]
    NoIncident(String),
}

const STYLE: &str = "body{font:14px/1.5 system-ui,sans-serif;max-width:1000px;margin:24px auto;color:#1d2330}\
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccd;margin-top:28px}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e8ee;padding:4px 6px;text-align:left;vertical-align:top}\
.todo{background:#fff8dc;padding:4px 8px}.sub{color:#667;font-size:12px}.text{white-space:pre-wrap;word-break:break-word}\
svg .axis,svg .legend{font-size:11px}";

/// Renders the case report of incident `id`.
pub fn render(store: &Store, id: &str) -> Result<String, ReportError> {
    let inc: Incident = store
        .incident_json(id)?
        .and_then(|j| serde_json::from_str(&j).ok())
        .ok_or_else(|| ReportError::NoIncident(id.to_owned()))?;
    let mut alerts: Vec<Alert> = Vec::with_capacity(inc.alerts.len());
    for a in &inc.alerts {
        alerts.extend(store.alert(a)?);
    }
    let status = store
        .incident_states()?
        .remove(id)
        .map(|s| s.status)
        .unwrap_or_else(|| "new".into());
    let notes = store.incident_notes()?.remove(id).unwrap_or_default();
    let mut items = Vec::new();
    for it in inc.items.iter().take(2_000) {
        items.extend(store.evidence_records(EvidenceRole::Item, it)?);
    }
    Ok(page(&inc, &alerts, &status, &notes, &items))
}

fn page(
    inc: &Incident,
    alerts: &[Alert],
    status: &str,
    notes: &[vigie_store::Note],
    items: &[vigie_store::StoredRecord],
) -> String {
    let mut s = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} — vigie case report</title><style>{STYLE}</style></head><body>",
        esc(&inc.title)
    );
    let _ = write!(
        s,
        "<h1>{}</h1><p class=\"sub\">Incident {} · status {} · severity {} (score {:.2}) · {} → {} UTC · detectors {} · DISARM {}</p><p>{}</p>",
        esc(&inc.title),
        esc(&inc.id),
        esc(status),
        inc.severity.as_str(),
        inc.score,
        inc.first_seen.format("%Y-%m-%d %H:%M"),
        inc.last_seen.format("%Y-%m-%d %H:%M"),
        esc(&inc.detectors.join(", ")),
        esc(&inc.disarm.join(", ")),
        esc(&inc.summary)
    );
    s.push_str("<h2>Activity over time</h2>");
    let times: Vec<_> = items.iter().filter_map(|r| r.record.timestamp()).collect();
    if let (Some(&a), Some(&b)) = (times.iter().min(), times.iter().max()) {
        let series = Series::from_events(
            items
                .iter()
                .filter_map(|r| Some((r.record.kind().as_str(), r.record.timestamp()?))),
            crate::html::bucket_of(a, b),
        );
        s.push_str(&series.svg(960, 200, "items over time"));
    }
    let by_detector = Series::from_events(
        alerts.iter().map(|a| (a.detector.as_str(), a.first_seen)),
        crate::html::bucket_of(inc.first_seen, inc.last_seen),
    );
    s.push_str("<h3>Alerts by detector</h3>");
    s.push_str(&by_detector.svg(960, 160, "alerts by detector"));
    s.push_str("<h2>The four criteria</h2>");
    for (n, c) in inc.criteria.iter().enumerate() {
        let _ = write!(s, "<h3>{}. {}</h3>", n + 1, esc(&c.name));
        if c.shown.is_empty() {
            s.push_str("<p>vigie's findings show nothing for this criterion.</p>");
        } else {
            s.push_str("<ul>");
            for f in c.shown.iter().take(50) {
                let from = if f.alert.is_empty() {
                    String::new()
                } else {
                    format!(" <span class=\"sub\">({})</span>", esc(&f.alert))
                };
                let _ = write!(s, "<li>{}{from}</li>", esc(&f.text));
            }
            if c.shown.len() > 50 {
                let more = c.shown.len() - 50;
                let _ = write!(s, "<li>… and {more} more findings of the same kind.</li>");
            }
            s.push_str("</ul>");
        }
        let _ = write!(
            s,
            "<p class=\"todo\"><b>To establish:</b> {}</p>",
            esc(&c.to_establish)
        );
    }
    s.push_str("<h2>Alerts</h2><table><tr><th>severity</th><th>detector</th><th>finding</th><th>period</th></tr>");
    for a in alerts {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td><b>{}</b><br>{}<br><span class=\"sub\">{} · DISARM {}</span></td><td>{} → {}</td></tr>",
            a.severity.as_str(),
            esc(&a.detector),
            esc(&a.title),
            esc(&a.summary),
            esc(&a.id),
            esc(&a.disarm.join(", ")),
            a.first_seen.format("%Y-%m-%d %H:%M"),
            a.last_seen.format("%Y-%m-%d %H:%M")
        );
    }
    s.push_str("</table>");
    for (label, list) in [
        ("Accounts", &inc.accounts),
        ("Domains", &inc.domains),
        ("URLs", &inc.urls),
    ] {
        if !list.is_empty() {
            let _ = write!(
                s,
                "<h2>{label} ({})</h2><p>{}</p>",
                list.len(),
                esc(&list.join(", "))
            );
        }
    }
    let _ = write!(s, "<h2>Items ({} named; first {} shown)</h2><table><tr><th>time</th><th>source</th><th>text</th></tr>", inc.items.len(), items.len().min(200));
    for r in items.iter().take(200) {
        let rec = &r.record;
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}<br><span class=\"sub\">{} {}</span></td><td class=\"text\">{}</td></tr>",
            rec.timestamp().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            esc(rec.author().unwrap_or(rec.platform())),
            rec.kind().as_str(),
            esc(rec.id()),
            esc(&rec.text().unwrap_or("").chars().take(1_000).collect::<String>())
        );
    }
    s.push_str("</table>");
    if !notes.is_empty() {
        s.push_str("<h2>Analyst notes</h2><ul>");
        for n in notes {
            let at = chrono::DateTime::from_timestamp_millis(n.created_at)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let _ = write!(
                s,
                "<li><span class=\"sub\">{at}</span> {}</li>",
                esc(&n.text)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("<p class=\"sub\">Generated by vigie from its findings; the criteria's \"to establish\" parts are for the analyst.</p></body></html>\n");
    s
}
