//! Sending a plan: each route to its driver as one RouteMate job (through
//! `send_route_to_routemate`, idempotent by the route's content, so sending again makes no
//! second job), and the jobs' progress read back against the plan's routes.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use crate::planning::request::{BatchStop, StopSource};
use crate::planning::result::{Plan, PlanRoute};
use crate::{CommandError, Dispatch, ErrorCode, ErrorDetail, PlannedRoute, PlannedStop};

/// What became of one route of a send.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RouteSent {
    pub driver_email: String,
    pub driver_name: String,
    /// Customer stops on the route.
    pub stops: usize,
    /// The job's id derived from the route (the same route, the same job).
    pub external_job_id: Option<String>,
    /// RouteMate's job id once imported (now, or by an earlier send).
    pub job_id: Option<String>,
    /// Why this route was not sent; the other routes are sent all the same.
    pub error: Option<CommandError>,
}

/// `send_plan`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlanSent {
    pub plan_id: String,
    /// The version sent (the plan's current one).
    pub version: u32,
    pub routes: Vec<RouteSent>,
    pub sent: usize,
    pub failed: usize,
}

/// One route's RouteMate job as last read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RouteProgress {
    pub driver_email: String,
    pub driver_name: String,
    pub stops: usize,
    pub external_job_id: Option<String>,
    /// A job exists for the route exactly as planned (an edit after sending makes it unsent).
    pub sent: bool,
    pub job_id: Option<String>,
    /// `assigned`, `in_progress`, `completed`, … as RouteMate last said.
    pub status: Option<String>,
    pub stop_count: Option<u32>,
    /// Stops per status (`pending`, `delivered`, `failed`, …).
    pub status_counts: BTreeMap<String, u32>,
    /// The last send or read error, or why the route cannot be sent.
    pub error: Option<String>,
    /// Why the route cannot be sent, as facts for the view to word (`error` is their English);
    /// absent for RouteMate's own words.
    #[ts(optional = nullable)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<ErrorDetail>,
}

/// `plan_job_progress`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlanJobProgress {
    pub plan_id: String,
    pub version: u32,
    pub routes: Vec<RouteProgress>,
    /// Why the jobs could not be read now (offline…): the counts are the cached ones.
    pub refresh_error: Option<CommandError>,
}

fn customer_stops(route: &PlanRoute) -> usize {
    route.visits.iter().filter(|v| v.store_id.is_none()).count()
}

impl Dispatch {
    /// Sends each route of the plan's current version to its driver. A route that cannot be
    /// sent (no address, driver unknown to RouteMate, offline) says why in its row; RouteMate
    /// not configured at all is the whole answer's error.
    pub async fn send_plan(&self, plan_id: &str) -> Result<PlanSent, CommandError> {
        // Not configured: one error, not one per route.
        self.routemate_jobs()?;
        let plan = self.plan_head(plan_id)?;
        let mut routes = Vec::new();
        for route in plan.routes.iter().filter(|r| customer_stops(r) > 0) {
            let planned = self.planned_route(&plan, route);
            let external_job_id = planned.as_ref().ok().map(|p| p.to_import().external_job_id);
            let answer = match planned {
                Ok(p) => self.send_route_to_routemate(&p).await,
                Err(e) => Err(e),
            };
            let (job_id, error) = match answer {
                Ok(row) => (row.job_id, None),
                Err(e) => (None, Some(e)),
            };
            routes.push(RouteSent {
                driver_email: route.driver_email.clone(),
                driver_name: route.driver_name.clone(),
                stops: customer_stops(route),
                external_job_id,
                job_id,
                error,
            });
        }
        let failed = routes.iter().filter(|r| r.error.is_some()).count();
        Ok(PlanSent {
            plan_id: plan.plan_id,
            version: plan.version,
            sent: routes.len() - failed,
            failed,
            routes,
        })
    }

