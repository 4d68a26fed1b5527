//! Store ("店舗"): the object, the POST/PUT request body and its validation, the list filters.
//!
//! Rules are the document's request table for `POST /v1/stores` and `PUT /v1/stores/{id}`.
//! Where the document is silent (which properties are required on create), see docs/decisions.md.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::patterns::{PHONE, PHONE_DOC as PHONE_PATTERN, ZIPCODE, ZIPCODE_DOC as ZIPCODE_PATTERN};
use crate::validation::{FieldError, Rule, check_max_chars};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StoreType {
    /// 路面店 — the document's default when not given.
    #[default]
    StandaloneStore,
    /// モール内
    InMallStore,
    /// ビルイン
    ConsolidationStore,
}

impl StoreType {
    pub const ALL: &'static [&'static str] =
        &["standalone_store", "in_mall_store", "consolidation_store"];

    pub fn as_str(self) -> &'static str {
        match self {
            StoreType::StandaloneStore => "standalone_store",
            StoreType::InMallStore => "in_mall_store",
            StoreType::ConsolidationStore => "consolidation_store",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standalone_store" => Some(StoreType::StandaloneStore),
            "in_mall_store" => Some(StoreType::InMallStore),
            "consolidation_store" => Some(StoreType::ConsolidationStore),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PickupProof {
    /// バーコード読み取り
    Barcode,
    /// サイン — the document's default when not given.
    #[default]
    Signature,
    /// セルフチェック
    Selfcheck,
}

impl PickupProof {
    pub const ALL: &'static [&'static str] = &["barcode", "signature", "selfcheck"];

    pub fn as_str(self) -> &'static str {
        match self {
            PickupProof::Barcode => "barcode",
            PickupProof::Signature => "signature",
            PickupProof::Selfcheck => "selfcheck",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "barcode" => Some(PickupProof::Barcode),
            "signature" => Some(PickupProof::Signature),
            "selfcheck" => Some(PickupProof::Selfcheck),
            _ => None,
        }
    }
}

/// The only `delivery_proof` the document allows ("signature固定").
pub const DELIVERY_PROOF: &str = "signature";

/// The Store object as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Store {
    pub id: String,
    #[serde(default)]
    pub id_alias: String,
    pub store_name: String,
    pub store_address_zipcode: String,
    pub store_address_prefecture: String,
    pub store_address_line_1: String,
    #[serde(default)]
    pub store_address_line_2: String,
    pub store_phone: String,
    pub store_type: StoreType,
    pub offers_delivery: bool,
    pub offers_fetches: bool,
    pub pickup_proof: PickupProof,
    pub delivery_proof: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_time: Option<String>,
}

/// The body of `POST /v1/stores` and `PUT /v1/stores/{id}`. `None` means "not sent".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_zipcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_prefecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_line_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_line_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_type: Option<StoreType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_proof: Option<PickupProof>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_time: Option<String>,
}

/// Properties a create must carry. The document's table leaves its 必須 column blank; a store
/// without a name, an address or a phone cannot be a pickup point, so these are required.
pub const REQUIRED_ON_CREATE: [&str; 5] = [
    "store_name",
    "store_address_zipcode",
    "store_address_prefecture",
    "store_address_line_1",
    "store_phone",
];

impl StoreInput {
    /// Reads a request body, checking every property's type and the document's rules.
    /// Unknown properties are ignored and `null` counts as "not sent", as for any lenient API.
    /// Returns every broken rule, in the document's table order.
    pub fn from_json(body: &Value) -> Result<StoreInput, Vec<FieldError>> {
        let Some(map) = body.as_object() else {
            return Err(vec![FieldError::new(
                "body",
                Rule::Type { expected: "object" },
            )]);
        };
        let mut errors = Vec::new();
        let mut text = |field: &'static str| -> Option<String> {
            match string_field(map, field) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let mut input = StoreInput {
            id_alias: text("id_alias"),
            store_name: text("store_name"),
            store_address_zipcode: text("store_address_zipcode"),
            store_address_prefecture: text("store_address_prefecture"),
            store_address_line_1: text("store_address_line_1"),
            store_address_line_2: text("store_address_line_2"),
            store_phone: text("store_phone"),
            store_type: None,
            pickup_proof: None,
            opening_time: text("opening_time"),
            closing_time: text("closing_time"),
        };
        let store_type = text("store_type");
        let pickup_proof = text("pickup_proof");
        match store_type.as_deref().map(StoreType::parse) {
            Some(None) => errors.push(FieldError::new(
                "store_type",
                Rule::OneOf {
                    allowed: StoreType::ALL,
                },
            )),
            Some(parsed) => input.store_type = parsed,
            None => {}
        }
        match pickup_proof.as_deref().map(PickupProof::parse) {
            Some(None) => errors.push(FieldError::new(
                "pickup_proof",
                Rule::OneOf {
                    allowed: PickupProof::ALL,
                },
            )),
            Some(parsed) => input.pickup_proof = parsed,
            None => {}
        }
        if let Some(Value::String(proof)) = map.get("delivery_proof")
            && proof != DELIVERY_PROOF
        {
            errors.push(FieldError::new(
                "delivery_proof",
                Rule::Fixed {
                    value: DELIVERY_PROOF,
                },
            ));
        }
        errors.extend(input.rule_errors());
        sort_by_document_order(&mut errors);
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }

