//! The local webhook receiver: an axum server on 127.0.0.1 (a free port) that takes DIAq's
//! webhook POSTs, checks their Standard Webhooks signature when a secret is set, and hands
//! them to [`Dispatch::take_webhook`].
//!
//! Answers: 200 with `{result, detail}` when applied, already applied (a retry) or ignored;
//! 401 for a missing or wrong signature or a timestamp more than 5 minutes off; 400 for a
//! body that is not an event; 413 for a body over [`BODY_LIMIT`]; 503 when the API could not
//! confirm the event (the sender retries, and the retry is applied); 500 when the cache failed.
//!
//! The app's receiver always has a secret (it exists only with the embedded sandbox, which
//! signs); an unsigned one is for this crate's tests only.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hakobu_webhook_signature::{
    ID_HEADER, SIGNATURE_HEADER, SignedHeaders, TIMESTAMP_HEADER, WebhookSecret,
};
use rand::SeedableRng;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::intake_timing::Stage;
use crate::webhook_intake::IntakeError;
use crate::{CommandError, Dispatch, ErrorCode, Mode};

/// The path events are POSTed to.
pub const WEBHOOK_PATH: &str = "/webhooks/diaq";

/// The largest body taken (413 beyond). An event is one order object (a few KiB with many
/// packages); a bound well above that keeps a sender from making us buffer megabytes.
pub const BODY_LIMIT: usize = 256 * 1024;

/// A running receiver. Stops on [`WebhookReceiver::shutdown`] or when dropped.
pub struct WebhookReceiver {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("url", &self.url)
            .finish()
    }
}

impl WebhookReceiver {
    /// `http://127.0.0.1:PORT/webhooks/diaq`: what the sender is given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Clone)]
struct Receiving {
    dispatch: Arc<Dispatch>,
    /// `None` only in this crate's tests ([`Dispatch::serve_unsigned_webhooks`]).
    secret: Option<Arc<WebhookSecret>>,
}

impl Dispatch {
    /// Embedded sandbox mode: starts the receiver with a fresh random secret and registers it
    /// with the sandbox (`PUT /sandbox/webhook`), so status changes and driver moves reach the
    /// cache as they happen. Call once per launch (the sandbox keeps registrations in memory);
    /// keep the returned receiver alive as long as events should arrive.
    ///
    /// A remote DIAq cannot be registered from here (its webhook URL is set in its admin
    /// screen, and must be public HTTPS): `config` error. Periodic [`Dispatch::sync_orders`]
    /// keeps the cache current there.
    pub async fn start_webhook_receiver(self: &Arc<Self>) -> Result<WebhookReceiver, CommandError> {
        if self.mode != Mode::Sandbox {
            return Err(CommandError::new(
                ErrorCode::Config,
                "webhooks are registered automatically only with the embedded sandbox; \
                 a DIAq endpoint's webhook URL is set in its admin screen",
            ));
        }
        // The secret must be unguessable, so it comes from the OS, not a seeded generator.
        let secret = WebhookSecret::generate(&mut rand::rngs::StdRng::from_os_rng());
        let exposed = secret.expose();
        let receiver = self.serve_webhooks(secret).await?;
        let registered = self
            .client
            .sandbox_register_webhook(receiver.url(), &exposed)
            .await;
        self.observe(&registered);
        if let Err(e) = registered {
            receiver.shutdown().await;
            return Err(e.into());
        }
        Ok(receiver)
    }

    /// Starts a receiver on 127.0.0.1 (a free port) without registering it anywhere: only
    /// requests signed with `secret`, and fresh, are taken.
    pub async fn serve_webhooks(
        self: &Arc<Self>,
        secret: WebhookSecret,
    ) -> Result<WebhookReceiver, CommandError> {
        self.serve(Some(secret)).await
    }

    /// A receiver that takes anything posted, de-duplicated by `webhook-id` or, lacking that,
    /// by the body's SHA-256. Tests only: a loopback port that believes any local process
    /// would let it move drivers on the map.
    #[cfg(test)]
    pub(crate) async fn serve_unsigned_webhooks(
        self: &Arc<Self>,
    ) -> Result<WebhookReceiver, CommandError> {
        self.serve(None).await
    }

