//! The sandbox's OpenAPI description, served at `GET /openapi.json`.
//!
//! One place builds both the router and the description: [`routes`] registers every route with
//! utoipa-axum's `routes!`, which takes the path and method from the handler's
//! `#[utoipa::path]`, so a route cannot be served without being described. Routes are never
//! added with a plain `.route(…)`.
//!
//! The wire types' schemas come from hakobu-diaq (its `openapi` feature derives `ToSchema`
//! there, so they follow the serde attributes of the types the handlers serialise). The request
//! bodies of estimates, deliveries, fetches and reservations are read by hand there (the
//! document's rules, one error at a time), so their schemas are written here, as schema-only
//! structs that mirror those readers. What every operation shares is added in [`finish`]: the
//! `Api-Key` security scheme and its 401, and on writes the `Idempotency-Key` header with its
//! 400 (too long), 409 and 422.
//!
//! `/openapi.json` sits behind the `Api-Key` like every other path (docs/decisions.md): one rule
//! without exceptions, and the embedded sandbox's key is random anyway. Tools pass the header.

use std::sync::OnceLock;

use axum::Json;
use axum::response::IntoResponse;
use hakobu_diaq::order::DriverLocation;
use hakobu_diaq::{Delivery, Fetch, Status};
use serde::Serialize;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, Required, ResponseBuilder};
use utoipa::{IntoParams, OpenApi as _, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{
    Sandbox, drivers, estimates, orders, reserve, routemate, simulate, stores, time_zones, webhook,
};

/// The name of the security scheme.
const API_KEY: &str = "api_key";
/// RouteMate's paths name this one instead (`security(("bearer" = []))` on the handler).
const BEARER: &str = "bearer";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Hakobu DIAq sandbox",
        description = "DIAq (Hakobu's reading of the delivery API document) over SQLite, plus \
            sandbox-only routes under /sandbox, and RouteMate's integration API \
            (/v1/integration-*, bearer tokens from /v1/integration-token). Where the documents \
            are silent, see docs/decisions.md.",
        license(name = "UNLICENSED")
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// Every route of the sandbox, each with its description.
pub(crate) fn routes() -> OpenApiRouter<Sandbox> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(serve))
        .routes(routes!(time_zones::list))
        .routes(routes!(stores::list, stores::create))
        .routes(routes!(stores::counts))
        .routes(routes!(stores::show, stores::update, stores::delete))
        // The document writes these with a trailing slash; both forms are served.
        .routes(routes!(estimates::create_delivery))
        .routes(routes!(estimates::create_delivery_slash))
        .routes(routes!(estimates::show_delivery))
        .routes(routes!(estimates::create_fetch))
        .routes(routes!(estimates::create_fetch_slash))
        .routes(routes!(estimates::show_fetch))
        .routes(routes!(orders::list_deliveries, orders::create_delivery))
        .routes(routes!(
            orders::list_deliveries_slash,
            orders::create_delivery_slash
        ))
        .routes(routes!(
            orders::show_delivery,
            orders::update_delivery,
            orders::cancel_delivery
        ))
        .routes(routes!(orders::list_fetches, orders::create_fetch))
        .routes(routes!(
            orders::list_fetches_slash,
            orders::create_fetch_slash
        ))
        .routes(routes!(
            orders::show_fetch,
            orders::update_fetch,
            orders::cancel_fetch
        ))
        .routes(routes!(reserve::reserve))
        .routes(routes!(simulate::advance))
        .routes(routes!(simulate::exception))
        .routes(routes!(webhook::register, webhook::unregister))
        .routes(routes!(webhook::attempts))
        .routes(routes!(drivers::list))
        .routes(routes!(drivers::set_location))
        // RouteMate, on the same server (bearer auth on its own paths; see `routemate`).
        .routes(routes!(routemate::token::issue))
        .routes(routes!(routemate::import::import))
        .routes(routes!(routemate::jobs::show))
        .routes(routes!(routemate::clients::create))
        .routes(routes!(routemate::progress::advance))
        .routes(routes!(routemate::progress::fail))
}

/// The complete description.
pub fn spec() -> OpenApi {
    let mut api = routes().into_openapi();
    finish(&mut api);
    api
}

/// The OpenAPI description of every route (this one included), as JSON.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "sandbox",
    responses((status = 200, description = "This description (OpenAPI 3.1)", body = serde_json::Value))
)]
pub async fn serve() -> impl IntoResponse {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    Json(SPEC.get_or_init(|| serde_json::to_value(spec()).unwrap_or_default()))
}

