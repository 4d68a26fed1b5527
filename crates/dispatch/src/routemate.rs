//! Sending planned routes to RouteMate and following their progress.
//!
//! A send is remembered in the cache from its first attempt (`routemate_jobs`, keyed by the
//! plan-derived `external_job_id`, see `routemate_plan.rs`): a plan already imported is
//! answered from the cache without asking again; one whose send got no answer is sent again
//! under the same `Idempotency-Key` (the server may have imported it); one the server
//! refused gets a new key, so a fixed cause is not answered with the old refusal. Progress is
//! read by [`Dispatch::refresh_routemate_jobs`] for every job not yet completed.

use hakobu_cache::{NewRouteMateJob, RouteMateJobRow, RouteMateJobStatus};
use hakobu_routemate_client::{RouteMateClient, RouteMateError, create_sandbox_credentials};
use serde::Serialize;
use ts_rs::TS;

use crate::routemate_plan::idempotency_key;
use crate::{
    CommandError, Dispatch, ErrorCode, ErrorDetail, PlannedRoute, RouteMateSettings, tokyo_rfc3339,
};

/// Which jobs in the cache belong to the embedded sandbox's RouteMate. Its port changes every
/// launch, its database does not, so the URL cannot name it.
pub const SANDBOX_SOURCE: &str = "sandbox";

/// The RouteMate the app sends routes to, and the name its jobs are cached under.
#[derive(Debug, Clone)]
pub struct RouteMateLink {
    client: RouteMateClient,
    source: String,
}

impl RouteMateLink {
    /// `source` separates the cached jobs of different RouteMate accounts.
    pub fn new(client: RouteMateClient, source: &str) -> RouteMateLink {
        RouteMateLink {
            client,
            source: source.to_owned(),
        }
    }

    /// A configured RouteMate; its jobs are cached under its URL.
    pub fn remote(settings: &RouteMateSettings) -> Result<RouteMateLink, CommandError> {
        let client = RouteMateClient::new(
            &settings.base_url,
            &settings.client_id,
            &settings.client_secret,
        )?;
        Ok(RouteMateLink::new(client, &settings.base_url))
    }

    /// The embedded sandbox's RouteMate at `base_url` (which answers `api_key`): a new client
    /// id and secret are made on it — the sandbox's stand-in for RouteMate's dashboard — and
    /// used from then on.
    pub async fn embedded_sandbox(
        base_url: &str,
        api_key: &str,
    ) -> Result<RouteMateLink, CommandError> {
        let made = create_sandbox_credentials(base_url, api_key).await?;
        let client = RouteMateClient::new(base_url, &made.client_id, &made.client_secret)?;
        Ok(RouteMateLink::new(client, SANDBOX_SOURCE))
    }

