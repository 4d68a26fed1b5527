//! The sandbox's stand-in for the document's dashboard "settings screen":
//! `POST /sandbox/routemate/clients` (behind the sandbox's `Api-Key`) makes a client id and
//! secret. The app uses it to talk RouteMate to its embedded sandbox without set-up.

use hakobu_routemate::Credentials;

use crate::{RouteMateError, answer, decode, http_client, json_body};

pub const SANDBOX_CLIENTS_PATH: &str = "/sandbox/routemate/clients";

/// A new credential pair on the sandbox at `base_url`, which answers `api_key`.
pub async fn create_sandbox_credentials(
    base_url: &str,
    api_key: &str,
) -> Result<Credentials, RouteMateError> {
    let url = format!("{}{SANDBOX_CLIENTS_PATH}", base_url.trim_end_matches('/'));
    let response = http_client()?
        .post(url)
        .header("Api-Key", api_key)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(RouteMateError::from_reqwest)?;
    if !response.status().is_success() {
        return Err(answer(response).await);
    }
    decode(&json_body(response).await?)
}