    /// The RouteMate jobs of the plan's current routes, read again from RouteMate when it
    /// answers (else as cached).
    pub async fn plan_job_progress(&self, plan_id: &str) -> Result<PlanJobProgress, CommandError> {
        let plan = self.plan_head(plan_id)?;
        let refresh_error = self.refresh_routemate_jobs().await.err();
        if refresh_error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::Config)
        {
            return Err(refresh_error.unwrap_or_else(|| CommandError::new(ErrorCode::Config, "")));
        }
        let jobs: HashMap<String, _> = self
            .routemate_jobs()?
            .into_iter()
            .map(|row| (row.external_job_id.clone(), row))
            .collect();
        let routes = plan
            .routes
            .iter()
            .filter(|r| customer_stops(r) > 0)
            .map(|route| {
                let planned = self.planned_route(&plan, route);
                let ext = planned.as_ref().ok().map(|p| p.to_import().external_job_id);
                let row = ext.as_ref().and_then(|e| jobs.get(e));
                RouteProgress {
                    driver_email: route.driver_email.clone(),
                    driver_name: route.driver_name.clone(),
                    stops: customer_stops(route),
                    sent: row.is_some_and(|r| r.job_id.is_some()),
                    job_id: row.and_then(|r| r.job_id.clone()),
                    status: row.and_then(|r| r.status.clone()),
                    stop_count: row.and_then(|r| r.stop_count),
                    status_counts: row
                        .and_then(|r| r.status_counts.clone())
                        .and_then(|c| serde_json::from_value(c).ok())
                        .unwrap_or_default(),
                    error: match &planned {
                        Err(e) => Some(e.message.clone()),
                        Ok(_) => row.and_then(|r| r.last_error.clone()),
                    },
                    error_detail: planned
                        .as_ref()
                        .err()
                        .and_then(|e| e.detail.as_deref().cloned()),
                    external_job_id: ext,
                }
            })
            .collect();
        Ok(PlanJobProgress {
            plan_id: plan.plan_id,
            version: plan.version,
            routes,
            refresh_error,
        })
    }

    /// A plan's route as the RouteMate job its driver gets: the customer stops in planned
    /// order with what the driver needs at each door.
    fn planned_route(&self, plan: &Plan, route: &PlanRoute) -> Result<PlannedRoute, CommandError> {
        let date = NaiveDate::parse_from_str(&plan.date, "%Y-%m-%d").map_err(|_| {
            CommandError::new(ErrorCode::Internal, format!("plan date {:?}", plan.date))
        })?;
        let by_line: HashMap<usize, &BatchStop> =
            plan.request.stops.iter().map(|s| (s.line, s)).collect();
        let mut stops = Vec::new();
        for v in route.visits.iter().filter(|v| v.store_id.is_none()) {
            let stop = match &v.source {
                StopSource::File {
                    line,
                    external_stop_id,
                } => {
                    let row = by_line.get(line);
                    let address = row
                        .and_then(|r| r.address.as_deref())
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .ok_or_else(|| {
                            CommandError::refused(
                                "address",
                                ErrorDetail::NoAddressToSend {
                                    line: *line,
                                    external_stop_id: external_stop_id.clone(),
                                },
                            )
                        })?;
                    PlannedStop {
                        address: address.to_owned(),
                        name: row
                            .and_then(|r| r.label.clone())
                            .unwrap_or_else(|| external_stop_id.clone()),
                        phone: row.and_then(|r| r.phone.clone()),
                        parcel_count: v.parcels,
                        notes: row.and_then(|r| r.notes.clone()),
                    }
                }
                StopSource::Order {
                    id, tracking_code, ..
                } => {
                    let order = self.cache.order(id)?.ok_or_else(|| {
                        CommandError::refused_as(
                            ErrorCode::NotFound,
                            None,
                            ErrorDetail::OrderGone {
                                tracking_code: tracking_code.clone(),
                            },
                        )
                    })?;
                    PlannedStop {
                        address: order.customer_address,
                        name: order.customer_name,
                        phone: Some(order.customer_phone).filter(|p| !p.is_empty()),
                        parcel_count: v.parcels,
                        notes: Some(format!("DIAq {tracking_code}")),
                    }
                }
            };
            stops.push(stop);
        }
        Ok(PlannedRoute {
            driver_email: route.driver_email.clone(),
            date,
            title: format!("{}/{} 配達計画", date.month(), date.day()),
            stops,
        })
    }
}