    /// What the app uses: the configured RouteMate, else the embedded sandbox's (`base_url`,
    /// `api_key`) when DIAq is the sandbox, else none.
    pub async fn resolve(
        settings: Option<&RouteMateSettings>,
        embedded_sandbox: Option<(&str, &str)>,
    ) -> Result<Option<RouteMateLink>, CommandError> {
        match (settings, embedded_sandbox) {
            (Some(s), _) => RouteMateLink::remote(s).map(Some),
            (None, Some((url, key))) => RouteMateLink::embedded_sandbox(url, key).await.map(Some),
            (None, None) => Ok(None),
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

impl From<RouteMateError> for CommandError {
    fn from(e: RouteMateError) -> Self {
        let field = e.field().map(str::to_owned);
        let code = match &e {
            RouteMateError::BadRequest { .. } => ErrorCode::BadRequest,
            RouteMateError::NotFound { .. } => ErrorCode::NotFound,
            RouteMateError::Unauthorized { .. } => ErrorCode::Unauthorized,
            RouteMateError::Conflict { .. } | RouteMateError::Unprocessable { .. } => {
                ErrorCode::Conflict
            }
            RouteMateError::Transport(_) => ErrorCode::Transport,
            RouteMateError::Server { .. } | RouteMateError::Decode(_) => ErrorCode::Internal,
        };
        let message = match e {
            // The form shows the field; the message is the server's own words.
            RouteMateError::BadRequest { message } => message,
            other => format!("RouteMate: {other}"),
        };
        CommandError {
            code,
            message,
            field,
            detail: None,
        }
    }
}

/// RouteMate's refusal of the route's driver (its 400 on `driver_email`: a login it does not
/// know, since the fleet takes only emails) carries that fact for the view; its words stay the
/// message. Any other error is as it came.
fn refused_login(mut e: CommandError, driver_email: &str) -> CommandError {
    if e.code == ErrorCode::BadRequest && e.field.as_deref() == Some("driver_email") {
        e.detail = Some(Box::new(ErrorDetail::UnknownToRouteMate {
            driver_email: driver_email.to_owned(),
            said: e.message.clone(),
        }));
    }
    e
}

/// What a refresh found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct RouteMateRefresh {
    /// Jobs asked about: imported and not yet completed.
    pub checked: usize,
    /// `external_job_id`s whose status or counts moved.
    pub changed: Vec<String>,
    /// `external_job_id`s RouteMate no longer knows; not asked about again.
    pub gone: Vec<String>,
}

impl Dispatch {
    /// Sends planned routes to `link` from now on.
    pub fn with_routemate(mut self, link: RouteMateLink) -> Dispatch {
        self.routemate = Some(link);
        self
    }

    fn routemate(&self) -> Result<&RouteMateLink, CommandError> {
        self.routemate.as_ref().ok_or_else(|| {
            CommandError::refused_as(
                ErrorCode::Config,
                Some("routemate"),
                ErrorDetail::RouteMateNotConfigured,
            )
        })
    }

    /// Sends `plan` to RouteMate as one job and caches it. The same plan again is the same
    /// job: answered from the cache once imported, else sent again safely.
    pub async fn send_route_to_routemate(
        &self,
        plan: &PlannedRoute,
    ) -> Result<RouteMateJobRow, CommandError> {
        let link = self.routemate()?;
        let request = plan.to_import();
        let ext = request.external_job_id.as_str();
        let plan_json = serde_json::to_value(plan)
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
        let row = self.cache.routemate_job_begin(&NewRouteMateJob {
            source: &link.source,
            external_job_id: ext,
            plan_date: &plan.date.format("%Y-%m-%d").to_string(),
            driver_email: &request.driver_email,
            title: &request.title,
            plan: &plan_json,
            now: &tokyo_rfc3339(self.clock.now()),
        })?;
        if row.job_id.is_some() {
            return Ok(row);
        }
        let key = idempotency_key(ext, row.revision);
        let answer = match link.client.import(&request, &key).await {
            Ok(answer) => answer,
            Err(e) => {
                self.cache.routemate_job_error(
                    &link.source,
                    ext,
                    &e.to_string(),
                    e.is_refusal(),
                    &tokyo_rfc3339(self.clock.now()),
                )?;
                return Err(refused_login(e.into(), &request.driver_email));
            }
        };
        let answer_json = serde_json::to_value(&answer)
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
        self.cache.routemate_job_imported(
            &link.source,
            ext,
            &answer.job_id,
            &answer_json,
            &tokyo_rfc3339(self.clock.now()),
        )?;
        // The job's first status, so the list shows counts at once. The import stands even
        // when this read fails: the next refresh reads it.
        let _ = self.refresh_routemate_job(link, ext, &answer.job_id).await;
        self.cache.routemate_job(&link.source, ext)?.ok_or_else(|| {
            CommandError::new(ErrorCode::Internal, "routemate job vanished from the cache")
        })
    }

    /// Reads every imported job not yet completed and caches its status and counts. Stops at
    /// the first failure other than "not found" (RouteMate unreachable, credentials refused):
    /// what was read before it is kept.
    pub async fn refresh_routemate_jobs(&self) -> Result<RouteMateRefresh, CommandError> {
        let link = self.routemate()?;
        let open = self.cache.routemate_jobs_open(&link.source)?;
        let mut report = RouteMateRefresh {
            checked: open.len(),
            ..RouteMateRefresh::default()
        };
        for row in open {
            let Some(job_id) = row.job_id.as_deref() else {
                continue;
            };
            match self
                .refresh_routemate_job(link, &row.external_job_id, job_id)
                .await
            {
                Ok(Some(after))
                    if (after.status.as_deref(), after.status_counts.as_ref())
                        != (row.status.as_deref(), row.status_counts.as_ref()) =>
                {
                    report.changed.push(row.external_job_id);
                }
                Ok(Some(_)) => {}
                Ok(None) => report.gone.push(row.external_job_id),
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// One job read and cached: the row after, or `None` when RouteMate does not know it.
    async fn refresh_routemate_job(
        &self,
        link: &RouteMateLink,
        external_job_id: &str,
        job_id: &str,
    ) -> Result<Option<RouteMateJobRow>, CommandError> {
        let now = tokyo_rfc3339(self.clock.now());
        match link.client.job_by_id(job_id).await {
            Ok(job) => {
                let counts = serde_json::to_value(&job.status_counts)
                    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
                let whole = serde_json::to_value(&job)
                    .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
                self.cache.routemate_job_status(
                    &link.source,
                    external_job_id,
                    &RouteMateJobStatus {
                        status: job.status.as_str(),
                        stop_count: job.stop_count,
                        status_counts: &counts,
                        job: &whole,
                    },
                    &now,
                )?;
                Ok(self.cache.routemate_job(&link.source, external_job_id)?)
            }
            Err(e @ RouteMateError::NotFound { .. }) => {
                self.cache.routemate_job_not_found(
                    &link.source,
                    external_job_id,
                    &e.to_string(),
                    &now,
                )?;
                Ok(None)
            }
            Err(e) => {
                self.cache.routemate_job_error(
                    &link.source,
                    external_job_id,
                    &e.to_string(),
                    false,
                    &now,
                )?;
                Err(e.into())
            }
        }
    }

    /// Every job sent to the current RouteMate, newest plan date first.
    pub fn routemate_jobs(&self) -> Result<Vec<RouteMateJobRow>, CommandError> {
        let link = self.routemate()?;
        Ok(self.cache.routemate_jobs(&link.source)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routemate_errors_cross_to_the_ui_with_code_and_field() {
        let e: CommandError = RouteMateError::BadRequest {
            message: "driver_email: no driver with this email".into(),
        }
        .into();
        assert_eq!(
            (e.code, e.field.as_deref(), e.message.as_str()),
            (
                ErrorCode::BadRequest,
                Some("driver_email"),
                "driver_email: no driver with this email"
            )
        );
        let cases = [
            (
                RouteMateError::Transport("refused".into()),
                ErrorCode::Transport,
            ),
            (
                RouteMateError::Unauthorized {
                    message: "m".into(),
                },
                ErrorCode::Unauthorized,
            ),
            (
                RouteMateError::Conflict {
                    message: "m".into(),
                },
                ErrorCode::Conflict,
            ),
            (
                RouteMateError::Unprocessable {
                    message: "m".into(),
                },
                ErrorCode::Conflict,
            ),
            (
                RouteMateError::NotFound {
                    message: "m".into(),
                },
                ErrorCode::NotFound,
            ),
            (RouteMateError::Decode("x".into()), ErrorCode::Internal),
            (
                RouteMateError::Server {
                    status: 502,
                    message: "m".into(),
                },
                ErrorCode::Internal,
            ),
        ];
        for (e, code) in cases {
            let c: CommandError = e.into();
            assert_eq!(c.code, code);
            assert!(c.message.starts_with("RouteMate: "), "{}", c.message);
        }
    }
}
