//! Webhooks: every status change of a delivery or fetch, and every driver location report, is
//! POSTed to the registered URL as `{"event": "delivery.assigned", "created_at": …, "delivery":
//! {…}}` (DESIGN.md), signed per Standard Webhooks. One background task sends the queue in order,
//! retrying each message with exponential backoff and logging every attempt in SQLite.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use hakobu_webhook_signature::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookSecret};
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use crate::Sandbox;
use crate::error::AppError;
use crate::extract::Query;
use crate::openapi::{ErrorBody, WebhookAttempt, WebhookBody, WebhookRegistered};
use crate::orders::parse_json;

/// Messages waiting to be sent; beyond this, new events are dropped (and logged as dropped).
pub const QUEUE_LEN: usize = 1024;
/// Tries per message, the first included.
pub const ATTEMPTS: u32 = 5;
/// Wait before the second try; doubled before each later one (0.5, 1, 2, 4 s).
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// One try's limit, connection included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where events go and the key they are signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `https://…`; `http://` only for 127.0.0.1, localhost or [::1] (the app's local receiver).
    pub url: String,
    /// `whsec_` + base64 of the HMAC key (Standard Webhooks).
    pub secret: String,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A checked [`WebhookConfig`]: the URL and the parsed secret.
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) secret: WebhookSecret,
}

impl WebhookConfig {
    pub(crate) fn target(&self) -> Result<Target, AppError> {
        check_url(&self.url)?;
        let secret = WebhookSecret::parse(&self.secret)
            .map_err(|e| AppError::BadRequest(format!("{e} (Standard Webhooks)")))?;
        Ok(Target {
            url: self.url.clone(),
            secret,
        })
    }
}

/// The real DIAq requires HTTPS; the sandbox also accepts plain HTTP to the loopback interface,
/// where the app's own receiver listens.
fn check_url(url: &str) -> Result<(), AppError> {
    let bad = || {
        AppError::BadRequest(
            "url: must be an https:// URL (http:// only for 127.0.0.1, localhost or [::1])".into(),
        )
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| bad())?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if matches!(host, "127.0.0.1" | "localhost" | "[::1]") => Ok(()),
        _ => Err(bad()),
    }
}

/// One event to send: its id stays the same across retries (receivers de-duplicate on it).
pub(crate) struct Message {
    id: String,
    event: String,
    body: String,
    target: Arc<Target>,
}

/// The registered target and the queue's sending end; the receiving end is taken once by
/// [`deliver`] when the sandbox starts serving.
pub(crate) struct Webhooks {
    target: Mutex<Option<Arc<Target>>>,
    queue: mpsc::Sender<Message>,
    inbox: Mutex<Option<mpsc::Receiver<Message>>>,
}

impl Webhooks {
    pub(crate) fn new(config: Option<&WebhookConfig>) -> Result<Webhooks, AppError> {
        let target = config.map(WebhookConfig::target).transpose()?;
        let (queue, inbox) = mpsc::channel(QUEUE_LEN);
        Ok(Webhooks {
            target: Mutex::new(target.map(Arc::new)),
            queue,
            inbox: Mutex::new(Some(inbox)),
        })
    }

    fn set(&self, target: Option<Target>) {
        *self.target.lock().unwrap_or_else(|p| p.into_inner()) = target.map(Arc::new);
    }