    /// The length and pattern rules of the document for every property that is present.
    pub fn rule_errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let limits: [(&'static str, &Option<String>, usize); 6] = [
            ("id_alias", &self.id_alias, 100),
            ("store_name", &self.store_name, 100),
            ("store_address_line_1", &self.store_address_line_1, 100),
            ("store_address_line_2", &self.store_address_line_2, 100),
            ("opening_time", &self.opening_time, 100),
            ("closing_time", &self.closing_time, 100),
        ];
        for (field, value, max) in limits {
            if let Some(v) = value {
                check(check_max_chars(field, v, max));
            }
        }
        if let Some(zip) = &self.store_address_zipcode
            && !ZIPCODE.is_match(zip)
        {
            check(Err(FieldError::new(
                "store_address_zipcode",
                Rule::Pattern {
                    pattern: ZIPCODE_PATTERN,
                },
            )));
        }
        if let Some(phone) = &self.store_phone {
            check(check_max_chars("store_phone", phone, 13));
            if !PHONE.is_match(phone) {
                check(Err(FieldError::new(
                    "store_phone",
                    Rule::Pattern {
                        pattern: PHONE_PATTERN,
                    },
                )));
            }
        }
        sort_by_document_order(&mut errors);
        errors
    }

    /// Every rule for `POST /v1/stores`: the required properties, then the document's rules.
    pub fn create_errors(&self) -> Vec<FieldError> {
        let present = [
            &self.store_name,
            &self.store_address_zipcode,
            &self.store_address_prefecture,
            &self.store_address_line_1,
            &self.store_phone,
        ];
        let mut errors: Vec<FieldError> = REQUIRED_ON_CREATE
            .iter()
            .zip(present)
            .filter(|(_, v)| v.as_deref().is_none_or(|s| s.trim().is_empty()))
            .map(|(field, _)| FieldError::new(field, Rule::Required))
            .collect();
        let missing: Vec<String> = errors.iter().map(|e| e.field.to_string()).collect();
        errors.extend(
            self.rule_errors()
                .into_iter()
                .filter(|e| !missing.iter().any(|m| *m == e.field)),
        );
        sort_by_document_order(&mut errors);
        errors
    }

    /// A new store from a validated create request, with the document's defaults.
    pub fn into_new_store(self, id: String) -> Store {
        Store {
            id,
            id_alias: self.id_alias.unwrap_or_default(),
            store_name: self.store_name.unwrap_or_default(),
            store_address_zipcode: self.store_address_zipcode.unwrap_or_default(),
            store_address_prefecture: self.store_address_prefecture.unwrap_or_default(),
            store_address_line_1: self.store_address_line_1.unwrap_or_default(),
            store_address_line_2: self.store_address_line_2.unwrap_or_default(),
            store_phone: self.store_phone.unwrap_or_default(),
            store_type: self.store_type.unwrap_or_default(),
            offers_delivery: true,
            offers_fetches: true,
            pickup_proof: self.pickup_proof.unwrap_or_default(),
            delivery_proof: DELIVERY_PROOF.to_owned(),
            opening_time: self.opening_time,
            closing_time: self.closing_time,
        }
    }

    /// Applies a validated update: only the properties sent change.
    pub fn apply_to(self, store: &mut Store) {
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut store.id_alias, self.id_alias);
        set(&mut store.store_name, self.store_name);
        set(&mut store.store_address_zipcode, self.store_address_zipcode);
        set(
            &mut store.store_address_prefecture,
            self.store_address_prefecture,
        );
        set(&mut store.store_address_line_1, self.store_address_line_1);
        set(&mut store.store_address_line_2, self.store_address_line_2);
        set(&mut store.store_phone, self.store_phone);
        set(&mut store.store_type, self.store_type);
        set(&mut store.pickup_proof, self.pickup_proof);
        if self.opening_time.is_some() {
            store.opening_time = self.opening_time;
        }
        if self.closing_time.is_some() {
            store.closing_time = self.closing_time;
        }
    }
}

/// The document's table order, so the first error reported is the first field a person fills.
const DOCUMENT_ORDER: [&str; 13] = [
    "body",
    "id_alias",
    "store_name",
    "store_address_zipcode",
    "store_address_prefecture",
    "store_address_line_1",
    "store_address_line_2",
    "store_phone",
    "store_type",
    "pickup_proof",
    "opening_time",
    "closing_time",
    "delivery_proof",
];

fn sort_by_document_order(errors: &mut [FieldError]) {
    errors.sort_by_key(|e| {
        DOCUMENT_ORDER
            .iter()
            .position(|f| *f == e.field)
            .unwrap_or(DOCUMENT_ORDER.len())
    });
}

fn string_field(
    map: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, FieldError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FieldError::new(field, Rule::Type { expected: "string" })),
    }
}

/// `GET /v1/stores` and `GET /v1/stores/counts` filters: partial match on every text field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct StoreQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_zipcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_prefecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_line_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_address_line_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_phone: Option<String>,
}

impl StoreQuery {
    /// (column, needle) for each filter that is set and not empty.
    pub fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("id_alias", &self.id_alias),
            ("store_name", &self.store_name),
            ("store_address_zipcode", &self.store_address_zipcode),
            ("store_address_prefecture", &self.store_address_prefecture),
            ("store_address_line_1", &self.store_address_line_1),
            ("store_address_line_2", &self.store_address_line_2),
            ("store_phone", &self.store_phone),
        ]
        .into_iter()
        .filter_map(|(col, v)| v.as_deref().filter(|s| !s.is_empty()).map(|s| (col, s)))
        .collect()
    }
}
