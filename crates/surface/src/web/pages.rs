//! The dashboard: server-rendered pages (every text through [`esc`]) with one small vendored
//! script for the network view and the analyst's status and notes. Pages work without script
//! for everything but those.

use super::api::{self, filter_alerts, filter_incidents, is_lookalike, Params};
use super::App;
use crate::html::{esc, url_part};
use crate::incidents::{Incident, STATUSES};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::fmt::Write as _;
use std::sync::Arc;
use vigie_core::Alert;
use vigie_store::EvidenceRole;

const STYLE: &str = include_str!("../../assets/style.css");
/// Findings shown per criterion and alert rows on an incident page (the API has them all).
const MAX_FINDINGS: usize = 20;
const MAX_ROWS: usize = 200;
const SCRIPT: &str = include_str!("../../assets/app.js");

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(overview))
        .route("/alerts", get(alerts))
        .route("/alerts/{id}", get(alert))
        .route("/incidents", get(incidents))
        .route("/incidents/{id}", get(incident))
        .route("/network", get(network))
        .route("/timelines", get(timelines))
        .route("/domains", get(domains))
        .route(
            "/static/style.css",
            get(|| async { asset("text/css", STYLE) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript", SCRIPT) }),
        )
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn layout(title: &str, body: &str) -> Response {
    let nav = [
        ("/", "Overview"),
        ("/incidents", "Incidents"),
        ("/alerts", "Alerts"),
        ("/network", "Network"),
        ("/timelines", "Timelines"),
        ("/domains", "Look-alike domains"),
    ]
    .iter()
    .map(|(href, name)| format!("<a href=\"{href}\">{name}</a>"))
    .collect::<Vec<_>>()
    .join("");
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'\">\
         <title>{} — vigie</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
         <body><header><strong>vigie</strong><nav>{nav}</nav></header><main>{body}</main>\
         <script src=\"/static/app.js\"></script></body></html>",
        esc(title)
    );
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
        )],
        Html(page),
    )
        .into_response()
}

fn error_page(e: api::ApiError) -> Response {
    let mut r = layout(
        "Error",
        &format!("<h1>Error</h1><p class=\"error\">{}</p>", esc(&e.1)),
    );
    *r.status_mut() = e.0;
    r
}

type PageResult = Result<Response, api::ApiError>;

fn done(r: PageResult) -> Response {
    r.unwrap_or_else(error_page)
}

