//! The JSON API. Every list is paginated (`page` from 1, `per_page` up to 500) and answers
//! `{total, page, per_page, items}`; bad parameters get a 400 with a message naming them.

use super::{App, ItemView};
use crate::graph::{evidence_graph, EvidenceGraphOptions};
use crate::incidents::{Incident, STATUSES};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use vigie_core::{Alert, Severity};
use vigie_store::{EvidenceRole, StoreError};

pub const OPENAPI: &str = include_str!("../../openapi.json");
const MAX_PER_PAGE: usize = 500;
const MAX_NOTE_CHARS: usize = 10_000;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/stats", get(stats))
        .route("/api/alerts", get(alerts))
        .route("/api/alerts/{id}", get(alert))
        .route("/api/incidents", get(incidents))
        .route("/api/incidents/{id}", get(incident))
        .route("/api/incidents/{id}/status", post(set_status))
        .route("/api/incidents/{id}/notes", post(add_note))
        .route("/api/items", get(items))
        .route("/api/items/{id}", get(item))
        .route("/api/accounts", get(accounts))
        .route("/api/accounts/{id}", get(account))
        .route("/api/domains", get(domains))
        .route("/api/domains/{domain}", get(domain))
        .route("/api/search", get(search))
        .route("/api/timeseries", get(timeseries))
        .route("/api/graph", get(graph))
        .fallback(not_found)
}

pub struct ApiError(pub StatusCode, pub String);

pub fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.0, &self.1)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!("store: {e}");
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store could not be read".into(),
        )
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

fn missing(what: &str, id: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no {what} with id {id:?}"))
}

type ApiResult = Result<Response, ApiError>;

/// Query parameters, checked against what an endpoint accepts.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn new(
        q: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Params, ApiError> {
        q.map(|Query(v)| Params(v))
            .map_err(|e| bad(format!("unreadable query string: {e}")))
    }

    pub fn allow(&self, allowed: &[&str]) -> Result<&Params, ApiError> {
        for (k, _) in &self.0 {
            if !allowed.contains(&k.as_str()) && k != "token" {
                return Err(bad(format!(
                    "unknown parameter {k:?}; this endpoint accepts {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(self)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Comma-separated values, repeated parameters allowed.
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn number(&self, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(bad(format!(
                    "{key} must be a whole number from 1 to {max}, not {v:?}"
                ))),
            },
        }
    }

    pub fn paging(&self) -> Result<(usize, usize), ApiError> {
        Ok((
            self.number("page", 1, 1_000_000)?,
            self.number("per_page", 50, MAX_PER_PAGE)?,
        ))
    }

    pub fn severities(&self) -> Result<Vec<Severity>, ApiError> {
        self.list("severity").into_iter().map(severity).collect()
    }

    pub fn min_severity(&self) -> Result<Option<Severity>, ApiError> {
        self.get("min_severity").map(severity).transpose()
    }

    pub fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        if let Ok(t) = DateTime::parse_from_rfc3339(v) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| Some(t.and_utc()))
            .ok_or_else(|| {
                bad(format!(
                    "{key} must be a date (2024-06-01) or an RFC 3339 time, not {v:?}"
                ))
            })
    }
}

fn severity(s: &str) -> Result<Severity, ApiError> {
    match s {
        "low" => Ok(Severity::Low),
        "medium" => Ok(Severity::Medium),
        "high" => Ok(Severity::High),
        "critical" => Ok(Severity::Critical),
        _ => Err(bad(format!(
            "severity must be low, medium, high or critical, not {s:?}"
        ))),
    }
}

/// One page of `items`.
pub fn page<T: serde::Serialize>(items: &[T], page: usize, per_page: usize) -> Value {
    let start = (page - 1).saturating_mul(per_page).min(items.len());
    let end = start.saturating_add(per_page).min(items.len());
    json!({
        "total": items.len(),
        "page": page,
        "per_page": per_page,
        "items": &items[start..end],
    })
}

fn contains_folded(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

/// The alerts a filter selects, in store order. Shared with the dashboard's list.
pub fn filter_alerts<'a>(app: &'a App, p: &Params) -> Result<Vec<&'a Alert>, ApiError> {
    let detectors: BTreeSet<&str> = p.list("detector").into_iter().collect();
    let severities = p.severities()?;
    let min = p.min_severity()?;
    let from = p.time("from")?;
    let to = p.time("to")?;
    let q = p.get("q").map(str::to_lowercase);
    let incident = match p.get("incident") {
        Some(id) => Some(app.incident(id).ok_or_else(|| missing("incident", id))?),
        None => None,
    };
    Ok(app
        .alerts
        .iter()
        .filter(|a| detectors.is_empty() || detectors.contains(a.detector.as_str()))
        .filter(|a| severities.is_empty() || severities.contains(&a.severity))
        .filter(|a| min.is_none_or(|m| a.severity >= m))
        .filter(|a| from.is_none_or(|f| a.last_seen >= f))
        .filter(|a| to.is_none_or(|t| a.first_seen <= t))
        .filter(|a| incident.is_none_or(|i| i.alerts.contains(&a.id)))
        .filter(|a| {
            q.as_deref().is_none_or(|q| {
                contains_folded(&a.title, q)
                    || contains_folded(&a.summary, q)
                    || a.evidence.accounts.iter().any(|x| contains_folded(x, q))
                    || a.evidence.domains.iter().any(|x| contains_folded(x, q))
            })
        })
        .collect())
}

