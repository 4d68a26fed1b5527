//! Sandbox only: where the sandbox POSTs its webhooks. The real DIAq has no such route (its
//! webhook URL is set in the admin screen); these calls answer 404 there.

use reqwest::Method;

use crate::{ClientError, DiaqClient};

impl DiaqClient {
    /// Sandbox only: `PUT /sandbox/webhook` with `{"url", "secret"}` — events go to `url` from
    /// now on, signed with `secret` (`whsec_` + base64, Standard Webhooks), replacing any
    /// earlier registration.
    pub async fn sandbox_register_webhook(
        &self,
        url: &str,
        secret: &str,
    ) -> Result<(), ClientError> {
        self.no_content(
            self.request(Method::PUT, "/sandbox/webhook")
                .json(&serde_json::json!({ "url": url, "secret": secret })),
        )
        .await
    }

    /// Sandbox only: `DELETE /sandbox/webhook` — stop sending events.
    pub async fn sandbox_unregister_webhook(&self) -> Result<(), ClientError> {
        self.no_content(self.request(Method::DELETE, "/sandbox/webhook"))
            .await
    }
}
