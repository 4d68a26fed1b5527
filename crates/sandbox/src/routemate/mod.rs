//! RouteMate (`shared/seeds/routemate-api.txt`) on the same server and port as DIAq: the OAuth2
//! client-credentials token, job import (geocode with hakobu-geo, optimise with hakobu-solver)
//! and job status, plus sandbox-only routes that create credentials and move stops along.
//!
//! RouteMate's own paths authenticate with a bearer token instead of DIAq's `Api-Key`
//! ([`guard_for`], applied by `auth.rs`); the `/sandbox/routemate/*` routes are the sandbox's,
//! behind the `Api-Key` like every other sandbox route. Where the document is silent, see
//! docs/decisions.md, "RouteMate (sandbox)".

pub(crate) mod clients;
mod config;
pub(crate) mod drivers;
pub(crate) mod import;
pub(crate) mod jobs;
mod plan;
pub(crate) mod progress;
mod request;
pub mod schema;
pub(crate) mod simulation;
pub(crate) mod token;

pub(crate) use config::apply as apply_config;
pub use config::{ConfigError, RouteMateClient, RouteMateConfig, RouteMateDriver};
pub use drivers::demo as demo_drivers;

/// How a path is authenticated instead of the `Api-Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    /// The token exchange itself: the credentials are in the body.
    Credentials,
    /// `Authorization: Bearer rm_at_…`.
    Bearer,
}

/// The RouteMate paths and their guard; every other path keeps the `Api-Key`.
pub(crate) fn guard_for(path: &str) -> Option<Guard> {
    match path {
        token::PATH => Some(Guard::Credentials),
        import::PATH | jobs::PATH => Some(Guard::Bearer),
        _ => None,
    }
}

/// `rm_ci_`, `rm_cs_`, `rm_at_` + `bytes` random bytes in hex (from v4 UUIDs: 122 random bits
/// each, the operating system's generator).
pub(crate) fn random_id(prefix: &str, uuids: usize) -> String {
    let mut id = String::from(prefix);
    for _ in 0..uuids {
        id.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    id
}

/// SHA-256 in hex: how secrets and tokens are stored, and how import bodies are compared.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_document_paths_leave_the_api_key() {
        assert_eq!(guard_for("/v1/integration-token"), Some(Guard::Credentials));
        assert_eq!(guard_for("/v1/integration-import"), Some(Guard::Bearer));
        assert_eq!(guard_for("/v1/integration-jobs"), Some(Guard::Bearer));
        assert_eq!(guard_for("/v1/integration-jobs/"), None);
        assert_eq!(guard_for("/sandbox/routemate/clients"), None);
        assert_eq!(guard_for("/v1/stores"), None);
    }

    #[test]
    fn ids_are_prefixed_and_random() {
        let a = random_id("rm_at_", 2);
        assert!(a.starts_with("rm_at_") && a.len() == 6 + 64, "{a}");
        assert_ne!(a, random_id("rm_at_", 2));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