    pub(crate) fn current(&self) -> Option<Arc<Target>> {
        self.target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn take_inbox(&self) -> Option<mpsc::Receiver<Message>> {
        self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Queues `body` (which carries `event` and `created_at`) for the current target; nothing
    /// happens without one. Never blocks: callers may hold the database lock, which is what
    /// keeps events in the order their changes were committed.
    pub(crate) fn send(&self, event: &str, body: &Value) {
        let Some(target) = self.current() else {
            return;
        };
        let message = Message {
            id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
            event: event.to_owned(),
            body: body.to_string(),
            target,
        };
        if let Err(e) = self.queue.try_send(message) {
            tracing::warn!("webhook queue full or closed, event dropped: {e}");
        }
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Sends queued messages one at a time, in order, until `stop` turns true. A message is tried
/// up to [`ATTEMPTS`] times; any 2xx answer ends it, anything else (other status, timeout,
/// refused connection) waits and tries again. Messages still queued at shutdown are dropped.
pub(crate) async fn deliver(
    db: Arc<Mutex<Connection>>,
    mut inbox: mpsc::Receiver<Message>,
    mut stop: watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhooks disabled, no HTTP client: {e}");
            return;
        }
    };
    loop {
        let message = tokio::select! {
            m = inbox.recv() => match m {
                Some(m) => m,
                None => return,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        for attempt in 1..=ATTEMPTS {
            // Transport time, not the sandbox's clock: receivers compare it with their own
            // wall clock to refuse replays.
            let sent_at = unix_now();
            let timestamp = i64::try_from(sent_at.as_secs()).unwrap_or(i64::MAX);
            let signature =
                message
                    .target
                    .secret
                    .sign(&message.id, timestamp, message.body.as_bytes());
            let started = Instant::now();
            let answer = client
                .post(&message.target.url)
                .header("content-type", "application/json")
                .header(ID_HEADER, &message.id)
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(SIGNATURE_HEADER, signature)
                .body(message.body.clone())
                .send()
                .await;
            let (status, error) = match answer {
                Ok(r) => (Some(r.status().as_u16()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let took = started.elapsed();
            let logged = db.lock().unwrap_or_else(|p| p.into_inner()).execute(
                "INSERT INTO webhook_attempts
                        (message_id, event, url, attempt, attempted_at, status, error, duration_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    message.id,
                    message.event,
                    message.target.url,
                    attempt,
                    i64::try_from(sent_at.as_millis()).unwrap_or(i64::MAX),
                    status,
                    error,
                    i64::try_from(took.as_millis()).unwrap_or(i64::MAX),
                ],
            );
            if let Err(e) = logged {
                tracing::warn!("webhook attempt not logged: {e}");
            }
            if status.is_some_and(|s| (200..300).contains(&s)) {
                break;
            }
            if attempt == ATTEMPTS {
                tracing::warn!(
                    "webhook {} ({}) given up after {ATTEMPTS} attempts",
                    message.id,
                    message.event
                );
                break;
            }
            let wait = FIRST_RETRY * 2u32.pow(attempt - 1);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

#[utoipa::path(
    put,
    path = "/sandbox/webhook",
    tag = "sandbox",
    request_body = WebhookBody,
    responses((status = 200, description = "Registered", body = WebhookRegistered), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
/// `PUT /sandbox/webhook` with `{"url": "...", "secret": "whsec_..."}`: where events go from
/// now on (replacing any earlier registration). Answers `{"url": ...}`.
pub async fn register(State(sb): State<Sandbox>, body: Bytes) -> Result<Json<Value>, AppError> {
    let body = parse_json(&body)?;
    let field = |name: &str| -> Result<String, AppError> {
        body[name]
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| AppError::BadRequest(format!("{name}: is required")))
    };
    let config = WebhookConfig {
        url: field("url")?,
        secret: field("secret")?,
    };
    sb.webhooks.set(Some(config.target()?));
    Ok(Json(json!({ "url": config.url })))
}

#[utoipa::path(
    delete,
    path = "/sandbox/webhook",
    tag = "sandbox",
    responses((status = 204, description = "No more events are sent"))
)]
/// `DELETE /sandbox/webhook`: stop sending (messages already queued are still sent).
pub async fn unregister(State(sb): State<Sandbox>) -> StatusCode {
    sb.webhooks.set(None);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptParams {
    message_id: Option<String>,
    event: Option<String>,
}

#[utoipa::path(
    get,
    path = "/sandbox/webhook/attempts",
    tag = "sandbox",
    params(AttemptParams),
    responses((status = 200, description = "The delivery log, oldest first (the last 1000)", body = Vec<WebhookAttempt>))
)]
/// `GET /sandbox/webhook/attempts[?message_id=…][&event=…]`: the delivery log, oldest first
/// (the last 1000 matching).
pub async fn attempts(
    State(sb): State<Sandbox>,
    Query(p): Query<AttemptParams>,
) -> Result<Json<Vec<Value>>, AppError> {
    let rows = sb.with_db(|db| {
        let mut stmt = db.prepare(
            "SELECT * FROM (
                SELECT seq, message_id, event, url, attempt, attempted_at, status, error, duration_ms
                FROM webhook_attempts
                WHERE (?1 IS NULL OR message_id = ?1) AND (?2 IS NULL OR event = ?2)
                ORDER BY seq DESC LIMIT 1000
             ) ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![p.message_id, p.event], |r| {
            let at: i64 = r.get(5)?;
            Ok(json!({
                "message_id": r.get::<_, String>(1)?,
                "event": r.get::<_, String>(2)?,
                "url": r.get::<_, String>(3)?,
                "attempt": r.get::<_, i64>(4)?,
                "attempted_at": chrono::DateTime::from_timestamp_millis(at)
                    .map(|t| hakobu_diaq::time::format_millis(hakobu_diaq::time::from_utc(t))),
                "status": r.get::<_, Option<i64>>(6)?,
                "error": r.get::<_, Option<String>>(7)?,
                "duration_ms": r.get::<_, i64>(8)?,
            }))
        })?;
        rows.collect::<rusqlite::Result<Vec<Value>>>()
    })?;
    Ok(Json(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http() {
        for ok in [
            "https://example.com/hooks",
            "http://127.0.0.1:8080/webhooks",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/hooks",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/",
            "not a url",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bad_secret_is_a_400_naming_the_field() {
        // What makes a secret bad is hakobu-webhook-signature's rule (tested there).
        let config = |secret: &str| WebhookConfig {
            url: "https://example.com/".into(),
            secret: secret.into(),
        };
        assert!(
            config("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .target()
                .is_ok()
        );
        match config("whsec_").target() {
            Err(AppError::BadRequest(m)) => assert!(m.starts_with("secret: "), "{m}"),
            _ => panic!("a bad secret was taken"),
        }
    }
}