pub const ALERT_PARAMS: [&str; 9] = [
    "detector",
    "severity",
    "min_severity",
    "from",
    "to",
    "q",
    "incident",
    "page",
    "per_page",
];

/// The incidents a filter selects, with their status, in store order.
pub fn filter_incidents<'a>(
    app: &'a App,
    p: &Params,
) -> Result<Vec<(&'a Incident, String)>, ApiError> {
    let detectors: BTreeSet<&str> = p.list("detector").into_iter().collect();
    let statuses = p.list("status");
    for s in &statuses {
        if !STATUSES.contains(s) {
            return Err(bad(format!(
                "status must be one of {}, not {s:?}",
                STATUSES.join(", ")
            )));
        }
    }
    let severities = p.severities()?;
    let min = p.min_severity()?;
    let q = p.get("q").map(str::to_lowercase);
    let states = app.store().incident_states()?;
    Ok(app
        .incidents
        .iter()
        .map(|i| (i, app.status_of(&states, &i.id)))
        .filter(|(i, _)| {
            detectors.is_empty() || i.detectors.iter().any(|d| detectors.contains(d.as_str()))
        })
        .filter(|(_, s)| statuses.is_empty() || statuses.contains(&s.as_str()))
        .filter(|(i, _)| severities.is_empty() || severities.contains(&i.severity))
        .filter(|(i, _)| min.is_none_or(|m| i.severity >= m))
        .filter(|(i, _)| {
            q.as_deref().is_none_or(|q| {
                contains_folded(&i.title, q) || contains_folded(&i.summary, q) || i.id.contains(q)
            })
        })
        .collect())
}

pub const INCIDENT_PARAMS: [&str; 7] = [
    "detector",
    "status",
    "severity",
    "min_severity",
    "q",
    "page",
    "per_page",
];

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such endpoint; see /api/openapi.json",
    )
}

async fn stats(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    Params::new(q)?.allow(&[])?;
    let states = app.store().incident_states()?;
    let mut by_severity: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_detector: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &app.alerts {
        *by_severity.entry(a.severity.as_str()).or_default() += 1;
        *by_detector.entry(a.detector.as_str()).or_default() += 1;
    }
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for i in &app.incidents {
        *by_status.entry(app.status_of(&states, &i.id)).or_default() += 1;
    }
    Ok(Json(json!({
        "store": app.stats,
        "alerts": {"total": app.alerts.len(), "by_detector": by_detector, "by_severity": by_severity},
        "incidents": {"total": app.incidents.len(), "by_status": by_status},
    }))
    .into_response())
}