fn sev(s: vigie_core::Severity) -> String {
    format!("<span class=\"sev {0}\">{0}</span>", s.as_str())
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn alert_rows(alerts: &[&Alert]) -> String {
    let mut s = String::from(
        "<table class=\"list\" id=\"alerts-table\"><thead><tr><th>severity</th><th>detector</th><th>title</th><th>first seen</th><th>items</th></tr></thead><tbody>",
    );
    for a in alerts {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td><a href=\"/alerts/{}\">{}</a><div class=\"sub\">{}</div></td><td>{}</td><td>{}</td></tr>",
            sev(a.severity),
            esc(&a.detector),
            url_part(&a.id),
            esc(&a.title),
            esc(&a.summary),
            when(a.first_seen),
            a.evidence.items.len()
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn pager(base: &str, p: &Params, total: usize, page: usize, per: usize) -> String {
    let pages = total.div_ceil(per).max(1);
    let keep: String =
        p.0.iter()
            .filter(|(k, _)| k != "page" && k != "token")
            .map(|(k, v)| format!("&{}={}", url_part(k), url_part(v)))
            .collect();
    let mut s = format!("<p class=\"pager\">{total} in all — page {page} of {pages} ");
    if page > 1 {
        let _ = write!(
            s,
            "<a href=\"{base}?page={}{}\">previous</a> ",
            page - 1,
            esc(&keep)
        );
    }
    if page < pages {
        let _ = write!(
            s,
            "<a href=\"{base}?page={}{}\" rel=\"next\">next</a>",
            page + 1,
            esc(&keep)
        );
    }
    s.push_str("</p>");
    s
}

fn select(name: &str, options: &[&str], current: Option<&str>) -> String {
    let mut s = format!("<select name=\"{name}\"><option value=\"\">any {name}</option>");
    for o in options {
        let chosen = if current == Some(*o) { " selected" } else { "" };
        let _ = write!(s, "<option value=\"{0}\"{chosen}>{0}</option>", esc(o));
    }
    s.push_str("</select>");
    s
}

async fn overview(State(app): State<Arc<App>>) -> Response {
    let states = match app.store().incident_states() {
        Ok(s) => s,
        Err(e) => return error_page(e.into()),
    };
    let mut body = String::from("<h1>Overview</h1><div class=\"cards\">");
    let records: u64 = app.stats.by_kind.iter().map(|(_, n)| n).sum();
    let open = app
        .incidents
        .iter()
        .filter(|i| {
            matches!(
                app.status_of(&states, &i.id).as_str(),
                "new" | "investigating"
            )
        })
        .count();
    for (n, what) in [
        (records as usize, "records"),
        (app.alerts.len(), "alerts"),
        (app.incidents.len(), "incidents"),
        (open, "open incidents"),
    ] {
        let _ = write!(body, "<div class=\"card\"><b>{n}</b>{what}</div>");
    }
    body.push_str("</div><h2>Alerts by detector over time</h2>");
    body.push_str(
        &app.alert_series(&app.alerts.iter().collect::<Vec<_>>())
            .svg(900, 220, "alerts by detector"),
    );
    body.push_str("<h2>Most severe incidents</h2>");
    body.push_str(&incident_rows(
        &app,
        app.incidents
            .iter()
            .take(10)
            .map(|i| (i, app.status_of(&states, &i.id))),
    ));
    layout("Overview", &body)
}

fn incident_rows<'a>(_app: &App, list: impl Iterator<Item = (&'a Incident, String)>) -> String {
    let mut s = String::from(
        "<table class=\"list\" id=\"incidents-table\"><thead><tr><th>severity</th><th>status</th><th>title</th><th>detectors</th><th>period</th><th>alerts</th></tr></thead><tbody>",
    );
    for (i, status) in list {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"status\">{}</td><td><a href=\"/incidents/{}\">{}</a></td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            sev(i.severity),
            esc(&status),
            url_part(&i.id),
            esc(&i.title),
            esc(&i.detectors.join(", ")),
            when(i.first_seen),
            when(i.last_seen),
            i.alerts.len()
        );
    }
    s.push_str("</tbody></table>");
    s
}

async fn alerts(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    done((|| {
        let p = Params::new(q)?;
        p.allow(&api::ALERT_PARAMS)?;
        let (page, per) = p.paging()?;
        let list = filter_alerts(&app, &p)?;
        let mut detectors: Vec<&str> = app.alerts.iter().map(|a| a.detector.as_str()).collect();
        detectors.sort_unstable();
        detectors.dedup();
        let mut body = format!(
            "<h1>Alerts</h1><form class=\"filters\" method=\"get\" action=\"/alerts\">{}{}<input name=\"q\" placeholder=\"search titles, accounts, domains\" value=\"{}\"><button>Filter</button></form>",
            select("detector", &detectors, p.get("detector")),
            select("severity", &["low", "medium", "high", "critical"], p.get("severity")),
            esc(p.get("q").unwrap_or(""))
        );
        let start = ((page - 1) * per).min(list.len());
        let end = (start + per).min(list.len());
        body.push_str(&pager("/alerts", &p, list.len(), page, per));
        body.push_str(&alert_rows(&list[start..end]));
        Ok(layout("Alerts", &body))
    })())
}

