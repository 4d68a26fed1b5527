//! RouteMate jobs sent from planned routes: the plan, the send's progress, and the job's
//! status as last read. Keyed by (`source`, `external_job_id`): the id is derived from the
//! plan's content by hakobu-dispatch, so a resend finds its row instead of adding one.
//! JSON columns are plain `serde_json::Value`s: this crate knows nothing of RouteMate's types.
//! Timestamps are passed in: the caller owns the clock.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Cache, CacheError};

/// What a job's status becomes when RouteMate no longer knows it: nothing more to ask.
pub const ROUTEMATE_NOT_FOUND: &str = "not_found";

/// A plan about to be sent for the first time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRouteMateJob<'a> {
    pub source: &'a str,
    pub external_job_id: &'a str,
    pub plan_date: &'a str,
    pub driver_email: &'a str,
    pub title: &'a str,
    pub plan: &'a Value,
    pub now: &'a str,
}

/// A job's status as read from RouteMate.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteMateJobStatus<'a> {
    pub status: &'a str,
    pub stop_count: u32,
    pub status_counts: &'a Value,
    pub job: &'a Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteMateJobRow {
    pub source: String,
    pub external_job_id: String,
    /// Refused sends so far; the Idempotency-Key of the next send depends on it.
    pub revision: u32,
    pub plan_date: String,
    pub driver_email: String,
    pub title: String,
    pub plan: Value,
    /// RouteMate's id; `None` until an import succeeded.
    pub job_id: Option<String>,
    pub import_response: Option<Value>,
    /// `assigned`, `completed`, … as last read; [`ROUTEMATE_NOT_FOUND`]; `None` before the
    /// first read.
    pub status: Option<String>,
    pub stop_count: Option<u32>,
    pub status_counts: Option<Value>,
    pub job: Option<Value>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "source, external_job_id, revision, plan_date, driver_email, title, plan, \
    job_id, import_response, status, stop_count, status_counts, job, last_error, created_at, \
    updated_at";

