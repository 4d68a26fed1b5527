//! `hakobu-dispatch`: the app's core. Tauri commands are thin adapters over [`Dispatch`];
//! everything they do — reading the cache, syncing from DIAq, writing through it — is here,
//! where tests drive it against the real sandbox.

mod account;
mod address_lookup;
mod batch;
mod board;
mod changes;
mod clock;
mod config;
mod data_dir_lock;
mod drivers;
mod error;
mod estimate;
mod export_file;
mod fix_check;
mod fleet;
pub mod intake_timing;
mod ipc_types;
mod local_checks;
mod location_writes;
mod order_cancel;
mod order_detail;
mod order_page;
mod order_query;
mod order_row;
mod order_writes;
mod orders;
mod outbox;
mod outbox_write;
mod planning;
mod queued_orders;
mod retention;
mod retired;
mod routemate;
mod routemate_plan;
pub mod settings;
mod slot_grid;
mod status;
mod stores;
pub mod thread_priority;
mod time_zones;
mod travel;
mod webhook_intake;
mod webhook_receiver;
pub mod wiring;

use std::sync::Arc;

use hakobu_cache::Cache;
use hakobu_diaq_client::{ClientError, DiaqClient};
use hakobu_geo::SharedGazetteer;

pub use account::{SANDBOX_ENDPOINT, account_of, key_fingerprint};
pub use address_lookup::{AddressLevel, NormalizedAddress, PostalLookup};
pub use batch::{
    BATCH_MAX_BYTES, BATCH_MAX_ROWS, BatchColumn, BatchError, BatchFormat, BatchJob, BatchReport,
    BatchRowEdit, BatchSummary, ColumnReport, FieldIssue, Geocode, IssueRule, MatchLevel,
    PlanningStop, RowReport, RowStatus, TextEncoding, TimeWindow,
};
pub use board::{BOARD_CARDS, Board, BoardColumn, LateSummary};
pub use changes::{CHANGE_BATCH, Changes, OrdersChanged, next_batch};
pub use clock::{Clock, SystemClock, tokyo_rfc3339};
pub use config::{
    ApiConfig, ConfigError, DEFAULT_SANDBOX_SPEED, ENV_SANDBOX_SPEED, RouteMateSettings,
    SETTINGS_FILE, demo_speed, osrm_url,
};
pub use data_dir_lock::{DataDirLock, DataDirLockError, LOCK_FILE};
pub use error::{CommandError, ErrorCode, ErrorDetail};
pub use estimate::{EstimatePackage, EstimateStore, EstimateView, Hold, SoldOutWindow};
pub use export_file::{EXPORT_DIR_ENV, check_export_name, numbered_name, save_export};
pub use fleet::{DriverInput, FleetDriver, Place, default_capacity, demo_driver};
pub use ipc_types::typescript;
pub use order_cancel::{CancelBatch, CancelOutcome, CancelResult, OrderRef};
pub use order_detail::{
    CustomerDetail, DriverDetail, ExceptionDetail, OrderComments, OrderDetail, StoreContact,
};
pub use order_page::OrderPage;
pub use order_query::{BoardQuery, OrderQuery};
pub use order_row::{OrderRow, QueuedWrite};
pub use orders::{OrderSyncReport, StatusCount};
pub use outbox::{OUTBOX_LIST_LIMIT, ReplayReport, Written};
pub use outbox_write::{OrderKind, Target, WindowChoice, Write, payload_hash};
pub use planning::{
    BatchStop, DEFAULT_TIME_LIMIT_S, MAX_TIME_LIMIT_S, Miss, MissRule, OutsourceItem,
    OutsourceListener, OutsourceReport, Outsourced, PROGRESS_EVERY, Plan, PlanEdit, PlanEvaluation,
    PlanEvent, PlanFinished, PlanHistory, PlanJobProgress, PlanListener, PlanProblem, PlanProgress,
    PlanRequest, PlanRoute, PlanRunning, PlanSent, PlanStarted, PlanState, PlanSummary, PlanTotals,
    PlanVisit, RouteProgress, RouteSent, StopSource, StopWindow, UnassignedCause, UnassignedStop,
    VisitRole,
};
pub use queued_orders::QUEUED_ID_PREFIX;
pub use routemate::{RouteMateLink, RouteMateRefresh, SANDBOX_SOURCE};
pub use routemate_plan::{LABEL_MAX_CHARS, PlannedRoute, PlannedStop};
pub use status::{AppStatus, Mode};
pub use stores::SyncReport;
pub use travel::TravelMatrix;
pub use webhook_intake::IntakeOutcome;
pub use webhook_receiver::{BODY_LIMIT as WEBHOOK_BODY_LIMIT, WEBHOOK_PATH, WebhookReceiver};
// Standard Webhooks has one home, shared with the sandbox that signs.
pub use hakobu_webhook_signature::{
    SignatureError, SignedHeaders, TOLERANCE as WEBHOOK_TOLERANCE, WebhookSecret,
};

