//! DIAq wire types with the exact JSON field names of `shared/seeds/diaq-api.txt`, and the
//! validation rules its request tables state. Nothing here does I/O: the sandbox validates
//! requests with it, the client and the app share its types.

pub mod customer;
pub mod fields;
pub mod late_risk;
pub mod order;
pub mod package;
pub mod patterns;
pub mod request;
pub mod status;
pub mod store;
pub mod time;
pub mod time_zone;
pub mod validation;
pub mod window;

pub use customer::Customer;
pub use late_risk::{LATE_RULES, LateLevel, LateReason, LateRisk, LateRule, late_risk};
pub use order::{
    Delivery, DeliveryEstimate, Driver, EstimateRequest, Exception, Fetch, FetchEstimate,
    OrderRequest, OrderUpdate, ReserveRequest, StoreSummary,
};
pub use package::Package;
pub use request::{
    CustomerAddress, CustomerInput, DeliveryEstimateRequest, DeliveryUpdate, FetchEstimateCustomer,
    FetchEstimateRequest, FetchUpdate, NewDelivery, NewFetch, PackageInput, ReserveWindowRequest,
};
pub use status::Status;
pub use store::{PickupProof, Store, StoreInput, StoreQuery, StoreType};
pub use time_zone::{TimeZone, TimeZoneStatus, time_zones};
pub use validation::{FieldError, Rule};
pub use window::{Purpose, Slot, UnavailableWindow, Window};
