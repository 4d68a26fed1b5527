//! Every write with an `Idempotency-Key` (DESIGN.md): the outbox sends each queued write under
//! its own key, so a resend after a lost answer gets the first answer back instead of
//! applying the write twice. Keyed writes are also retried by the client itself on transport
//! errors, 429 and 5xx ([`crate::RetryPolicy`]). A server that ignores the header (the
//! document does not mention it) just runs the request.

use hakobu_diaq::{Delivery, DeliveryEstimate, Fetch, FetchEstimate, Store, StoreInput, Window};
use reqwest::{Method, RequestBuilder};
use serde::Serialize;

use crate::stores::path_segment;
use crate::{ClientError, DiaqClient, IDEMPOTENCY_KEY};

impl DiaqClient {
    fn keyed(&self, method: Method, path: &str, key: &str) -> RequestBuilder {
        self.request(method, path).header(IDEMPOTENCY_KEY, key)
    }

    /// `POST /v1/stores`
    pub async fn create_store_keyed(
        &self,
        input: &StoreInput,
        key: &str,
    ) -> Result<Store, ClientError> {
        self.json(self.keyed(Method::POST, "/v1/stores", key).json(input))
            .await
    }

    /// `PUT /v1/stores/{id}`
    pub async fn update_store_keyed(
        &self,
        id: &str,
        input: &StoreInput,
        key: &str,
    ) -> Result<Store, ClientError> {
        let path = format!("/v1/stores/{}", path_segment(id));
        self.json(self.keyed(Method::PUT, &path, key).json(input))
            .await
    }

    /// `DELETE /v1/stores/{id}`
    pub async fn delete_store_keyed(&self, id: &str, key: &str) -> Result<(), ClientError> {
        let path = format!("/v1/stores/{}", path_segment(id));
        self.no_content(self.keyed(Method::DELETE, &path, key))
            .await
    }

    /// `POST /v1/delivery_estimates/`
    pub async fn create_delivery_estimate_keyed(
        &self,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<DeliveryEstimate, ClientError> {
        self.json(
            self.keyed(Method::POST, "/v1/delivery_estimates/", key)
                .json(body),
        )
        .await
    }

    /// `POST /v1/fetch_estimates/`
    pub async fn create_fetch_estimate_keyed(
        &self,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<FetchEstimate, ClientError> {
        self.json(
            self.keyed(Method::POST, "/v1/fetch_estimates/", key)
                .json(body),
        )
        .await
    }

    /// `POST /v1/reserve_windows`
    pub async fn reserve_window_keyed(
        &self,
        store_id: &str,
        reserve_date: &str,
        time_zone_id: &str,
        key: &str,
    ) -> Result<Window, ClientError> {
        let body = serde_json::json!({
            "store_id": store_id, "reserve_date": reserve_date, "time_zone_id": time_zone_id,
        });
        self.reserve_window_with_keyed(&body, key).await
    }

    /// `POST /v1/reserve_windows` with a body, e.g. a [`hakobu_diaq::ReserveWindowRequest`].
    pub async fn reserve_window_with_keyed(
        &self,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<Window, ClientError> {
        self.json(
            self.keyed(Method::POST, "/v1/reserve_windows", key)
                .json(body),
        )
        .await
    }

    /// `PUT /v1/deliveries/{id}`
    pub async fn update_delivery_keyed(
        &self,
        id: &str,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<Delivery, ClientError> {
        let path = format!("/v1/deliveries/{}", path_segment(id));
        self.json(self.keyed(Method::PUT, &path, key).json(body))
            .await
    }

    /// `DELETE /v1/deliveries/{id}`
    pub async fn cancel_delivery_keyed(&self, id: &str, key: &str) -> Result<(), ClientError> {
        let path = format!("/v1/deliveries/{}", path_segment(id));
        self.no_content(self.keyed(Method::DELETE, &path, key))
            .await
    }

    /// `PUT /v1/fetches/{id}`
    pub async fn update_fetch_keyed(
        &self,
        id: &str,
        body: &(impl Serialize + ?Sized),
        key: &str,
    ) -> Result<Fetch, ClientError> {
        let path = format!("/v1/fetches/{}", path_segment(id));
        self.json(self.keyed(Method::PUT, &path, key).json(body))
            .await
    }

    /// `DELETE /v1/fetches/{id}`
    pub async fn cancel_fetch_keyed(&self, id: &str, key: &str) -> Result<(), ClientError> {
        let path = format!("/v1/fetches/{}", path_segment(id));
        self.no_content(self.keyed(Method::DELETE, &path, key))
            .await
    }
}

#[cfg(test)]
mod tests {
    use hakobu_sandbox::{SandboxConfig, Seed};

    use super::*;

    const STORE: &str = "5eed0000-0000-4000-8000-000000000003";

    #[tokio::test]
    async fn a_keyed_write_repeated_is_answered_once_and_a_changed_body_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = SandboxConfig {
            db_path: dir.path().join("sandbox.db"),
            api_key: "k".into(),
            seed: Some(Seed::Tokyo),
            ..SandboxConfig::default()
        };
        let server = hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = DiaqClient::new(&server.base_url(), "k").unwrap();

        client.delete_store_keyed(STORE, "del-1").await.unwrap();
        // The store is gone, yet the same key answers the first 204 again, not a 404.
        client.delete_store_keyed(STORE, "del-1").await.unwrap();
        let e = client.delete_store_keyed(STORE, "del-2").await.unwrap_err();
        assert!(matches!(e, ClientError::NotFound { .. }), "{e:?}");

        let input = StoreInput {
            store_name: Some("キー".into()),
            store_address_zipcode: Some("106-0032".into()),
            store_address_prefecture: Some("東京都".into()),
            store_address_line_1: Some("港区六本木6-10-1".into()),
            store_phone: Some("03-6406-6000".into()),
            ..StoreInput::default()
        };
        let first = client.create_store_keyed(&input, "new-1").await.unwrap();
        let again = client.create_store_keyed(&input, "new-1").await.unwrap();
        assert_eq!(first.id, again.id);
        let changed = StoreInput {
            store_name: Some("別".into()),
            ..input
        };
        let e = client
            .create_store_keyed(&changed, "new-1")
            .await
            .unwrap_err();
        assert!(
            matches!(e, ClientError::Server { status: 422, .. }),
            "{e:?}"
        );
        let e = client
            .update_store_keyed(STORE, &changed, "upd-1")
            .await
            .unwrap_err();
        assert!(matches!(e, ClientError::NotFound { .. }), "{e:?}");
        server.shutdown().await;
    }
}
