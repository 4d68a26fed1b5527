//! What the outbox queues: one typed write per row, stored as its JSON payload.

use hakobu_diaq::StoreInput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// One write the user asked for. Serialized (tagged by `write`) as the outbox row's payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum Write {
    CreateStore {
        input: StoreInput,
    },
    UpdateStore {
        id: Target,
        input: StoreInput,
    },
    DeleteStore {
        id: Target,
    },
    /// `POST /v1/delivery_estimates/` or `/v1/fetch_estimates/`: the answer (held windows,
    /// prices) is the acked row's response.
    Estimate {
        kind: OrderKind,
        body: Value,
    },
    ReserveWindow {
        store_id: Target,
        reserve_date: String,
        time_zone_id: String,
    },
    CreateDelivery {
        body: Value,
        #[serde(default)]
        window: WindowChoice,
    },
    UpdateDelivery {
        id: Target,
        body: Value,
    },
    CancelDelivery {
        id: Target,
    },
    CreateFetch {
        body: Value,
        #[serde(default)]
        window: WindowChoice,
    },
    UpdateFetch {
        id: Target,
        body: Value,
    },
    CancelFetch {
        id: Target,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Delivery,
    Fetch,
}

impl OrderKind {
    /// The cache's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Delivery => "delivery",
            OrderKind::Fetch => "fetch",
        }
    }

    /// The request property that names the window.
    pub fn window_id_field(self) -> &'static str {
        match self {
            OrderKind::Delivery => "delivery_window_id",
            OrderKind::Fetch => "fetch_window_id",
        }
    }

    /// Which of the document's rule sets (hakobu-diaq) its requests follow.
    pub fn purpose(self) -> hakobu_diaq::Purpose {
        match self {
            OrderKind::Delivery => hakobu_diaq::Purpose::Delivery,
            OrderKind::Fetch => hakobu_diaq::Purpose::Fetch,
        }
    }
}

/// What a write acts on: an object the server already has, or the one an earlier outbox
/// row creates (written offline, its id is not known yet; it is looked up when sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Id(String),
    /// The client id of the outbox row that creates it.
    Outbox(String),
}

/// Where a create's window comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WindowChoice {
    /// The body names a window held by an estimate the user saw (`delivery_window_id` /
    /// `fetch_window_id`). A hold lasts about 30 minutes: queued longer, the server refuses it.
    #[default]
    Given,
    /// Written offline: when it is sent, estimate first and take the earliest TimeWindow.
    Earliest,
    /// Written offline: when it is sent, estimate first and take the AnytimeWindow.
    Anytime,
}

impl Write {
    /// The outbox row's `kind` column: the variant's tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Write::CreateStore { .. } => "create_store",
            Write::UpdateStore { .. } => "update_store",
            Write::DeleteStore { .. } => "delete_store",
            Write::Estimate { .. } => "estimate",
            Write::ReserveWindow { .. } => "reserve_window",
            Write::CreateDelivery { .. } => "create_delivery",
            Write::UpdateDelivery { .. } => "update_delivery",
            Write::CancelDelivery { .. } => "cancel_delivery",
            Write::CreateFetch { .. } => "create_fetch",
            Write::UpdateFetch { .. } => "update_fetch",
            Write::CancelFetch { .. } => "cancel_fetch",
        }
    }

    pub fn payload(&self) -> Value {
        serde_json::to_value(self).expect("a write is plain data and always serializes")
    }

    /// The order references of a create's packages: how a create whose answer was lost is
    /// found again. Empty for other writes.
    pub fn order_references(&self) -> Vec<String> {
        match self {
            Write::CreateDelivery { body, .. } | Write::CreateFetch { body, .. } => {
                body["packages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["order_reference"].as_str())
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// SHA-256 (lowercase hex) of the payload's canonical JSON: object keys sorted at every
/// level, no whitespace. The same write hashes the same whatever order its keys were built in.
pub fn payload_hash(payload: &Value) -> String {
    let digest = Sha256::digest(canonical(payload).to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_write_round_trips_as_a_tagged_payload() {
        let w = Write::UpdateDelivery {
            id: Target::Outbox("c-1".into()),
            body: json!({"destination_comments": "置き配"}),
        };
        let payload = w.payload();
        assert_eq!(
            payload,
            json!({"write": "update_delivery", "id": {"outbox": "c-1"},
                   "body": {"destination_comments": "置き配"}})
        );
        assert_eq!(serde_json::from_value::<Write>(payload).unwrap(), w);
        assert_eq!(w.kind(), "update_delivery");
        let create: Write =
            serde_json::from_value(json!({"write": "create_fetch", "body": {}})).unwrap();
        assert_eq!(
            create,
            Write::CreateFetch {
                body: json!({}),
                window: WindowChoice::Given
            }
        );
        assert_eq!(create.kind(), "create_fetch");
    }

    #[test]
    fn the_hash_ignores_key_order_but_not_values() {
        let a = json!({"b": 1, "a": {"y": [1, {"q": 1, "p": 2}], "x": "漢字"}});
        let b = json!({"a": {"x": "漢字", "y": [1, {"p": 2, "q": 1}]}, "b": 1});
        assert_eq!(payload_hash(&a), payload_hash(&b));
        assert_eq!(payload_hash(&a).len(), 64);
        assert_ne!(payload_hash(&a), payload_hash(&json!({"b": 2})));
        // The empty object's digest, as any SHA-256 tool computes it for "{}".
        assert_eq!(
            payload_hash(&json!({})),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn creates_are_found_again_by_their_order_references() {
        let w = Write::CreateDelivery {
            body: json!({"packages": [{"order_reference": " A-1 "}, {"order_reference": ""},
                                      {"name": "x"}, {"order_reference": "A-2"}]}),
            window: WindowChoice::Earliest,
        };
        assert_eq!(w.order_references(), ["A-1", "A-2"]);
        assert!(
            Write::CancelFetch {
                id: Target::Id("x".into())
            }
            .order_references()
            .is_empty()
        );
    }
}
