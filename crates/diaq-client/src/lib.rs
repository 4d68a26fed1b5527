//! `hakobu-diaq-client`: typed calls to any DIAq server — the embedded sandbox or the real API.

mod error;
mod keyed;
mod orders;
mod sandbox_webhook;
mod stores;

use std::time::Duration;

use hakobu_diaq::TimeZone;
use hakobu_retry::edge::{self, JsonBodyError, NoAnswer};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

pub use error::ClientError;
pub use hakobu_retry::RetryPolicy;
pub use orders::OrderQuery;

/// The page size used when reading every page of a list.
pub const PAGE_SIZE: u32 = 100;

/// The most pages read for one list (500,000 items at [`PAGE_SIZE`]): past it the server is
/// taken to be going round in circles, and the read ends in an error rather than in memory
/// exhaustion.
pub const MAX_PAGES: u32 = 5_000;

/// Reads pages 1, 2, … with `page` until one comes back shorter than [`PAGE_SIZE`]. A full
/// page holding only items already read means the server ignores `page` (it would answer the
/// same page forever): an error, as is passing [`MAX_PAGES`]. Items that moved between pages
/// while reading (a new order shifting the list) repeat some, never all, of a page.
async fn all_pages<T, F, Fut>(mut page: F, id: impl Fn(&T) -> &str) -> Result<Vec<T>, ClientError>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, ClientError>>,
{
    let mut all = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in 1..=MAX_PAGES {
        let batch = page(n).await?;
        let last = batch.len() < PAGE_SIZE as usize;
        let mut new = 0;
        for item in &batch {
            new += usize::from(seen.insert(id(item).to_owned()));
        }
        if n > 1 && !batch.is_empty() && new == 0 {
            return Err(ClientError::Decode(format!(
                "page {n} holds only items of earlier pages: the server ignores `page`, so the list cannot be read to its end"
            )));
        }
        all.extend(batch);
        if last {
            return Ok(all);
        }
    }
    Err(ClientError::Decode(format!(
        "more than {MAX_PAGES} pages of {PAGE_SIZE}: stopped reading"
    )))
}

/// The header that makes a write safe to repeat (DESIGN.md semantics).
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// How long one request may take before it counts as a transport failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// A DIAq endpoint and its key. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct DiaqClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    retry: RetryPolicy,
}

impl std::fmt::Debug for DiaqClient {
    // The key is a credential: it never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiaqClient")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl DiaqClient {
    /// `base_url` is what the document's paths follow, e.g. `https://api.dia-9.com` or the
    /// sandbox's `http://127.0.0.1:PORT`.
    pub fn new(base_url: &str, api_key: &str) -> Result<DiaqClient, ClientError> {
        let http = hakobu_retry::edge::client_builder(DEFAULT_TIMEOUT)
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(DiaqClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            retry: RetryPolicy::default(),
        })
    }

    /// Replaces the retry policy (`max_attempts: 1` turns retries off).
    pub fn with_retry(mut self, retry: RetryPolicy) -> DiaqClient {
        self.retry = retry;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The key, for the app to fingerprint which account a queued write is for. Only a
    /// fingerprint is stored or shown; the key itself stays in the client and the keyring.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// `GET /v1/time_zones`
    pub async fn time_zones(&self) -> Result<Vec<TimeZone>, ClientError> {
        self.json(self.request(Method::GET, "/v1/time_zones")).await
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .header("Api-Key", &self.api_key)
            .header("Accept", "application/json")
    }

    /// Sends `request` and reads its answer's body, retried per [`RetryPolicy`] when it may
    /// repeat (a GET, or a write carrying an `Idempotency-Key`) and there was no answer, a 429
    /// or a 5xx — a POST only after a 429. With `expect_json`, a 2xx whose body is not JSON at all (a proxy's page, a
    /// body cut short) counts as no answer too: whether the write was applied is unknown, so
    /// it is neither a success nor a refusal, and a keyed resend is what finds out.
    async fn exchange(
        &self,
        request: RequestBuilder,
        expect_json: bool,
    ) -> Result<Vec<u8>, ClientError> {
        let built = request.build().map_err(ClientError::from_reqwest)?;
        let repeatable = hakobu_retry::may_repeat(
            built.method(),
            built.headers().contains_key(IDEMPOTENCY_KEY),
        );
        let mut attempt = 1;
        loop {
            // JSON bodies are bytes, so every request this client builds can be copied.
            let this_try = built
                .try_clone()
                .ok_or_else(|| ClientError::Transport("request body cannot be repeated".into()))?;
            let outcome = match self.http.execute(this_try).await {
                Ok(response) if response.status().is_success() => {
                    if expect_json {
                        Self::json_body(response).await
                    } else {
                        Ok(Ok(Vec::new()))
                    }
                }
                Ok(response) => Ok(Err(response)),
                Err(e) => Err(ClientError::from_reqwest(e)),
            };
            let unanswered = match &outcome {
                Err(ClientError::Transport(_)) => true,
                Err(_) | Ok(Ok(_)) => false,
                Ok(Err(response)) => hakobu_retry::worth_retrying(Some(response.status())),
            };
            // A POST makes something. Sent again after no answer, or after a 5xx (which may
            // come once it was made), it could be made twice by a server that keeps no
            // `Idempotency-Key` (DIAq's document promises none): only a 429, refused before any
            // work, is repeated here. The outbox sends it again later, after looking for it.
            let safe = built.method() != Method::POST
                || matches!(&outcome, Ok(Err(r)) if r.status() == StatusCode::TOO_MANY_REQUESTS);
            if repeatable && unanswered && safe && attempt < self.retry.max_attempts {
                tokio::time::sleep(self.retry.delay(attempt)).await;
                attempt += 1;
                continue;
            }
            let response = match outcome? {
                Ok(body) => return Ok(body),
                Err(response) => response,
            };
            let status = response.status();
            // A DELETE sent again after an attempt without an answer: a 404 now is that first
            // attempt having done it (a server need not keep `Idempotency-Key`s; DIAq's
            // document does not mention them).
            if attempt > 1 && built.method() == Method::DELETE && status == StatusCode::NOT_FOUND {
                return Ok(Vec::new());
            }
            if let Some(refusal) = edge::redirect_refusal(&response) {
                return Err(ClientError::Server {
                    status: status.as_u16(),
                    message: refusal,
                });
            }
            let body = edge::error_text(response).await;
            return Err(ClientError::from_status(status, &body));
        }
    }

    /// A 2xx answer's body: `Ok(Ok(bytes))` when it is JSON; a `Transport` error (no answer)
    /// when it is not JSON or was cut off; `Decode` past the size cap
    /// ([`edge::read_json`], the rule's home).
    async fn json_body(response: Response) -> Result<Result<Vec<u8>, Response>, ClientError> {
        match edge::read_json(response).await {
            Ok(bytes) => Ok(Ok(bytes)),
            Err(JsonBodyError::NoAnswer(NoAnswer::NotJson(words))) => {
                Err(ClientError::Transport(words))
            }
            Err(JsonBodyError::NoAnswer(NoAnswer::Read(e))) => Err(ClientError::from_reqwest(e)),
            Err(JsonBodyError::TooLarge { limit }) => {
                Err(ClientError::Decode(edge::too_large(limit)))
            }
        }
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, ClientError> {
        let bytes = self.exchange(request, true).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    async fn no_content(&self, request: RequestBuilder) -> Result<(), ClientError> {
        self.exchange(request, false).await.map(drop)
    }
}
