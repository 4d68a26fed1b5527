//! `hakobu-routemate-client`: typed calls to RouteMate's integration API
//! (`shared/seeds/routemate-api.txt`) — the sandbox's or the real one. The types and the
//! import's rules are `hakobu-routemate`'s.
//!
//! The client exchanges its credentials for a bearer token, keeps it, and fetches the next a
//! minute before it expires; a 401 makes it fetch a new one and send once more, after which
//! the 401 surfaces. Imports carry the caller's `Idempotency-Key`, which is what makes
//! retrying them after a lost answer safe; reads are retried as GETs are.

mod clock;
mod error;
mod held_token;
mod sandbox;

use std::sync::Arc;
use std::time::Duration;

use hakobu_retry::edge::{self, JsonBodyError, NoAnswer};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::RouteMateError;
pub use hakobu_retry::RetryPolicy;
pub use sandbox::{SANDBOX_CLIENTS_PATH, create_sandbox_credentials};

use hakobu_routemate::{
    Credentials, IDEMPOTENCY_KEY, IMPORT_PATH, ImportRequest, ImportResponse, JOBS_PATH, Job,
    JobList, TOKEN_PATH, TokenResponse,
};
use held_token::HeldToken;
/// How long one request may take before it counts as a transport failure. Imports geocode
/// and optimise on the server, so this is longer than a plain read needs.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Jobs asked for per page by [`RouteMateClient::jobs`] (the sandbox's maximum).
pub const JOBS_PER_PAGE: u32 = 100;

/// A RouteMate endpoint and its client credentials. Clones share the connection pool and
/// the token.
#[derive(Clone)]
pub struct RouteMateClient {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    /// The token in use. Held while a new one is fetched, so concurrent requests wait for
    /// that one instead of each fetching their own.
    token: Arc<tokio::sync::Mutex<Option<HeldToken>>>,
}

impl std::fmt::Debug for RouteMateClient {
    // The secret and the token are credentials: they never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteMateClient")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("token", &"<redacted>")
            .finish()
    }
}

fn http_client() -> Result<reqwest::Client, RouteMateError> {
    hakobu_retry::edge::client_builder(DEFAULT_TIMEOUT)
        .build()
        .map_err(|e| RouteMateError::Transport(e.to_string()))
}

