//! What a refusal says. Both APIs answer an error with `{"error": "<field>: <rule>"}` (DIAq's
//! document and RouteMate's sandbox alike); a proxy or a server in trouble may answer HTML or
//! nothing instead, which is kept (shortened) so the user still sees something.

/// The server's `{"error"}` message, else the body's first 200 characters.
pub fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// The field a `<field>: <rule>` message names (`packages[1].boxes: …` → `packages[1].boxes`);
/// `None` when what precedes `: ` is not a field path (`時間枠の違反: …`).
pub fn field_of(message: &str) -> Option<&str> {
    let (field, _) = message.split_once(": ")?;
    let is_name = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
    is_name.then_some(field)
}

/// What a reqwest failure without an HTTP status was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An answer came but was not what was expected.
    Decode(String),
    /// No answer: connection refused or lost, timeout, TLS, DNS.
    Transport(String),
}

/// Sorts a reqwest error. The URL is left out of the text: reqwest never prints headers or
/// bodies, and without the URL no query string (or anything a user pasted into it) shows.
pub fn failure(e: reqwest::Error) -> Failure {
    if e.is_decode() {
        Failure::Decode(e.to_string())
    } else {
        Failure::Transport(e.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_error_property_else_the_start_of_the_body() {
        assert_eq!(
            error_message(r#"{"error":"store_phone: must be at most 13 characters"}"#),
            "store_phone: must be at most 13 characters"
        );
        assert_eq!(
            error_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(error_message(&"あ".repeat(300)).chars().count(), 200);
        assert_eq!(error_message(r#"{"error": 7}"#), r#"{"error": 7}"#);
        assert_eq!(error_message(""), "");
    }

    #[test]
    fn names_the_field_of_a_field_message_only() {
        assert_eq!(
            field_of("store_phone: must be at most 13 characters"),
            Some("store_phone")
        );
        assert_eq!(
            field_of("stops[1].address: is required"),
            Some("stops[1].address")
        );
        assert_eq!(field_of("時間枠の違反: x"), None);
        assert_eq!(field_of(": x"), None);
        assert_eq!(field_of("no colon here"), None);
    }

    #[tokio::test]
    async fn a_refused_connection_is_no_answer_and_names_no_url() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let e = reqwest::get(format!("http://127.0.0.1:{port}/secret-path?k=v"))
            .await
            .unwrap_err();
        match failure(e) {
            Failure::Transport(text) => assert!(!text.contains("secret-path"), "{text}"),
            other => panic!("{other:?}"),
        }
    }
}
