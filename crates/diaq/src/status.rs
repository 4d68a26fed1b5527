//! The lifecycle of a delivery or fetch, exactly as the document's webhook tables give it.

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

    /// The list filter's numeric `status` (DESIGN.md: created 0 … returned 9).
    pub fn code(self) -> u8 {
        Status::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8
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
            Status::Delivered | Status::Canceled | Status::Returned => None,
        }
    }

    /// What a cancellation (DELETE, or an exception) turns this status into; `None` for the
    /// statuses the document lists as not cancellable (delivered, canceled, returning, returned).
    pub fn canceled(self) -> Option<Status> {
        match self {
            Status::Created | Status::Assigned | Status::Collecting | Status::ArrivedOrigin => {
                Some(Status::Canceled)
            }
            Status::Delivering | Status::ArrivedGoal => Some(Status::Returning),
            Status::Delivered | Status::Canceled | Status::Returning | Status::Returned => None,
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