impl RouteMateClient {
    /// `base_url` is what the document's paths follow, e.g. `https://api.routemate.app` or
    /// the sandbox's `http://127.0.0.1:PORT`.
    pub fn new(
        base_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<RouteMateClient, RouteMateError> {
        Ok(RouteMateClient {
            http: http_client()?,
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials: Credentials {
                client_id: client_id.to_owned(),
                client_secret: client_secret.to_owned(),
            },
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            token: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// Replaces the retry policy (`max_attempts: 1` turns retries off).
    pub fn with_retry(mut self, retry: RetryPolicy) -> RouteMateClient {
        self.retry = retry;
        self
    }

    /// Replaces the clock tokens expire by.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> RouteMateClient {
        self.clock = clock;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn client_id(&self) -> &str {
        &self.credentials.client_id
    }

    /// `POST /v1/integration-import` under `idempotency_key`: the same key with the same
    /// request answers the first import again, so a send whose answer was lost can be
    /// repeated — by this client's retries, or by the caller with the same key. A request
    /// that breaks the import's rules ([`ImportRequest::check`]) is refused here, with the
    /// 400 the sandbox would answer, and never sent.
    pub async fn import(
        &self,
        request: &ImportRequest,
        idempotency_key: &str,
    ) -> Result<ImportResponse, RouteMateError> {
        request
            .check()
            .map_err(|broken| RouteMateError::BadRequest {
                message: broken.to_string(),
            })?;
        self.authorized(|| {
            self.request(Method::POST, IMPORT_PATH)
                .header(IDEMPOTENCY_KEY, idempotency_key)
                .json(request)
        })
        .await
    }

    /// `GET /v1/integration-jobs?job_id=…`
    pub async fn job_by_id(&self, job_id: &str) -> Result<Job, RouteMateError> {
        self.authorized(|| {
            self.request(Method::GET, JOBS_PATH)
                .query(&[("job_id", job_id)])
        })
        .await
    }

    /// `GET /v1/integration-jobs?external_job_id=…`
    pub async fn job_by_external_id(&self, external_job_id: &str) -> Result<Job, RouteMateError> {
        self.authorized(|| {
            self.request(Method::GET, JOBS_PATH)
                .query(&[("external_job_id", external_job_id)])
        })
        .await
    }

    /// `GET /v1/integration-jobs?page=…`: [`JOBS_PER_PAGE`] jobs a page, oldest first, from 1.
    pub async fn jobs(&self, page: u32) -> Result<JobList, RouteMateError> {
        self.authorized(|| {
            self.request(Method::GET, JOBS_PATH)
                .query(&[("page", page), ("per_page", JOBS_PER_PAGE)])
        })
        .await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .header("Accept", "application/json")
    }

    /// Sends with the current token; on a 401, once more with a new one.
    async fn authorized<T: DeserializeOwned>(
        &self,
        make: impl Fn() -> RequestBuilder,
    ) -> Result<T, RouteMateError> {
        let token = self.token().await?;
        let body = match self.send(make().bearer_auth(&token)).await {
            Err(RouteMateError::Unauthorized { .. }) => {
                // Expired early, revoked, or the server restarted without it.
                self.forget(&token).await;
                let token = self.token().await?;
                self.send(make().bearer_auth(&token)).await?
            }
            other => other?,
        };
        decode(&body)
    }

    /// The token to use: the one held while fresh, else a new one.
    async fn token(&self) -> Result<String, RouteMateError> {
        let mut held = self.token.lock().await;
        if let Some(t) = held.as_ref().filter(|t| t.is_fresh(self.clock.now())) {
            return Ok(t.value.clone());
        }
        let response: TokenResponse = decode(
            &self
                .send(
                    self.request(Method::POST, TOKEN_PATH)
                        .json(&self.credentials),
                )
                .await?,
        )?;
        // Timed from the answer, not the request: the token cannot outlive what we assume.
        let fresh = HeldToken::new(response, self.clock.now());
        let value = fresh.value.clone();
        *held = Some(fresh);
        Ok(value)
    }

    /// Drops the token the server refused — unless another request already replaced it.
    async fn forget(&self, refused: &str) {
        let mut held = self.token.lock().await;
        if held.as_ref().is_some_and(|t| t.value == refused) {
            *held = None;
        }
    }

    /// One request and its answer's JSON body, retried per [`RetryPolicy`] when there is no
    /// answer, a 429 or a 5xx. A 2xx whose body is not JSON at all (a proxy's page, a body cut
    /// short) is no answer too ([`edge::read_json`]): every request this client sends may
    /// repeat, and whether an import was applied is for its keyed resend to find out.
    async fn send(&self, request: RequestBuilder) -> Result<Vec<u8>, RouteMateError> {
        let built = request.build().map_err(RouteMateError::from_reqwest)?;
        let mut attempt = 1;
        loop {
            // JSON bodies are bytes, so every request this client builds can be copied.
            let this_try = built.try_clone().ok_or_else(|| {
                RouteMateError::Transport("request body cannot be repeated".into())
            })?;
            let outcome = match self.http.execute(this_try).await {
                Ok(response) if response.status().is_success() => json_body(response).await,
                Ok(response) => Err(answer(response).await),
                Err(e) => Err(RouteMateError::from_reqwest(e)),
            };
            let unanswered = match &outcome {
                Err(RouteMateError::Transport(_)) => true,
                Err(RouteMateError::Server { status, .. }) => {
                    hakobu_retry::worth_retrying(reqwest::StatusCode::from_u16(*status).ok())
                }
                Err(_) | Ok(_) => false,
            };
            if unanswered && attempt < self.retry.max_attempts {
                tokio::time::sleep(self.retry.delay(attempt)).await;
                attempt += 1;
                continue;
            }
            return outcome;
        }
    }
}

/// A non-2xx answer as the error it means (a redirect to another origin named as such: it
/// was not followed).
async fn answer(response: Response) -> RouteMateError {
    let status = response.status();
    if let Some(refusal) = edge::redirect_refusal(&response) {
        return RouteMateError::Server {
            status: status.as_u16(),
            message: refusal,
        };
    }
    let body = edge::error_text(response).await;
    RouteMateError::from_status(status, &body)
}

/// A 2xx answer's JSON body; not JSON or cut off is no answer (`Transport`), past the size
/// cap `Decode`.
async fn json_body(response: Response) -> Result<Vec<u8>, RouteMateError> {
    edge::read_json(response).await.map_err(|e| match e {
        JsonBodyError::NoAnswer(NoAnswer::NotJson(words)) => RouteMateError::Transport(words),
        JsonBodyError::NoAnswer(NoAnswer::Read(e)) => RouteMateError::from_reqwest(e),
        JsonBodyError::TooLarge { limit } => RouteMateError::Decode(edge::too_large(limit)),
    })
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RouteMateError> {
    serde_json::from_slice(bytes).map_err(|e| RouteMateError::Decode(e.to_string()))
}