fn items_table(items: &[super::ItemView]) -> String {
    let mut s = String::from(
        "<table class=\"list items\"><thead><tr><th>time</th><th>source</th><th>text</th></tr></thead><tbody>",
    );
    for it in items {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{} <span class=\"sub\">{} {}</span></td><td class=\"text\">{}{}</td></tr>",
            it.time.map(when).unwrap_or_default(),
            esc(it.author.as_deref().unwrap_or(&it.platform)),
            esc(&it.kind),
            esc(&it.id),
            it.title
                .as_deref()
                .map(|t| format!("<b>{}</b><br>", esc(t)))
                .unwrap_or_default(),
            esc(&it.text)
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn chips(label: &str, list: &[String], max: usize) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = format!("<p><b>{label}</b> ({}): ", list.len());
    for x in list.iter().take(max) {
        let _ = write!(s, "<span class=\"chip\">{}</span> ", esc(x));
    }
    if list.len() > max {
        let _ = write!(s, "… and {} more", list.len() - max);
    }
    s.push_str("</p>");
    s
}

async fn alert(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(a) = app.alert(&id) else {
        return error_page(api::ApiError(
            StatusCode::NOT_FOUND,
            format!("no alert {id:?}"),
        ));
    };
    let mut body = format!(
        "<h1>{}</h1><p>{} {} · {} · DISARM {} · score {:.2} · {} → {}</p><p class=\"summary\">{}</p>",
        esc(&a.title),
        sev(a.severity),
        esc(&a.detector),
        esc(&serde_json::to_value(a.modus_operandi).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
        esc(&a.disarm.join(", ")),
        a.score,
        when(a.first_seen),
        when(a.last_seen),
        esc(&a.summary)
    );
    if let Some(inc) = app.incident_of.get(&id) {
        let _ = write!(
            body,
            "<p>Part of incident <a href=\"/incidents/{}\">{}</a></p>",
            url_part(inc),
            esc(inc)
        );
    }
    let ev = &a.evidence;
    body.push_str(&chips("Accounts", &ev.accounts, 50));
    body.push_str(&chips("Domains", &ev.domains, 50));
    body.push_str(&chips("Imitates", &ev.imitates, 50));
    body.push_str(&chips("URLs", &ev.urls, 20));
    let figures = serde_json::to_string_pretty(&ev.figures).unwrap_or_default();
    let _ = write!(body, "<h2>Figures</h2><pre>{}</pre>", esc(&figures));
    let _ = write!(body, "<h2>Items ({})</h2>", ev.items.len());
    body.push_str(&items_table(&app.records(
        EvidenceRole::Item,
        &ev.items,
        100,
    )));
    layout(&a.title, &body)
}

async fn incidents(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    done((|| {
        let p = Params::new(q)?;
        p.allow(&api::INCIDENT_PARAMS)?;
        let (page, per) = p.paging()?;
        let list = filter_incidents(&app, &p)?;
        let mut detectors: Vec<&str> = app.alerts.iter().map(|a| a.detector.as_str()).collect();
        detectors.sort_unstable();
        detectors.dedup();
        let mut body = format!(
            "<h1>Incidents</h1><form class=\"filters\" method=\"get\" action=\"/incidents\">{}{}{}<input name=\"q\" placeholder=\"search titles\" value=\"{}\"><button>Filter</button></form>",
            select("status", &STATUSES, p.get("status")),
            select("severity", &["low", "medium", "high", "critical"], p.get("severity")),
            select("detector", &detectors, p.get("detector")),
            esc(p.get("q").unwrap_or(""))
        );
        body.push_str(&pager("/incidents", &p, list.len(), page, per));
        let start = ((page - 1) * per).min(list.len());
        let end = (start + per).min(list.len());
        body.push_str(&incident_rows(
            &app,
            list[start..end].iter().map(|(i, s)| (*i, s.clone())),
        ));
        Ok(layout("Incidents", &body))
    })())
}

async fn incident(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(inc) = app.incident(&id) else {
        return error_page(api::ApiError(
            StatusCode::NOT_FOUND,
            format!("no incident {id:?}"),
        ));
    };
    let (status, previous, notes) = {
        let store = app.store();
        let state = store.incident_states().ok().and_then(|mut s| s.remove(&id));
        let previous = state
            .as_ref()
            .map(|s| s.previous_ids.clone())
            .unwrap_or_default();
        let status = state.map(|s| s.status).unwrap_or_else(|| "new".into());
        let notes = store
            .incident_notes()
            .ok()
            .and_then(|mut n| n.remove(&id))
            .unwrap_or_default();
        (status, previous, notes)
    };
    let uid = url_part(&inc.id);
    let mut body = format!(
        "<h1>{}</h1><p>{} · {} · DISARM {} · {} → {}</p><p class=\"summary\">{}</p>",
        esc(&inc.title),
        sev(inc.severity),
        esc(&inc.detectors.join(", ")),
        esc(&inc.disarm.join(", ")),
        when(inc.first_seen),
        when(inc.last_seen),
        esc(&inc.summary)
    );
    let _ = write!(
        body,
        "<section class=\"analyst\" data-incident=\"{}\"><b>Status:</b> <span id=\"status-current\">{}</span> \
         <select id=\"status-select\">{}</select> <button id=\"status-save\">Set status</button> \
         <a href=\"/api/incidents/{uid}\">JSON</a><h3>Notes</h3><ul id=\"notes\">",
        esc(&inc.id),
        esc(&status),
        STATUSES
            .iter()
            .map(|s| format!("<option{}>{s}</option>", if *s == status { " selected" } else { "" }))
            .collect::<String>()
    );
    for n in &notes {
        let at = chrono::DateTime::from_timestamp_millis(n.created_at)
            .map(when)
            .unwrap_or_default();
        let _ = write!(
            body,
            "<li><span class=\"sub\">{at}</span> {}</li>",
            esc(&n.text)
        );
    }
    body.push_str("</ul>");
    if !previous.is_empty() {
        let _ = write!(
            body,
            "<p class=\"sub\">Status and notes carried over from {} (a re-scan changed this incident's membership).</p>",
            esc(&previous.join(", "))
        );
    }
    body.push_str("<textarea id=\"note-text\" rows=\"2\" cols=\"60\" placeholder=\"add a note\"></textarea> <button id=\"note-save\">Add note</button></section>");
    body.push_str("<h2>Evidence by criterion</h2><div class=\"criteria\">");
    for c in &inc.criteria {
        let _ = write!(
            body,
            "<div class=\"criterion\" id=\"criterion-{}\"><h3>{}</h3>",
            esc(&c.key),
            esc(&c.name)
        );
        if c.shown.is_empty() {
            body.push_str(
                "<p class=\"sub\">Nothing in vigie's findings speaks to this criterion.</p>",
            );
        } else {
            body.push_str("<ul>");
            for f in c.shown.iter().take(MAX_FINDINGS) {
                let link = if f.alert.is_empty() {
                    String::new()
                } else {
                    format!(" <a href=\"/alerts/{}\">alert</a>", url_part(&f.alert))
                };
                let _ = write!(body, "<li>{}{link}</li>", esc(&f.text));
            }
            if c.shown.len() > MAX_FINDINGS {
                let more = c.shown.len() - MAX_FINDINGS;
                let _ = write!(body, "<li>… and {more} more (see the alerts)</li>");
            }
            body.push_str("</ul>");
        }
        let _ = write!(
            body,
            "<p class=\"todo\"><b>For the analyst:</b> {}</p></div>",
            esc(&c.to_establish)
        );
    }
    body.push_str("</div><h2>Network</h2>");
    let _ = write!(
        body,
        "<div class=\"graph-wrap\"><canvas class=\"graph\" width=\"900\" height=\"480\" data-graph=\"/api/graph?incident={uid}\"></canvas><div class=\"graph-info\"></div></div>"
    );
    body.push_str("<h2>Timeline of items</h2>");
    body.push_str(
        &app.items_series("items", &inc.items)
            .svg(900, 160, "items over time"),
    );
    let alerts: Vec<&Alert> = inc.alerts.iter().filter_map(|a| app.alert(a)).collect();
    let _ = write!(
        body,
        "<h2>Alerts ({})</h2><p><a href=\"/alerts?incident={uid}\">all of them, with filters</a></p>",
        alerts.len()
    );
    body.push_str(&alert_rows(&alerts[..alerts.len().min(MAX_ROWS)]));
    body.push_str(&chips("Accounts", &inc.accounts, 60));
    body.push_str(&chips("Domains", &inc.domains, 60));
    let _ = write!(body, "<h2>Items ({}, first 100)</h2>", inc.items.len());
    body.push_str(&items_table(&app.records(
        EvidenceRole::Item,
        &inc.items,
        100,
    )));
    layout(&inc.title, &body)
}

async fn network(State(_app): State<Arc<App>>) -> Response {
    layout(
        "Network",
        "<h1>Network</h1><p>Alerts (grey), the accounts (blue) and domains (orange) they name, \
         accounts and domains named together, and relay sites linked to their origins. The 200 \
         most severe alerts are drawn; open an incident for its own network, or export the whole \
         graph with <code>vigie export gexf</code> for Gephi.</p>\
         <div class=\"graph-wrap\"><canvas class=\"graph\" width=\"1100\" height=\"640\" data-graph=\"/api/graph\"></canvas><div class=\"graph-info\"></div></div>",
    )
}

async fn timelines(State(app): State<Arc<App>>) -> Response {
    let mut body = String::from("<h1>Timelines</h1><h2>Hashtags in flagged items</h2>");
    body.push_str(&app.hashtag_series().svg(1000, 240, "hashtags over time"));
    body.push_str("<h2>Largest clusters</h2><table class=\"list\"><tbody>");
    let mut biggest: Vec<&Alert> = app.alerts.iter().collect();
    biggest.sort_by(|a, b| {
        b.evidence
            .items
            .len()
            .cmp(&a.evidence.items.len())
            .then(a.id.cmp(&b.id))
    });
    for a in biggest.into_iter().take(12) {
        let _ = write!(
            body,
            "<tr><td><a href=\"/alerts/{}\">{}</a><div class=\"sub\">{} · {} items</div></td><td>{}</td></tr>",
            url_part(&a.id),
            esc(&a.title),
            esc(&a.detector),
            a.evidence.items.len(),
            app.items_series(&a.detector, &a.evidence.items).svg(520, 90, "items over time")
        );
    }
    body.push_str("</tbody></table>");
    layout("Timelines", &body)
}

async fn domains(State(app): State<Arc<App>>) -> Response {
    let mut body = String::from(
        "<h1>Look-alike domains</h1><p>Domains in alerts about imitation (look-alike domains, cloned sites, impersonation), with what they imitate.</p>\
         <table class=\"list\" id=\"lookalike-table\"><thead><tr><th>domain</th><th>imitates</th><th>detector</th><th>severity</th><th>alert</th></tr></thead><tbody>",
    );
    let mut n = 0;
    for a in app.alerts.iter().filter(|a| is_lookalike(a)) {
        for d in &a.evidence.domains {
            n += 1;
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/alerts/{}\">{}</a></td></tr>",
                esc(d),
                esc(&a.evidence.imitates.join(", ")),
                esc(&a.detector),
                sev(a.severity),
                url_part(&a.id),
                esc(&a.title)
            );
        }
    }
    body.push_str("</tbody></table>");
    if n == 0 {
        body.push_str("<p class=\"sub\">No look-alike findings in this store (the look-alike detectors may be disabled).</p>");
    }
    layout("Look-alike domains", &body)
}