    async fn serve(
        self: &Arc<Self>,
        secret: Option<WebhookSecret>,
    ) -> Result<WebhookReceiver, CommandError> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| {
                CommandError::new(ErrorCode::Internal, format!("webhook receiver: {e}"))
            })?;
        let addr = listener.local_addr().map_err(|e| {
            CommandError::new(ErrorCode::Internal, format!("webhook receiver: {e}"))
        })?;
        let state = Receiving {
            dispatch: self.clone(),
            secret: secret.map(Arc::new),
        };
        let app = Router::new()
            .route(WEBHOOK_PATH, post(receive))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!("webhook receiver stopped: {e}");
            }
        });
        Ok(WebhookReceiver {
            url: format!("http://{addr}{WEBHOOK_PATH}"),
            stop: Some(stop),
            task: Some(task),
        })
    }
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

async fn receive(
    State(r): State<Receiving>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // Over the limit (or cut off): answered in our error shape, not axum's plain text.
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!("webhook body refused: {e}");
            return refuse(e.status(), format!("body: {}", e.body_text()));
        }
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let verifying = std::time::Instant::now();
    if let Some(secret) = &r.secret {
        let signed = SignedHeaders {
            id: header(ID_HEADER),
            timestamp: header(TIMESTAMP_HEADER),
            signature: header(SIGNATURE_HEADER),
        };
        if let Err(e) = secret.verify(signed, &body, r.dispatch.clock.now()) {
            tracing::warn!("webhook refused: {e}");
            return refuse(StatusCode::UNAUTHORIZED, e.to_string());
        }
        r.dispatch
            .intake_timing
            .note(Stage::Verify, verifying.elapsed());
    }
    let id = match header(ID_HEADER).filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        // Only the tests' unsigned receiver gets here (a signature needs the id): a retry
        // repeats the body, so its hash stands in.
        None => format!("sha256:{:x}", Sha256::digest(&body)),
    };
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "body: must be JSON");
    };
    match r.dispatch.take_webhook(&id, &event).await {
        Ok(outcome) => (StatusCode::OK, Json(outcome)).into_response(),
        Err(IntakeError::Malformed(m)) => refuse(StatusCode::BAD_REQUEST, m),
        Err(e @ IntakeError::Unconfirmed(_)) => {
            tracing::info!("webhook {id} not applied yet: {e}");
            refuse(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        }
        Err(IntakeError::Cache(e)) => {
            tracing::error!("webhook {id}: {e}");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "cache error")
        }
    }
}

#[cfg(test)]
mod tests {
    use hakobu_cache::Cache;
    use hakobu_diaq_client::DiaqClient;
    use hakobu_sandbox::SandboxConfig;
    use serde_json::Value;

    use super::*;
    use crate::SystemClock;

    async fn post(url: &str, body: &str) -> (u16, Value) {
        let res = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn the_unsigned_receiver_de_duplicates_by_the_bodys_hash() {
        let dir = tempfile::tempdir().unwrap();
        let config = SandboxConfig {
            db_path: dir.path().join("sandbox.db"),
            api_key: "k".into(),
            ..SandboxConfig::default()
        };
        let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
        let client = DiaqClient::new(&server.base_url(), "k").unwrap();
        let dispatch = Arc::new(
            Dispatch::new(
                client,
                cache.clone(),
                Mode::Sandbox,
                Arc::new(SystemClock),
                None,
            )
            .unwrap(),
        );
        let open = dispatch.serve_unsigned_webhooks().await.unwrap();
        let body = json!({"event": "driver.location", "driver": {"id": 4, "name": "高橋 美咲",
            "location": {"latitude": 35.6812, "longitude": 139.7671,
                         "update": "2026-11-23T09:01:00+09:00"}}})
        .to_string();
        // No signature and no webhook-id: taken, and a resend (same body) is a duplicate.
        let (status, answer) = post(open.url(), &body).await;
        assert_eq!((status, answer["result"].as_str()), (200, Some("applied")));
        let (status, answer) = post(open.url(), &body).await;
        assert_eq!(
            (status, answer["result"].as_str()),
            (200, Some("duplicate"))
        );
        assert_eq!(cache.webhook_event_count(None).unwrap(), 1);
        let d = cache.driver(4).unwrap().unwrap();
        assert_eq!((d.lat, d.lng), (35.6812, 139.7671));
        // No secret means no check, not no reading: a body that is no event is still a 400.
        let (status, _) = post(open.url(), r#"{"event": "driver.location"}"#).await;
        assert_eq!(status, 400);
        open.shutdown().await;
        server.shutdown().await;
    }
}
