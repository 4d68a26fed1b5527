//! Estimates, window reservation, deliveries and fetches.
//!
//! Responses are typed. Request bodies are anything that serialises to the document's JSON:
//! the typed requests of [`hakobu_diaq::request`] (`DeliveryEstimateRequest`, `NewDelivery`,
//! `DeliveryUpdate`, …), or a `serde_json::Value` shaped as the document's examples (the
//! dispatch outbox queues its bodies as JSON and resends them as they were stored).

use hakobu_diaq::{Delivery, DeliveryEstimate, Fetch, FetchEstimate, Window};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::{ClientError, DiaqClient};

const DELIVERIES: &str = "/v1/deliveries";
const FETCHES: &str = "/v1/fetches";

/// `/v1/deliveries/{id}`, with the id made safe as one path segment.
fn item_path(collection: &str, id: &str) -> String {
    format!("{collection}/{}", crate::stores::path_segment(id))
}

/// Filters of `GET /v1/deliveries` and `GET /v1/fetches`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OrderQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// DESIGN.md's numeric status: created 0 … returned 9.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_reference: Option<String>,
}

impl DiaqClient {
    /// `POST /v1/delivery_estimates/`
    pub async fn create_delivery_estimate(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<DeliveryEstimate, ClientError> {
        self.json(
            self.request(Method::POST, "/v1/delivery_estimates/")
                .json(body),
        )
        .await
    }

    /// `GET /v1/delivery_estimates/{id}`
    pub async fn get_delivery_estimate(&self, id: &str) -> Result<DeliveryEstimate, ClientError> {
        self.json(self.request(
            Method::GET,
            &format!("/v1/delivery_estimates/{}", crate::stores::path_segment(id)),
        ))
        .await
    }

    /// `POST /v1/fetch_estimates/`
    pub async fn create_fetch_estimate(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<FetchEstimate, ClientError> {
        self.json(
            self.request(Method::POST, "/v1/fetch_estimates/")
                .json(body),
        )
        .await
    }

    /// `GET /v1/fetch_estimates/{id}`
    pub async fn get_fetch_estimate(&self, id: &str) -> Result<FetchEstimate, ClientError> {
        self.json(self.request(
            Method::GET,
            &format!("/v1/fetch_estimates/{}", crate::stores::path_segment(id)),
        ))
        .await
    }

    /// `POST /v1/reserve_windows`
    pub async fn reserve_window(
        &self,
        store_id: &str,
        reserve_date: &str,
        time_zone_id: &str,
    ) -> Result<Window, ClientError> {
        let body = serde_json::json!({
            "store_id": store_id, "reserve_date": reserve_date, "time_zone_id": time_zone_id,
        });
        self.reserve_window_with(&body).await
    }

    /// `POST /v1/reserve_windows` with a body, e.g. a [`hakobu_diaq::ReserveWindowRequest`].
    pub async fn reserve_window_with(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Window, ClientError> {
        self.json(self.request(Method::POST, "/v1/reserve_windows").json(body))
            .await
    }

    /// `POST /v1/deliveries/` with an `Idempotency-Key`: safe to retry after a lost answer, so
    /// the client does (see [`crate::RetryPolicy`]).
    pub async fn create_delivery_keyed(
        &self,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<Delivery, ClientError> {
        self.json(
            self.request(Method::POST, "/v1/deliveries/")
                .header(crate::IDEMPOTENCY_KEY, key)
                .json(body),
        )
        .await
    }

    /// `POST /v1/fetches/` with an `Idempotency-Key`.
    pub async fn create_fetch_keyed(
        &self,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<Fetch, ClientError> {
        self.json(
            self.request(Method::POST, "/v1/fetches/")
                .header(crate::IDEMPOTENCY_KEY, key)
                .json(body),
        )
        .await
    }

    /// `POST /v1/deliveries/`
    pub async fn create_delivery(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Delivery, ClientError> {
        self.json(self.request(Method::POST, "/v1/deliveries/").json(body))
            .await
    }

    /// `GET /v1/deliveries` — one page.
    pub async fn list_deliveries(
        &self,
        query: &OrderQuery,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Vec<Delivery>, ClientError> {
        self.order_page(DELIVERIES, query, page, per_page).await
    }

    /// `GET /v1/deliveries/{id}`
    pub async fn get_delivery(&self, id: &str) -> Result<Delivery, ClientError> {
        self.json(self.request(Method::GET, &item_path(DELIVERIES, id)))
            .await
    }

    /// `PUT /v1/deliveries/{id}` — customer, packages and comments, while `created`.
    pub async fn update_delivery(
        &self,
        id: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Delivery, ClientError> {
        self.json(
            self.request(Method::PUT, &item_path(DELIVERIES, id))
                .json(body),
        )
        .await
    }

    /// `DELETE /v1/deliveries/{id}` — cancel (or return, once under way).
    pub async fn cancel_delivery(&self, id: &str) -> Result<(), ClientError> {
        self.no_content(self.request(Method::DELETE, &item_path(DELIVERIES, id)))
            .await
    }

    /// `POST /v1/fetches/`
    pub async fn create_fetch(
        &self,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Fetch, ClientError> {
        self.json(self.request(Method::POST, "/v1/fetches/").json(body))
            .await
    }

    /// `GET /v1/fetches` — one page.
    pub async fn list_fetches(
        &self,
        query: &OrderQuery,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Vec<Fetch>, ClientError> {
        self.order_page(FETCHES, query, page, per_page).await
    }

    /// `GET /v1/fetches/{id}`
    pub async fn get_fetch(&self, id: &str) -> Result<Fetch, ClientError> {
        self.json(self.request(Method::GET, &item_path(FETCHES, id)))
            .await
    }

    /// `PUT /v1/fetches/{id}`
    pub async fn update_fetch(
        &self,
        id: &str,
        body: &(impl Serialize + ?Sized),
    ) -> Result<Fetch, ClientError> {
        self.json(
            self.request(Method::PUT, &item_path(FETCHES, id))
                .json(body),
        )
        .await
    }

    /// `DELETE /v1/fetches/{id}`
    pub async fn cancel_fetch(&self, id: &str) -> Result<(), ClientError> {
        self.no_content(self.request(Method::DELETE, &item_path(FETCHES, id)))
            .await
    }

    /// One page of `GET /v1/deliveries` or `/v1/fetches` (they share their filters).
    async fn order_page<T: serde::de::DeserializeOwned>(
        &self,
        collection: &str,
        query: &OrderQuery,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Vec<T>, ClientError> {
        let mut r = self
            .request(Method::GET, collection)
            .query(query)
            .query(&[("page", page)]);
        if let Some(n) = per_page {
            r = r.query(&[("per_page", n)]);
        }
        self.json(r).await
    }

    /// Sandbox only: `POST /sandbox/{deliveries|fetches}/{id}/advance` (the driver's next step).
    pub async fn sandbox_advance(&self, kind: &str, id: &str) -> Result<Value, ClientError> {
        self.json(self.request(
            Method::POST,
            &format!(
                "/sandbox/{kind}/{}/advance",
                crate::stores::path_segment(id)
            ),
        ))
        .await
    }

    /// Sandbox only: `POST /sandbox/{deliveries|fetches}/{id}/exception` (codes 1–8).
    pub async fn sandbox_exception(
        &self,
        kind: &str,
        id: &str,
        code: u8,
        comment: &str,
    ) -> Result<Value, ClientError> {
        self.json(
            self.request(
                Method::POST,
                &format!(
                    "/sandbox/{kind}/{}/exception",
                    crate::stores::path_segment(id)
                ),
            )
            .json(&serde_json::json!({ "code": code, "comment": comment })),
        )
        .await
    }
}

impl DiaqClient {
    /// Every delivery matching `query`, reading pages until a short one.
    pub async fn all_deliveries(&self, query: &OrderQuery) -> Result<Vec<Delivery>, ClientError> {
        crate::all_pages(
            |page| self.list_deliveries(query, page, Some(crate::PAGE_SIZE)),
            |d: &Delivery| &d.id,
        )
        .await
    }

    /// Every fetch matching `query`, reading pages until a short one.
    pub async fn all_fetches(&self, query: &OrderQuery) -> Result<Vec<Fetch>, ClientError> {
        crate::all_pages(
            |page| self.list_fetches(query, page, Some(crate::PAGE_SIZE)),
            |f: &Fetch| &f.id,
        )
        .await
    }
}
