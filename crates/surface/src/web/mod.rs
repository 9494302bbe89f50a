//! `vigie serve`: the JSON API (`/api/...`, described by `openapi.json`) and the dashboard over
//! one store, in one process. Alerts and incidents are loaded once at start (restart after a
//! scan); the analyst's status and notes are read and written through the store on each request.
//!
//! Bound to a loopback address, requests must name a local host (a web page elsewhere cannot
//! reach the API by DNS rebinding); bound elsewhere, every request needs the token (bearer
//! header, or the `vigie_token` cookie set by opening any page once with `?token=`). Writes take
//! JSON only, which a cross-site form cannot send.

mod api;
mod pages;

use crate::html::Series;
use crate::incidents::{self, Incident};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use vigie_core::{Alert, Record};
use vigie_store::{EvidenceRole, Stats, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("binding to {0} (beyond this machine) needs a token: pass --token or set VIGIE_TOKEN")]
    TokenRequired(SocketAddr),
    #[error("{0}: no such store (run `vigie scan` or `vigie demo` first)")]
    NoStore(String),
}

pub struct ServeOptions {
    pub db: PathBuf,
    pub addr: SocketAddr,
    pub token: Option<String>,
}

/// Everything the handlers share.
pub struct App {
    store: Mutex<Store>,
    alerts: Vec<Alert>,
    alert_pos: HashMap<String, usize>,
    incidents: Vec<Incident>,
    incident_pos: HashMap<String, usize>,
    incident_of: HashMap<String, String>,
    stats: Stats,
    token: Option<String>,
    local: bool,
    hashtags: OnceLock<Series>,
}

/// A record as the API and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub id: String,
    pub kind: String,
    pub platform: String,
    pub author: Option<String>,
    pub time: Option<DateTime<Utc>>,
    pub title: Option<String>,
    pub text: String,
    pub url: Option<String>,
}

impl ItemView {
    fn of(r: &Record) -> ItemView {
        let (title, url) = match r {
            Record::Article(a) => (Some(a.title.clone()), Some(a.url.clone())),
            _ => (None, None),
        };
        let text: String = r.text().unwrap_or("").chars().take(2_000).collect();
        ItemView {
            id: r.id().to_owned(),
            kind: r.kind().as_str().to_owned(),
            platform: r.platform().to_owned(),
            author: r.author().map(str::to_owned),
            time: r.timestamp(),
            title,
            text,
            url,
        }
    }
}

impl App {
    /// Loads alerts and incidents from `store` (computing incidents if the store predates them).
    pub fn load(mut store: Store, token: Option<String>, local: bool) -> Result<App, StoreError> {
        let alerts = store.alerts()?;
        let mut incidents = incidents::load(&store)?;
        if incidents.is_empty() && !alerts.is_empty() {
            incidents::refresh(&mut store)?;
            incidents = incidents::load(&store)?;
        }
        let alert_pos = alerts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let incident_pos = incidents
            .iter()
            .enumerate()
            .map(|(i, inc)| (inc.id.clone(), i))
            .collect();
        let incident_of = incidents
            .iter()
            .flat_map(|i| i.alerts.iter().map(|a| (a.clone(), i.id.clone())))
            .collect();
        let stats = store.stats()?;
        Ok(App {
            store: Mutex::new(store),
            alerts,
            alert_pos,
            incidents,
            incident_pos,
            incident_of,
            stats,
            token,
            local,
            hashtags: OnceLock::new(),
        })
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked mid-request cannot leave the store inconsistent (SQLite
        // transactions roll back), so a poisoned lock is still usable.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn alert(&self, id: &str) -> Option<&Alert> {
        self.alert_pos.get(id).map(|&i| &self.alerts[i])
    }

    fn incident(&self, id: &str) -> Option<&Incident> {
        self.incident_pos.get(id).map(|&i| &self.incidents[i])
    }

    fn status_of(&self, states: &BTreeMap<String, vigie_store::IncidentState>, id: &str) -> String {
        states
            .get(id)
            .map(|s| s.status.clone())
            .unwrap_or_else(|| "new".into())
    }

    /// Records named by evidence ids, in the order given, at most `limit`.
    fn records(&self, role: EvidenceRole, ids: &[String], limit: usize) -> Vec<ItemView> {
        let store = self.store();
        let mut out = Vec::new();
        for id in ids.iter().take(limit) {
            match store.evidence_records(role, id) {
                Ok(recs) => out.extend(recs.iter().map(|r| ItemView::of(&r.record))),
                Err(e) => tracing::warn!("reading evidence record {id}: {e}"),
            }
        }
        out
    }

    /// Alerts per day (or hour) by detector.
    fn alert_series(&self, alerts: &[&Alert]) -> Series {
        let (Some(first), Some(last)) = (
            alerts.iter().map(|a| a.first_seen).min(),
            alerts.iter().map(|a| a.first_seen).max(),
        ) else {
            return Series::default();
        };
        Series::from_events(
            alerts.iter().map(|a| (a.detector.as_str(), a.first_seen)),
            crate::html::bucket_of(first, last),
        )
    }

    /// Items of `ids` per bucket, one series.
    fn items_series(&self, name: &str, ids: &[String]) -> Series {
        let items = self.records(EvidenceRole::Item, ids, 5_000);
        let times: Vec<DateTime<Utc>> = items.iter().filter_map(|i| i.time).collect();
        let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
            return Series::default();
        };
        Series::from_events(
            times.iter().map(|&t| (name, t)),
            crate::html::bucket_of(first, last),
        )
    }

