//! DIAq wire types with the exact JSON field names of `shared/seeds/diaq-api.txt`, and the
//! validation rules its request tables state. Nothing here does I/O: the sandbox validates
//! requests with it, the client and the app share its types.

pub mod store;
pub mod time_zone;
pub mod validation;

pub use store::{PickupProof, Store, StoreInput, StoreQuery, StoreType};
pub use time_zone::{TimeZone, TimeZoneStatus, time_zones};
pub use validation::{FieldError, Rule};
