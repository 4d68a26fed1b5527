//! `hakobu-routemate`: RouteMate's integration API (`shared/seeds/routemate-api.txt`) as
//! types with the document's field names, and the import's rules. Nothing here does I/O: the
//! sandbox enforces the rules with it, the batch import and the fleet check against it, and
//! `hakobu-routemate-client` sends its types.

pub mod import;
pub mod jobs;
pub mod rules;
pub mod token;

pub use import::{ImportRequest, ImportResponse, ImportStop, ImportWarning, Optimization};
pub use jobs::{Job, JobList, JobStatus, JobStop, StopStatus};
pub use rules::{Broken, RuleError};
pub use token::{Credentials, TokenRequest, TokenResponse};

/// The header that makes an import safe to repeat.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

pub const TOKEN_PATH: &str = "/v1/integration-token";
pub const IMPORT_PATH: &str = "/v1/integration-import";
pub const JOBS_PATH: &str = "/v1/integration-jobs";