async fn alerts(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&ALERT_PARAMS)?;
    let (pg, per) = p.paging()?;
    let list = filter_alerts(&app, &p)?;
    Ok(Json(page(&list, pg, per)).into_response())
}

async fn alert(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let a = app.alert(&id).ok_or_else(|| missing("alert", &id))?;
    Ok(Json(json!({
        "alert": a,
        "incident": app.incident_of.get(&id),
    }))
    .into_response())
}

async fn incidents(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&INCIDENT_PARAMS)?;
    let (pg, per) = p.paging()?;
    let list = filter_incidents(&app, &p)?;
    let start = (pg - 1).saturating_mul(per).min(list.len());
    let end = start.saturating_add(per).min(list.len());
    let items: Vec<Value> = list[start..end]
        .iter()
        .map(|(i, status)| incident_brief(i, status))
        .collect();
    Ok(
        Json(json!({"total": list.len(), "page": pg, "per_page": per, "items": items}))
            .into_response(),
    )
}

/// An incident in lists: everything but the long evidence lists (counts instead).
pub fn incident_brief(i: &Incident, status: &str) -> Value {
    json!({
        "id": i.id, "title": i.title, "summary": i.summary, "status": status,
        "severity": i.severity, "score": i.score, "first_seen": i.first_seen,
        "last_seen": i.last_seen, "detectors": i.detectors, "modus_operandi": i.modus_operandi,
        "disarm": i.disarm, "alerts": i.alerts.len(), "items": i.items.len(),
        "accounts": i.accounts.len(), "domains": i.domains.len(),
    })
}

async fn incident(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let inc = app.incident(&id).ok_or_else(|| missing("incident", &id))?;
    let (state, notes) = {
        let store = app.store();
        (
            store.incident_states()?.remove(&id),
            store.incident_notes()?.remove(&id).unwrap_or_default(),
        )
    };
    let alerts: Vec<&Alert> = inc.alerts.iter().filter_map(|a| app.alert(a)).collect();
    Ok(Json(json!({
        "incident": inc,
        "status": state.as_ref().map(|s| s.status.as_str()).unwrap_or("new"),
        "previous_ids": state.map(|s| s.previous_ids).unwrap_or_default(),
        "notes": notes,
        "alerts": alerts,
    }))
    .into_response())
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

async fn set_status(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let status = incident_body_text(&app, &id, body, "status")?;
    let status = status.as_str();
    if !STATUSES.contains(&status) {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("status must be one of {}", STATUSES.join(", ")),
        ));
    }
    app.store().set_incident_status(&id, status, now_ms())?;
    Ok(Json(json!({"id": id, "status": status})).into_response())
}

async fn add_note(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let text = incident_body_text(&app, &id, body, "text")?;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("a note has 1 to {MAX_NOTE_CHARS} characters"),
        ));
    }
    let at = now_ms();
    app.store().add_incident_note(&id, text, at)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"incident_id": id, "created_at": at, "text": text})),
    )
        .into_response())
}

/// The string `field` of a JSON body posted to an existing incident.
fn incident_body_text(
    app: &App,
    id: &str,
    body: Result<Json<Value>, JsonRejection>,
    field: &str,
) -> Result<String, ApiError> {
    if app.incident(id).is_none() {
        return Err(missing("incident", id));
    }
    let Json(mut body) = body.map_err(json_error)?;
    match body.get_mut(field).map(Value::take) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(bad(format!("the body must be {{\"{field}\": \"...\"}}"))),
    }
}

fn json_error(e: JsonRejection) -> ApiError {
    let status = match e {
        JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError(status, e.body_text())
}

fn alerts_naming(app: &App, f: impl Fn(&Alert) -> bool) -> Vec<&str> {
    app.alerts
        .iter()
        .filter(|a| f(a))
        .map(|a| a.id.as_str())
        .collect()
}

async fn items(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["alert", "incident", "page", "per_page"])?;
    let (pg, per) = p.paging()?;
    let ids: &[String] = match (p.get("alert"), p.get("incident")) {
        (Some(id), None) => {
            &app.alert(id)
                .ok_or_else(|| missing("alert", id))?
                .evidence
                .items
        }
        (None, Some(id)) => {
            &app.incident(id)
                .ok_or_else(|| missing("incident", id))?
                .items
        }
        _ => return Err(bad("give alert or incident (one of them)")),
    };
    let start = (pg - 1).saturating_mul(per).min(ids.len());
    let end = start.saturating_add(per).min(ids.len());
    let records = app.records(EvidenceRole::Item, &ids[start..end], per);
    Ok(
        Json(json!({"total": ids.len(), "page": pg, "per_page": per, "items": records}))
            .into_response(),
    )
}