/// Meta key: which API the cached rows came from.
const META_SOURCE: &str = "source";
/// Meta key: RFC 3339 time of the last successful sync (stores, or deliveries and fetches).
const META_LAST_SYNC: &str = "last_sync";

pub struct Dispatch {
    client: DiaqClient,
    cache: Arc<Cache>,
    mode: Mode,
    /// Which account `client` reaches: only its queued writes are sent ([`account`]).
    account: hakobu_cache::OutboxAccount,
    clock: Arc<dyn Clock>,
    /// Places stores on the map; absent when the gazetteer file is missing (no locations), and
    /// possibly still loading while the app starts (what geocodes waits for it).
    geo: SharedGazetteer,
    /// Road travel times when an OSRM server is configured ([`Dispatch::with_osrm`]).
    osrm: Option<hakobu_osrm::OsrmClient>,
    /// Where planned routes are sent ([`Dispatch::with_routemate`]); `None`: not configured.
    routemate: Option<RouteMateLink>,
    /// Whether the API answered its last request; a watch, so that the window hears when it
    /// stops (or starts again) answering ([`Dispatch::watch_online`]), not only when it next
    /// asks for the status.
    online: tokio::sync::watch::Sender<bool>,
    /// Set when the app switched to another configuration ([`retired`]); a watch, so that a
    /// write waiting on the API can be given up at once.
    retired: tokio::sync::watch::Sender<bool>,
    /// What changed in the cache, for the UI ([`Dispatch::subscribe_changes`]).
    changes: tokio::sync::broadcast::Sender<Changes>,
    /// Held by whoever compares an order's `update` with the cache and writes it (webhook
    /// confirmations, syncs), so an older answer never overwrites a newer one.
    order_writes: tokio::sync::Mutex<()>,
    /// Held by the outbox replay: one row in flight at a time keeps writes in order.
    replaying: tokio::sync::Mutex<()>,
    /// Which drivers' fixes were refused for which reason, so each is logged once.
    refused_fixes: fix_check::RefusalLog,
    /// Writes received driver locations in batches ([`location_writes`]).
    location_writes: location_writes::LocationWrites,
    /// Where webhooks' time goes (logged every few seconds; the live map's benchmark).
    intake_timing: intake_timing::IntakeTiming,
    /// Plans being solved, with their cancel flags.
    running_plans: planning::Running,
    /// Held while a plan is edited: each edit starts from the version the last one wrote.
    plan_edits: tokio::sync::Mutex<()>,
}

impl Dispatch {
    /// The cache is made the account's first ([`account::claim_cache`]): data read for
    /// another account (another endpoint, or another key) is emptied, so stores of one
    /// account never show as another's; its queued writes stay, held.
    pub fn new(
        client: DiaqClient,
        cache: Arc<Cache>,
        mode: Mode,
        clock: Arc<dyn Clock>,
        geo: impl Into<SharedGazetteer>,
    ) -> Result<Dispatch, CommandError> {
        let account = account_of(mode, client.base_url(), client.api_key());
        account::claim_cache(&cache, &account)?;
        let changes = tokio::sync::broadcast::channel(changes::CHANGE_BACKLOG).0;
        let location_writes =
            location_writes::LocationWrites::start(cache.clone(), changes.clone());
        Ok(Dispatch {
            client,
            cache,
            mode,
            account,
            clock,
            geo: geo.into(),
            osrm: None,
            routemate: None,
            online: tokio::sync::watch::Sender::new(false),
            retired: tokio::sync::watch::Sender::new(false),
            location_writes,
            changes,
            order_writes: tokio::sync::Mutex::new(()),
            replaying: tokio::sync::Mutex::new(()),
            refused_fixes: fix_check::RefusalLog::default(),
            intake_timing: intake_timing::IntakeTiming::default(),
            running_plans: planning::Running::default(),
            plan_edits: tokio::sync::Mutex::new(()),
        })
    }

    /// The webhook intake's stage timings, for whoever hands its changes on (the window).
    pub fn intake_timing(&self) -> &intake_timing::IntakeTiming {
        &self.intake_timing
    }

    /// The gazetteer as this instance holds it (possibly still loading).
    pub(crate) fn shared_gazetteer(&self) -> SharedGazetteer {
        self.geo.clone()
    }

    /// Records whether the API answered, so the status bar can say online/offline; watchers
    /// are woken only when that flips.
    fn observe<T>(&self, result: &Result<T, ClientError>) {
        let answered = !matches!(result, Err(ClientError::Transport(_)));
        self.online.send_if_modified(|online| {
            let flipped = *online != answered;
            *online = answered;
            flipped
        });
    }

    /// Whether the API answers, woken each time that flips.
    pub fn watch_online(&self) -> tokio::sync::watch::Receiver<bool> {
        self.online.subscribe()
    }
}