fn json(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<RouteMateJobRow> {
    let plan: String = r.get(6)?;
    Ok(RouteMateJobRow {
        source: r.get(0)?,
        external_job_id: r.get(1)?,
        revision: r.get(2)?,
        plan_date: r.get(3)?,
        driver_email: r.get(4)?,
        title: r.get(5)?,
        plan: serde_json::from_str(&plan).unwrap_or(Value::Null),
        job_id: r.get(7)?,
        import_response: json(r.get(8)?),
        status: r.get(9)?,
        stop_count: r.get(10)?,
        status_counts: json(r.get(11)?),
        job: json(r.get(12)?),
        last_error: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

impl Cache {
    /// The row of this plan, created (as not yet sent) when missing.
    pub fn routemate_job_begin(
        &self,
        new: &NewRouteMateJob<'_>,
    ) -> Result<RouteMateJobRow, CacheError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO routemate_jobs (source, external_job_id, plan_date, driver_email,
                     title, plan, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                 ON CONFLICT (source, external_job_id) DO NOTHING",
                params![
                    new.source,
                    new.external_job_id,
                    new.plan_date,
                    new.driver_email,
                    new.title,
                    new.plan.to_string(),
                    new.now
                ],
            )?;
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM routemate_jobs
                     WHERE source = ?1 AND external_job_id = ?2"
                ),
                [new.source, new.external_job_id],
                from_row,
            )
        })
    }

    pub fn routemate_job(
        &self,
        source: &str,
        external_job_id: &str,
    ) -> Result<Option<RouteMateJobRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM routemate_jobs
                     WHERE source = ?1 AND external_job_id = ?2"
                ),
                [source, external_job_id],
                from_row,
            )
            .optional()
        })
    }

    /// The import succeeded: RouteMate's id and answer.
    pub fn routemate_job_imported(
        &self,
        source: &str,
        external_job_id: &str,
        job_id: &str,
        import_response: &Value,
        now: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE routemate_jobs SET job_id = ?3, import_response = ?4, last_error = NULL,
                     updated_at = ?5
                 WHERE source = ?1 AND external_job_id = ?2",
                params![
                    source,
                    external_job_id,
                    job_id,
                    import_response.to_string(),
                    now
                ],
            )
            .map(drop)
        })
    }

    /// A send or read failed. `refused`: the server answered no to this request as it was,
    /// so the next send needs a new Idempotency-Key (the revision goes up); otherwise (no
    /// answer) the next send must reuse the key, since the import may have been applied.
    pub fn routemate_job_error(
        &self,
        source: &str,
        external_job_id: &str,
        error: &str,
        refused: bool,
        now: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE routemate_jobs SET last_error = ?3, revision = revision + ?4,
                     updated_at = ?5
                 WHERE source = ?1 AND external_job_id = ?2",
                params![source, external_job_id, error, i64::from(refused), now],
            )
            .map(drop)
        })
    }

    /// The job as just read from RouteMate.
    pub fn routemate_job_status(
        &self,
        source: &str,
        external_job_id: &str,
        read: &RouteMateJobStatus<'_>,
        now: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE routemate_jobs SET status = ?3, stop_count = ?4, status_counts = ?5,
                     job = ?6, last_error = NULL, updated_at = ?7
                 WHERE source = ?1 AND external_job_id = ?2",
                params![
                    source,
                    external_job_id,
                    read.status,
                    read.stop_count,
                    read.status_counts.to_string(),
                    read.job.to_string(),
                    now
                ],
            )
            .map(drop)
        })
    }

    /// RouteMate answered that it does not know the job: stop asking about it.
    pub fn routemate_job_not_found(
        &self,
        source: &str,
        external_job_id: &str,
        error: &str,
        now: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE routemate_jobs SET status = ?3, last_error = ?4, updated_at = ?5
                 WHERE source = ?1 AND external_job_id = ?2",
                params![source, external_job_id, ROUTEMATE_NOT_FOUND, error, now],
            )
            .map(drop)
        })
    }

    /// Imported jobs whose status may still change: not read yet, or not `completed` (nor
    /// gone). Oldest first.
    pub fn routemate_jobs_open(&self, source: &str) -> Result<Vec<RouteMateJobRow>, CacheError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM routemate_jobs
                 WHERE source = ?1 AND job_id IS NOT NULL
                   AND (status IS NULL OR status NOT IN ('completed', ?2))
                 ORDER BY created_at, external_job_id"
            ))?;
            stmt.query_map([source, ROUTEMATE_NOT_FOUND], from_row)?
                .collect()
        })
    }

    /// Every job of this account, newest plan date first, then by driver.
    pub fn routemate_jobs(&self, source: &str) -> Result<Vec<RouteMateJobRow>, CacheError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM routemate_jobs WHERE source = ?1
                 ORDER BY plan_date DESC, driver_email, created_at"
            ))?;
            stmt.query_map([source], from_row)?.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn begin(cache: &Cache, source: &str, id: &str, now: &str) -> RouteMateJobRow {
        cache
            .routemate_job_begin(&NewRouteMateJob {
                source,
                external_job_id: id,
                plan_date: "2026-11-24",
                driver_email: "tanaka.kenta@routemate.example",
                title: "午前便",
                plan: &json!({"stops": [1, 2]}),
                now,
            })
            .unwrap()
    }

    #[test]
    fn a_plan_is_begun_once_and_kept_per_source() {
        let cache = Cache::in_memory().unwrap();
        let first = begin(&cache, "sandbox", "hakobu-1", "t1");
        assert_eq!((first.revision, first.job_id.as_deref()), (0, None));
        assert_eq!(first.plan, json!({"stops": [1, 2]}));
        let again = begin(&cache, "sandbox", "hakobu-1", "t2");
        assert_eq!(again, first, "begun again: the same row, untouched");
        begin(&cache, "https://api.routemate.app", "hakobu-1", "t3");
        assert_eq!(cache.routemate_jobs("sandbox").unwrap().len(), 1);
        assert_eq!(cache.routemate_job("sandbox", "nope").unwrap(), None);
    }

    #[test]
    fn a_job_moves_from_sent_to_read_to_done() {
        let cache = Cache::in_memory().unwrap();
        begin(&cache, "s", "a", "t1");
        begin(&cache, "s", "b", "t1");
        // Not imported yet: nothing to read.
        assert!(cache.routemate_jobs_open("s").unwrap().is_empty());

        cache
            .routemate_job_error("s", "a", "could not reach RouteMate", false, "t2")
            .unwrap();
        cache
            .routemate_job_error("s", "b", "bad request: driver_email", true, "t2")
            .unwrap();
        let a = cache.routemate_job("s", "a").unwrap().unwrap();
        let b = cache.routemate_job("s", "b").unwrap().unwrap();
        assert_eq!(
            (a.revision, b.revision),
            (0, 1),
            "only a refusal needs a new key"
        );
        assert_eq!(b.last_error.as_deref(), Some("bad request: driver_email"));

        cache
            .routemate_job_imported("s", "a", "job-a", &json!({"job_id": "job-a"}), "t3")
            .unwrap();
        cache
            .routemate_job_imported("s", "b", "job-b", &json!({"job_id": "job-b"}), "t3")
            .unwrap();
        let open = cache.routemate_jobs_open("s").unwrap();
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].last_error, None, "a success clears the error");

        let counts = json!({"pending": 1, "completed": 1});
        let job = json!({"job_id": "job-a"});
        let read = |status| RouteMateJobStatus {
            status,
            stop_count: 2,
            status_counts: &counts,
            job: &job,
        };
        cache
            .routemate_job_status("s", "a", &read("assigned"), "t4")
            .unwrap();
        let a = cache.routemate_job("s", "a").unwrap().unwrap();
        assert_eq!(a.status_counts, Some(counts.clone()));
        assert_eq!(cache.routemate_jobs_open("s").unwrap().len(), 2);
        cache
            .routemate_job_status("s", "a", &read("completed"), "t5")
            .unwrap();
        cache
            .routemate_job_not_found("s", "b", "not found: job_id: job not found", "t5")
            .unwrap();
        assert!(cache.routemate_jobs_open("s").unwrap().is_empty());
        let b = cache.routemate_job("s", "b").unwrap().unwrap();
        assert_eq!(b.status.as_deref(), Some(ROUTEMATE_NOT_FOUND));
    }
}
