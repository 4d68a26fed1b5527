//! The local webhook receiver: an axum server on 127.0.0.1 (a free port) that takes DIAq's
//! webhook POSTs, checks their Standard Webhooks signature when a secret is set, and hands
//! them to [`Dispatch::take_webhook`].
//!
//! Answers: 200 with `{result, detail}` when applied, already applied (a retry) or ignored;
//! 401 for a missing or wrong signature or a timestamp more than 5 minutes off; 400 for a
//! body that is not an event; 503 when the API could not confirm the event (the sender
//! retries, and the retry is applied); 500 when the cache failed.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hakobu_webhook_signature::{SignedHeaders, WebhookSecret};
use rand::SeedableRng;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::webhook_intake::IntakeError;
use crate::{CommandError, Dispatch, ErrorCode, Mode};

/// The path events are POSTed to.
pub const WEBHOOK_PATH: &str = "/webhooks/diaq";

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
        let receiver = self.serve_webhooks(Some(secret)).await?;
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

    /// Starts a receiver on 127.0.0.1 (a free port) without registering it anywhere. With a
    /// `secret`, only correctly signed, fresh requests are taken; without one, anything posted
    /// is (the real DIAq does not sign), de-duplicated by `webhook-id` or, lacking that, by
    /// the body's SHA-256.
    pub async fn serve_webhooks(
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

async fn receive(State(r): State<Receiving>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(secret) = &r.secret {
        let signed = SignedHeaders {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
        };
        if let Err(e) = secret.verify(signed, &body, r.dispatch.clock.now()) {
            tracing::warn!("webhook refused: {e}");
            return refuse(StatusCode::UNAUTHORIZED, e.to_string());
        }
    }
    let id = match header("webhook-id").filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        // Unsigned senders may send no id: a retry repeats the body, so its hash stands in.
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