async fn item(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let records: Vec<ItemView> = app.records(EvidenceRole::Item, std::slice::from_ref(&id), 1);
    let alerts = alerts_naming(&app, |a| a.evidence.items.contains(&id));
    if records.is_empty() && alerts.is_empty() {
        return Err(missing("item named by an alert", &id));
    }
    Ok(Json(json!({"id": id, "records": records, "alerts": alerts})).into_response())
}

/// (name, alerts naming it, detectors) for every account or domain in alerts.
fn named(app: &App, pick: fn(&Alert) -> &Vec<String>) -> Vec<(String, u64, BTreeSet<String>)> {
    let mut m: BTreeMap<&str, (u64, BTreeSet<String>)> = BTreeMap::new();
    for a in &app.alerts {
        for x in pick(a) {
            let e = m.entry(x.as_str()).or_default();
            e.0 += 1;
            e.1.insert(a.detector.clone());
        }
    }
    let mut v: Vec<_> = m
        .into_iter()
        .map(|(k, (n, d))| (k.to_owned(), n, d))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

async fn accounts(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["q", "page", "per_page"])?;
    let (pg, per) = p.paging()?;
    let needle = p.get("q").map(str::to_lowercase);
    let list: Vec<Value> = named(&app, |a| &a.evidence.accounts)
        .into_iter()
        .filter(|(n, _, _)| needle.as_deref().is_none_or(|q| contains_folded(n, q)))
        .map(|(id, n, d)| json!({"id": id, "alerts": n, "detectors": d}))
        .collect();
    Ok(Json(page(&list, pg, per)).into_response())
}

async fn account(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let records = app.records(EvidenceRole::Account, std::slice::from_ref(&id), 1);
    let alerts = alerts_naming(&app, |a| a.evidence.accounts.contains(&id));
    if records.is_empty() && alerts.is_empty() {
        return Err(missing("account named by an alert", &id));
    }
    let full: Vec<Value> = app
        .store()
        .evidence_records(EvidenceRole::Account, &id)?
        .into_iter()
        .filter_map(|r| serde_json::to_value(&r.record).ok())
        .collect();
    Ok(Json(json!({"id": id, "records": full, "alerts": alerts})).into_response())
}

/// Whether an alert is about imitation (look-alike domains, cloned sites, accounts).
pub fn is_lookalike(a: &Alert) -> bool {
    !a.evidence.imitates.is_empty()
        || matches!(
            a.modus_operandi,
            vigie_core::ModusOperandi::MediaImpersonation
        )
}

async fn domains(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["q", "lookalike", "page", "per_page"])?;
    let (pg, per) = p.paging()?;
    let lookalike = match p.get("lookalike") {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(bad(format!("lookalike must be true or false, not {v:?}"))),
    };
    let needle = p.get("q").map(str::to_lowercase);
    let mut imitates: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in app.alerts.iter().filter(|a| is_lookalike(a)) {
        for d in &a.evidence.domains {
            imitates
                .entry(d.as_str())
                .or_default()
                .extend(a.evidence.imitates.iter().map(String::as_str));
        }
    }
    let list: Vec<Value> = named(&app, |a| &a.evidence.domains)
        .into_iter()
        .filter(|(d, _, _)| !lookalike || imitates.contains_key(d.as_str()))
        .filter(|(d, _, _)| needle.as_deref().is_none_or(|q| contains_folded(d, q)))
        .map(|(d, n, det)| {
            let im = imitates.get(d.as_str()).cloned().unwrap_or_default();
            json!({"domain": d, "alerts": n, "detectors": det, "imitates": im})
        })
        .collect();
    Ok(Json(page(&list, pg, per)).into_response())
}

