//! `/v1/stores` calls.

use hakobu_diaq::{Store, StoreInput, StoreQuery};
use reqwest::Method;
use serde::Deserialize;

use crate::{ClientError, DiaqClient, PAGE_SIZE};

#[derive(Deserialize)]
struct Counts {
    counts: u64,
}

impl DiaqClient {
    /// `POST /v1/stores`
    pub async fn create_store(&self, input: &StoreInput) -> Result<Store, ClientError> {
        self.json(self.request(Method::POST, "/v1/stores").json(input))
            .await
    }

    /// `GET /v1/stores` — one page (1-based); `per_page` None uses the server's default (25).
    pub async fn list_stores(
        &self,
        query: &StoreQuery,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Vec<Store>, ClientError> {
        let mut request = self
            .request(Method::GET, "/v1/stores")
            .query(query)
            .query(&[("page", page)]);
        if let Some(n) = per_page {
            request = request.query(&[("per_page", n)]);
        }
        self.json(request).await
    }

    /// Every store matching `query`, reading pages until a short one.
    pub async fn all_stores(&self, query: &StoreQuery) -> Result<Vec<Store>, ClientError> {
        crate::all_pages(
            |page| self.list_stores(query, page, Some(PAGE_SIZE)),
            |s: &Store| &s.id,
        )
        .await
    }

    /// `GET /v1/stores/counts`
    pub async fn count_stores(&self, query: &StoreQuery) -> Result<u64, ClientError> {
        let counts: Counts = self
            .json(self.request(Method::GET, "/v1/stores/counts").query(query))
            .await?;
        Ok(counts.counts)
    }

    /// `GET /v1/stores/{id}`
    pub async fn get_store(&self, id: &str) -> Result<Store, ClientError> {
        self.json(self.request(Method::GET, &format!("/v1/stores/{}", path_segment(id))))
            .await
    }

    /// `PUT /v1/stores/{id}` — only the properties set in `input` change.
    pub async fn update_store(&self, id: &str, input: &StoreInput) -> Result<Store, ClientError> {
        self.json(
            self.request(Method::PUT, &format!("/v1/stores/{}", path_segment(id)))
                .json(input),
        )
        .await
    }

    /// `DELETE /v1/stores/{id}`
    pub async fn delete_store(&self, id: &str) -> Result<(), ClientError> {
        self.no_content(self.request(Method::DELETE, &format!("/v1/stores/{}", path_segment(id))))
            .await
    }
}

/// Ids are UUIDs, but a path segment must never let a stray `/` or `?` change the route.
pub(crate) fn path_segment(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}
