//! The lifecycle of a delivery or fetch, exactly as the document's webhook tables give it —
//! and `unknown` for any status the document does not list: a status DIAq adds later must not
//! make a whole page of orders unreadable, so it is read as unknown, kept, and shown as such.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Created,
    Assigned,
    Collecting,
    ArrivedOrigin,
    Delivering,
    ArrivedGoal,
    Delivered,
    Canceled,
    Returning,
    Returned,
    /// A status the document does not list (read from an answer; never sent). Not in
    /// [`Status::ALL`]: it has no list-filter code and no place in the lifecycle.
    #[serde(other)]
    Unknown,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Created,
        Status::Assigned,
        Status::Collecting,
        Status::ArrivedOrigin,
        Status::Delivering,
        Status::ArrivedGoal,
        Status::Delivered,
        Status::Canceled,
        Status::Returning,
        Status::Returned,
    ];

    /// The list filter's numeric `status` (DESIGN.md: created 0 … returned 9); `Unknown`,
    /// which no filter asks for, answers 255 (no status has it).
    pub fn code(self) -> u8 {
        Status::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(u8::MAX, |i| i as u8)
    }

    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.get(usize::from(code)).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Assigned => "assigned",
            Status::Collecting => "collecting",
            Status::ArrivedOrigin => "arrived_origin",
            Status::Delivering => "delivering",
            Status::ArrivedGoal => "arrived_goal",
            Status::Delivered => "delivered",
            Status::Canceled => "canceled",
            Status::Returning => "returning",
            Status::Returned => "returned",
            Status::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The next status a driver's action moves to (注文を受ける … 受領サイン), if any.
    pub fn advanced(self) -> Option<Status> {
        match self {
            Status::Created => Some(Status::Assigned),
            Status::Assigned => Some(Status::Collecting),
            Status::Collecting => Some(Status::ArrivedOrigin),
            Status::ArrivedOrigin => Some(Status::Delivering),
            Status::Delivering => Some(Status::ArrivedGoal),
            Status::ArrivedGoal => Some(Status::Delivered),
            Status::Returning => Some(Status::Returned),
            Status::Delivered | Status::Canceled | Status::Returned | Status::Unknown => None,
        }
    }

    /// What a cancellation (DELETE, or an exception) turns this status into; `None` for the
    /// statuses the document lists as not cancellable (delivered, canceled, returning,
    /// returned), and for an unknown one, whose cancel the document cannot tell.
    pub fn canceled(self) -> Option<Status> {
        match self {
            Status::Created | Status::Assigned | Status::Collecting | Status::ArrivedOrigin => {
                Some(Status::Canceled)
            }
            Status::Delivering | Status::ArrivedGoal => Some(Status::Returning),
            Status::Delivered
            | Status::Canceled
            | Status::Returning
            | Status::Returned
            | Status::Unknown => None,
        }
    }

    /// From `collecting` on, the driver object carries phone and vehicle type.
    pub fn driver_details_visible(self) -> bool {
        !matches!(self, Status::Created | Status::Assigned | Status::Canceled)
    }

    /// Whether the job still holds its window's capacity.
    pub fn holds_capacity(self) -> bool {
        self != Status::Canceled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_ends_delivered() {
        let mut s = Status::Created;
        let mut path = vec![s];
        while let Some(n) = s.advanced() {
            s = n;
            path.push(s);
        }
        assert_eq!(path.len(), 7);
        assert_eq!(s, Status::Delivered);
    }

    #[test]
    fn cancel_table() {
        use Status::*;
        for (from, to) in [
            (Created, Some(Canceled)),
            (Assigned, Some(Canceled)),
            (Collecting, Some(Canceled)),
            (ArrivedOrigin, Some(Canceled)),
            (Delivering, Some(Returning)),
            (ArrivedGoal, Some(Returning)),
            (Delivered, None),
            (Canceled, None),
            (Returning, None),
            (Returned, None),
        ] {
            assert_eq!(from.canceled(), to, "{from:?}");
        }
        assert_eq!(Returning.advanced(), Some(Returned));
    }

    #[test]
    fn a_status_the_document_does_not_list_reads_as_unknown() {
        let s: Status = serde_json::from_str(r#""lost_in_transit""#).unwrap();
        assert_eq!(s, Status::Unknown);
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""unknown""#);
        assert_eq!(s.as_str(), "unknown");
        assert_eq!(Status::parse("unknown"), None, "not one of the document's");
        assert!(!Status::ALL.contains(&Status::Unknown));
        assert_eq!(s.code(), u8::MAX);
        assert_eq!(Status::from_code(s.code()), None);
        assert_eq!((s.advanced(), s.canceled()), (None, None));
        assert!(s.holds_capacity(), "it may still be on its way");
    }

    #[test]
    fn codes_are_design_md_order() {
        assert_eq!(Status::Created.code(), 0);
        assert_eq!(Status::Returned.code(), 9);
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::from_code(10), None);
    }
}