async fn domain(State(app): State<Arc<App>>, Path(domain): Path<String>) -> ApiResult {
    let alerts = alerts_naming(&app, |a| a.evidence.domains.contains(&domain));
    let records: Vec<Value> = app
        .store()
        .evidence_records(EvidenceRole::Domain, &domain)?
        .into_iter()
        .filter_map(|r| serde_json::to_value(&r.record).ok())
        .collect();
    if records.is_empty() && alerts.is_empty() {
        return Err(missing("domain named by an alert", &domain));
    }
    Ok(Json(json!({"domain": domain, "records": records, "alerts": alerts})).into_response())
}

async fn search(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["q", "page", "per_page"])?;
    let (pg, per) = p.paging()?;
    let needle = p
        .get("q")
        .map(str::trim)
        .filter(|q| q.chars().count() >= 2)
        .ok_or_else(|| bad("q (at least 2 characters) is required"))?;
    let folded = vigie_normalise::text::fold(needle);
    let lower = needle.to_lowercase();
    let mut hits: Vec<Value> = Vec::new();
    for i in &app.incidents {
        if contains_folded(&i.title, &lower) || i.id == needle {
            hits.push(json!({"type": "incident", "id": i.id, "title": i.title}));
        }
    }
    for a in &app.alerts {
        if contains_folded(&a.title, &lower)
            || contains_folded(&a.summary, &lower)
            || a.id == needle
            || a.evidence.accounts.iter().any(|x| x == needle)
            || a.evidence.domains.iter().any(|x| x == needle)
        {
            hits.push(json!({"type": "alert", "id": a.id, "title": a.title}));
        }
    }
    for id in app.store().search_evidence_items(&folded, 500)? {
        hits.push(json!({"type": "item", "id": id}));
    }
    Ok(Json(page(&hits, pg, per)).into_response())
}

async fn timeseries(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["of", "id"])?;
    let series = match (p.get("of").unwrap_or("alerts"), p.get("id")) {
        ("alerts", None) => app.alert_series(&app.alerts.iter().collect::<Vec<_>>()),
        ("hashtags", None) => app.hashtag_series().clone(),
        ("alert", Some(id)) => {
            let a = app.alert(id).ok_or_else(|| missing("alert", id))?;
            app.items_series(&a.detector, &a.evidence.items)
        }
        ("incident", Some(id)) => {
            let i = app.incident(id).ok_or_else(|| missing("incident", id))?;
            app.items_series("items", &i.items)
        }
        ("alert" | "incident", None) => return Err(bad("of=alert and of=incident need id")),
        (of, _) => {
            return Err(bad(format!(
                "of must be alerts, hashtags, alert or incident (id only with alert or incident), not {of:?}"
            )))
        }
    };
    Ok(Json(series).into_response())
}

/// Nodes shown at most in one graph answer (the busiest are kept).
const MAX_GRAPH_ALERTS: usize = 200;

async fn graph(
    State(app): State<Arc<App>>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q)?;
    p.allow(&["incident", "alert", "items"])?;
    let items = match p.get("items") {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(bad(format!("items must be true or false, not {v:?}"))),
    };
    let selected: Vec<&Alert> = match (p.get("incident"), p.get("alert")) {
        (Some(id), None) => {
            let i = app.incident(id).ok_or_else(|| missing("incident", id))?;
            i.alerts.iter().filter_map(|a| app.alert(a)).collect()
        }
        (None, Some(id)) => vec![app.alert(id).ok_or_else(|| missing("alert", id))?],
        (None, None) => app.alerts.iter().take(MAX_GRAPH_ALERTS).collect(),
        (Some(_), Some(_)) => return Err(bad("give incident or alert, not both")),
    };
    let g = evidence_graph(
        selected.into_iter().take(MAX_GRAPH_ALERTS),
        EvidenceGraphOptions {
            items,
            ..EvidenceGraphOptions::default()
        },
    );
    Ok(Json(g).into_response())
}