    /// Top hashtags of the items alerts name, per bucket (computed once).
    fn hashtag_series(&self) -> &Series {
        self.hashtags.get_or_init(|| {
            let mut events: Vec<(String, DateTime<Utc>)> = Vec::new();
            let read = self
                .store()
                .for_each_evidence_record(EvidenceRole::Item, |r| {
                    if let (Record::Post(p), Some(t)) = (&r.record, r.record.timestamp()) {
                        for h in &p.hashtags {
                            events.push((h.to_lowercase(), t));
                        }
                    }
                });
            if let Err(e) = read {
                tracing::warn!("reading flagged items for hashtags: {e}");
            }
            let mut freq: HashMap<&str, usize> = HashMap::new();
            for (h, _) in &events {
                *freq.entry(h.as_str()).or_default() += 1;
            }
            let mut top: Vec<(&str, usize)> = freq.into_iter().collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let keep: std::collections::HashSet<&str> =
                top.iter().take(8).map(|(h, _)| *h).collect();
            let (Some(first), Some(last)) = (
                events.iter().map(|e| e.1).min(),
                events.iter().map(|e| e.1).max(),
            ) else {
                return Series::default();
            };
            Series::from_events(
                events
                    .iter()
                    .filter(|(h, _)| keep.contains(h.as_str()))
                    .map(|(h, t)| (h.as_str(), *t)),
                crate::html::bucket_of(first, last),
            )
        })
    }
}

/// Equal-time comparison, so the token cannot be guessed byte by byte from response times.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn is_local_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        c.trim()
            .strip_prefix("vigie_token=")
            .map(|v| v.trim().to_owned())
    })
}

fn query_token(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    q.split('&').find_map(|kv| {
        kv.strip_prefix("token=").map(|v| {
            // Tokens are printable ASCII; a percent-encoded one is compared as sent.
            v.to_owned()
        })
    })
}

async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if app.local {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !is_local_host(host) {
            return api::error(StatusCode::FORBIDDEN, "this server answers localhost only");
        }
    }
    let Some(token) = app.token.as_deref() else {
        return next.run(req).await;
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    let from_query = query_token(&req);
    let presented = bearer
        .or_else(|| cookie_token(req.headers()))
        .or_else(|| from_query.clone());
    match presented {
        Some(t) if same_secret(&t, token) => {
            let mut resp = next.run(req).await;
            if from_query.is_some() {
                if let Ok(v) = format!("vigie_token={t}; HttpOnly; SameSite=Strict; Path=/").parse()
                {
                    resp.headers_mut().insert(header::SET_COOKIE, v);
                }
            }
            resp
        }
        _ => api::error(
            StatusCode::UNAUTHORIZED,
            "a token is required: Authorization: Bearer TOKEN, or open a page with ?token=TOKEN",
        ),
    }
}

pub fn router(app: Arc<App>) -> Router {
    api::routes()
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// A bound server, ready to run.
pub struct Server {
    listener: std::net::TcpListener,
    app: Arc<App>,
}

impl Server {
    pub fn bind(opts: &ServeOptions) -> Result<Server, ServeError> {
        let local = opts.addr.ip().is_loopback();
        let token = opts.token.clone().filter(|t| !t.is_empty());
        if !local && token.is_none() {
            return Err(ServeError::TokenRequired(opts.addr));
        }
        if !vigie_store::exists(&opts.db) {
            return Err(ServeError::NoStore(opts.db.display().to_string()));
        }
        let store = Store::open(&opts.db)?;
        let app = Arc::new(App::load(store, token, local)?);
        let listener = std::net::TcpListener::bind(opts.addr)?;
        Ok(Server { listener, app })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub fn run(self) -> Result<(), ServeError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        rt.block_on(async move {
            self.listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            axum::serve(listener, router(self.app)).await
        })?;
        Ok(())
    }
}