/// Adds what every operation shares: the `Api-Key` scheme and its 401; on writes the
/// `Idempotency-Key` header and the answers it can cause.
fn finish(api: &mut OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        API_KEY,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "Api-Key",
            "The sandbox's key (`--api-key`). Without it every path answers 401, except \
             RouteMate's `/v1/integration-*`.",
        ))),
    );
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "RouteMate: `rm_at_…` from `POST /v1/integration-token`, valid 3600 s.",
                ))
                .build(),
        ),
    );
    api.security = Some(vec![SecurityRequirement::new(
        API_KEY,
        Vec::<String>::new(),
    )]);
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put, &mut item.delete]
            .into_iter()
            .flatten()
        {
            writes(op);
        }
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            add_error(op, 401, "Missing or wrong `Api-Key` (`401 Unauthorized`)");
        }
    }
}

fn writes(op: &mut Operation) {
    let header: Parameter = ParameterBuilder::new()
        .name(crate::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Same key and same request: the first answer again, with `Idempotent-Replayed: true`. \
             Kept 24 hours.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(255)),
        ))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(header);
    add_error(
        op,
        400,
        "A broken rule, named `<field>: <rule>` (also a too long `Idempotency-Key`)",
    );
    add_error(
        op,
        409,
        "A request with this `Idempotency-Key` is still in progress",
    );
    add_error(
        op,
        422,
        "This `Idempotency-Key` was used for a different request",
    );
}

/// Adds an error answer unless the operation already describes that status.
fn add_error(op: &mut Operation, status: u16, description: &str) {
    let key = status.to_string();
    if op.responses.responses.contains_key(&key) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    op.responses.responses.insert(key, response.into());
}

// --- Schema-only types: what the hand-written readers accept and the `json!` answers hold. ---

/// Every error: `{"error": "<field>: <rule>"}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

/// `GET /v1/stores/counts`
#[derive(Serialize, ToSchema)]
pub struct Counts {
    pub counts: i64,
}

/// `page` and `per_page` of the lists (empty means the default).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1–100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A customer as requests send it (`last_name` and `phone` required for deliveries and fetches).
#[derive(ToSchema)]
pub struct CustomerBody {
    #[schema(pattern = r"^[0-9]{3}-[0-9]{4}$")]
    pub address_zipcode: String,
    pub address_prefecture: String,
    #[schema(max_length = 100)]
    pub address_line_1: String,
    #[schema(max_length = 100)]
    pub address_line_2: Option<String>,
    #[schema(max_length = 50)]
    pub last_name: Option<String>,
    #[schema(max_length = 50)]
    pub first_name: Option<String>,
    #[schema(max_length = 100)]
    pub business_name: Option<String>,
    #[schema(max_length = 13)]
    pub phone: Option<String>,
    #[schema(max_length = 200)]
    pub email: Option<String>,
}

/// A package as requests send it.
#[derive(ToSchema)]
pub struct PackageBody {
    /// One of ポスト投函サイズ, 60サイズ … 160サイズ.
    pub service_brand: String,
    pub order_reference: Option<String>,
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(minimum = 1, maximum = 10)]
    pub boxes: i64,
    #[schema(minimum = 1, maximum = 10)]
    pub number: i64,
    #[schema(minimum = 0)]
    pub height: Option<f64>,
    #[schema(minimum = 0)]
    pub width: Option<f64>,
    #[schema(minimum = 0)]
    pub depth: Option<f64>,
    #[schema(minimum = 0)]
    pub weight: Option<f64>,
    #[schema(max_length = 200)]
    pub attention: Option<String>,
}

/// `POST /v1/delivery_estimates/`
#[derive(ToSchema)]
#[schema(example = json!({
    "store_id": "5eed0000-0000-4000-8000-000000000001",
    "ready_by": "2024-06-01T10:00:00+09:00",
    "customer": {
        "address_zipcode": "106-0045",
        "address_prefecture": "東京都",
        "address_line_1": "港区麻布十番1-1-1"
    },
    "packages": [{"service_brand": "60サイズ", "boxes": 1, "number": 1}]
}))]
pub struct DeliveryEstimateBody {
    pub store_id: String,
    /// When the package is ready at the store, at most 14 days ahead.
    #[schema(format = DateTime)]
    pub ready_by: String,
    pub customer: CustomerBody,
    #[schema(min_items = 1)]
    pub packages: Vec<PackageBody>,
}

