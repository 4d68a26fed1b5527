//! `POST /v1/integration-token`: client credentials → a bearer token valid `expires_in`
//! seconds (the document: one hour). Secrets and tokens print as `<redacted>`: they must
//! never reach a log line.

use serde::{Deserialize, Serialize};

/// A client id and its secret, from the RouteMate dashboard (or the sandbox's
/// `POST /sandbox/routemate/clients`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `rm_ci_…`
    pub client_id: String,
    /// `rm_cs_…`
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The token request body is the credentials themselves (the document's example).
pub type TokenRequest = Credentials;

/// The answer of `POST /v1/integration-token`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `rm_at_…`, opaque.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds the token is valid (3600).
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_never_print() {
        let c = Credentials {
            client_id: "rm_ci_abc".into(),
            client_secret: "rm_cs_s3cret".into(),
        };
        let shown = format!("{c:?}");
        assert!(
            shown.contains("rm_ci_abc") && !shown.contains("s3cret"),
            "{shown}"
        );
        let r = TokenResponse {
            access_token: "rm_at_t0ken".into(),
            token_type: "Bearer".into(),
            expires_in: 3600,
        };
        assert!(!format!("{r:?}").contains("t0ken"));
    }

    #[test]
    fn the_wire_names_are_the_documents() {
        let body = serde_json::to_value(Credentials {
            client_id: "rm_ci_your_client_id".into(),
            client_secret: "rm_cs_your_client_secret".into(),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"client_id": "rm_ci_your_client_id",
                               "client_secret": "rm_cs_your_client_secret"})
        );
        let r: TokenResponse = serde_json::from_str(
            r#"{"access_token": "rm_at_e5988dd1b91a", "token_type": "Bearer", "expires_in": 3600}"#,
        )
        .unwrap();
        assert_eq!(r.expires_in, 3600);
    }
}
