//! Plans made by the optimizer, each result a new version under its plan id so the previous
//! one stays for comparison. Request and result are JSON text this crate does not read;
//! timestamps are passed in (the caller owns the clock). Each plan belongs to the account it
//! was made for (its stops are that account's orders and stores): it is read only for that
//! account, and kept while another is set up.

use rusqlite::{OptionalExtension, Row, params};

use crate::{Cache, CacheError, OutboxAccount};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub plan_id: String,
    pub version: u32,
    /// `running`, `finished`, `cancelled` or `failed`.
    pub state: String,
    /// YYYY-MM-DD the plan is for.
    pub plan_date: String,
    pub request: String,
    pub result: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

const COLUMNS: &str =
    "plan_id, version, state, plan_date, request, result, error, created_at, finished_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PlanRow> {
    Ok(PlanRow {
        plan_id: r.get(0)?,
        version: r.get(1)?,
        state: r.get(2)?,
        plan_date: r.get(3)?,
        request: r.get(4)?,
        result: r.get(5)?,
        error: r.get(6)?,
        created_at: r.get(7)?,
        finished_at: r.get(8)?,
    })
}

impl Cache {
    /// Starts the next version of `plan_id` (1 for a new id) as `running`, for `account`;
    /// returns its number. One statement, so two starts of the same plan never take the same
    /// version.
    pub fn begin_plan_version(
        &self,
        account: &OutboxAccount,
        plan_id: &str,
        plan_date: &str,
        request: &str,
        now: &str,
    ) -> Result<u32, CacheError> {
        self.with(|c| {
            c.query_row(
                "INSERT INTO plans (plan_id, version, state, plan_date, request, created_at,
                                    endpoint, key_fingerprint)
                 SELECT ?1, COALESCE(MAX(version), 0) + 1, 'running', ?2, ?3, ?4, ?5, ?6
                 FROM plans WHERE plan_id = ?1
                 RETURNING version",
                params![
                    plan_id,
                    plan_date,
                    request,
                    now,
                    account.endpoint,
                    account.key_fingerprint
                ],
                |r| r.get(0),
            )
        })
    }

    /// Records how a version ended: its state, and its result or error.
    pub fn finish_plan_version(
        &self,
        plan_id: &str,
        version: u32,
        state: &str,
        result: Option<&str>,
        error: Option<&str>,
        now: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE plans SET state = ?3, result = ?4, error = ?5, finished_at = ?6
                 WHERE plan_id = ?1 AND version = ?2",
                params![plan_id, version, state, result, error, now],
            )
            .map(drop)
        })
    }

    /// One version of `account`'s plan, or its latest when `version` is `None`.
    pub fn plan_version(
        &self,
        account: &OutboxAccount,
        plan_id: &str,
        version: Option<u32>,
    ) -> Result<Option<PlanRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM plans WHERE plan_id = ?1
                     AND (?2 IS NULL OR version = ?2) AND endpoint = ?3 AND key_fingerprint = ?4
                     ORDER BY version DESC LIMIT 1"
                ),
                params![plan_id, version, account.endpoint, account.key_fingerprint],
                from_row,
            )
            .optional()
        })
    }

    /// Every version of every plan of `account`, newest first; without their (large)
    /// results.
    pub fn plan_versions(&self, account: &OutboxAccount) -> Result<Vec<PlanRow>, CacheError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT plan_id, version, state, plan_date, request, NULL, error, created_at,
                        finished_at
                 FROM plans WHERE endpoint = ?1 AND key_fingerprint = ?2
                 ORDER BY created_at DESC, plan_id, version DESC",
            )?;
            st.query_map(params![account.endpoint, account.key_fingerprint], from_row)?
                .collect()
        })
    }

    /// Plans kept before their key was recorded, on `account`'s endpoint, become its own
    /// (as [`Cache::outbox_adopt_unkeyed`] does for queued writes).
    pub fn plans_adopt_unkeyed(&self, account: &OutboxAccount) -> Result<usize, CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE plans SET key_fingerprint = ?2 WHERE endpoint = ?1 AND key_fingerprint = ''",
                params![account.endpoint, account.key_fingerprint],
            )
        })
    }
}