/// `POST /v1/fetch_estimates/` (`ready_by` is accepted in place of `deliver_by`).
#[derive(ToSchema)]
#[schema(example = json!({
    "store_id": "5eed0000-0000-4000-8000-000000000001",
    "deliver_by": "2024-06-01T10:00:00+09:00",
    "customer": {
        "address_zipcode": "106-0045",
        "address_prefecture": "東京都",
        "address_line_1": "港区麻布十番1-1-1"
    },
    "packages": [{"service_brand": "60サイズ", "boxes": 1, "number": 1}]
}))]
pub struct FetchEstimateBody {
    pub store_id: String,
    #[schema(format = DateTime)]
    pub deliver_by: String,
    pub customer: CustomerBody,
    #[schema(min_items = 1)]
    pub packages: Vec<PackageBody>,
}

/// `POST /v1/deliveries/`
#[derive(ToSchema)]
pub struct DeliveryBody {
    pub store_id: String,
    #[schema(format = DateTime)]
    pub ready_by: String,
    /// A hold of the same store from an estimate or `reserve_windows`.
    pub delivery_window_id: String,
    pub customer: CustomerBody,
    #[schema(min_items = 1)]
    pub packages: Vec<PackageBody>,
    pub pickup_comments: Option<String>,
    pub destination_comments: Option<String>,
    /// `HH:mm`, only with an AnytimeWindow.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub until: Option<String>,
}

/// `POST /v1/fetches/`
#[derive(ToSchema)]
pub struct FetchBody {
    pub store_id: String,
    #[schema(format = DateTime)]
    pub deliver_by: String,
    pub fetch_window_id: String,
    pub customer: CustomerBody,
    #[schema(min_items = 1)]
    pub packages: Vec<PackageBody>,
    pub pickup_comments: Option<String>,
    pub destination_comments: Option<String>,
    /// `HH:mm`, only with an AnytimeWindow.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub after: Option<String>,
}

/// `PUT /v1/deliveries/{id}` and `/v1/fetches/{id}`: only these may change, only while
/// `created`.
#[derive(ToSchema)]
pub struct OrderUpdateBody {
    pub customer: Option<CustomerBody>,
    pub packages: Option<Vec<PackageBody>>,
    pub pickup_comments: Option<String>,
    pub destination_comments: Option<String>,
}

/// `POST /v1/reserve_windows`
#[derive(ToSchema)]
pub struct ReserveBody {
    pub store_id: String,
    #[schema(format = Date)]
    pub reserve_date: String,
    /// One of `GET /v1/time_zones`.
    pub time_zone_id: String,
}

/// `deliveries` or `fetches` in the sandbox routes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Deliveries,
    Fetches,
}

/// A delivery or a fetch, as the `{kind}` of the path says.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Job {
    Delivery(Delivery),
    Fetch(Fetch),
}

/// `POST /sandbox/{kind}/{id}/exception`
#[derive(ToSchema)]
pub struct ExceptionBody {
    /// The document's exception code.
    #[schema(minimum = 1, maximum = 8)]
    pub code: i64,
    pub comment: Option<String>,
}

/// `PUT /sandbox/webhook`
#[derive(ToSchema)]
pub struct WebhookBody {
    /// https://, or http:// to 127.0.0.1/localhost.
    pub url: String,
    /// `whsec_` + base64.
    pub secret: String,
}

/// The answer to `PUT /sandbox/webhook`.
#[derive(ToSchema)]
pub struct WebhookRegistered {
    pub url: String,
}

/// One attempt to deliver a webhook message.
#[derive(ToSchema)]
pub struct WebhookAttempt {
    pub message_id: String,
    pub event: String,
    pub url: String,
    pub attempt: i64,
    pub attempted_at: Option<String>,
    /// The receiver's HTTP status; null when it could not be reached.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// `PUT /sandbox/drivers/{id}/location`
#[derive(ToSchema)]
pub struct LocationBody {
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: f64,
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: f64,
    /// When the fix was taken (RFC 3339); now when absent. Any readable time, so a test can
    /// send a stale fix or one from the future.
    pub update: Option<String>,
}

/// A driver in the webhook form.
#[derive(ToSchema)]
pub struct WebhookDriver {
    pub id: i64,
    pub name: String,
    /// From `collecting` on.
    pub phone: Option<String>,
    /// From `collecting` on.
    pub vehicle_type: Option<String>,
    pub location: DriverLocation,
}

/// The job a driver is on.
#[derive(ToSchema)]
pub struct JobRef {
    pub id: String,
    pub tracking_code: String,
    pub status: Status,
}

/// `GET /sandbox/drivers` element: the webhook form and the current job, if any.
#[derive(ToSchema)]
pub struct SandboxDriver {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub vehicle_type: Option<String>,
    pub location: DriverLocation,
    pub delivery: Option<JobRef>,
    pub fetch: Option<JobRef>,
}
