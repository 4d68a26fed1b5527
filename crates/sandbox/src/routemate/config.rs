//! What a sandbox is started with for RouteMate: client credentials and drivers, so scripts and
//! tests need no set-up requests (`--routemate-client rm_ci_…:rm_cs_…`, `--driver EMAIL`).

use std::str::FromStr;

use hakobu_geo::Point;
use hakobu_geo::travel::VehicleType;
use rusqlite::Connection;

use super::{clients, drivers};
use crate::Seed;

/// RouteMate's part of `SandboxConfig`.
#[derive(Debug, Clone, Default)]
pub struct RouteMateConfig {
    /// Client credentials accepted by `POST /v1/integration-token`, besides those created with
    /// `POST /sandbox/routemate/clients`. Stored hashed; a pair given again replaces the secret.
    pub clients: Vec<RouteMateClient>,
    /// Drivers jobs can be imported for (`driver_email`). Given again, a driver is updated.
    pub drivers: Vec<RouteMateDriver>,
}

/// A client id and its secret, as `rm_ci_…:rm_cs_…` on the command line.
#[derive(Clone, PartialEq, Eq)]
pub struct RouteMateClient {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for RouteMateClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteMateClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "routemate client: expected rm_ci_<id>:rm_cs_<secret> (no spaces or colons inside), got {0:?}"
    )]
    Client(String),
    #[error("driver: expected EMAIL or EMAIL=LAT,LNG (a Japanese point), got {0:?}")]
    Driver(String),
}

/// A token-safe piece of a credential: ASCII letters, digits, `_` and `-`.
fn credential_part(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

impl FromStr for RouteMateClient {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let (id, secret) = s
            .split_once(':')
            .ok_or_else(|| ConfigError::Client(s.to_owned()))?;
        if !credential_part(id, "rm_ci_") || !credential_part(secret, "rm_cs_") {
            // The secret is not echoed: the message may end up in a log.
            return Err(ConfigError::Client(format!("{id}:…")));
        }
        Ok(RouteMateClient {
            client_id: id.to_owned(),
            client_secret: secret.to_owned(),
        })
    }
}

/// A driver jobs are assigned to, found by email; routes start at `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteMateDriver {
    /// Matched case-insensitively (stored lower-case).
    pub email: String,
    pub name: String,
    pub vehicle: VehicleType,
    pub start: Point,
}

/// Where a driver given only by email starts: the Tokyo Station side of 丸の内, a central
/// point every demo address is a city ride from.
pub const DEFAULT_START: Point = Point {
    lat: 35.681_236,
    lng: 139.767_125,
};

impl RouteMateDriver {
    /// A driver in a 軽四輪 starting at [`DEFAULT_START`], named after the email's local part.
    pub fn new(email: &str) -> RouteMateDriver {
        let email = email.trim().to_lowercase();
        let name = email.split('@').next().unwrap_or_default().to_owned();
        RouteMateDriver {
            email,
            name,
            vehicle: VehicleType::KeiVan,
            start: DEFAULT_START,
        }
    }
}

impl FromStr for RouteMateDriver {
    type Err = ConfigError;

    /// `EMAIL` or `EMAIL=LAT,LNG`.
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let bad = || ConfigError::Driver(s.to_owned());
        let (email, start) = match s.rsplit_once('=') {
            Some((email, at)) => {
                let (lat, lng) = at.split_once(',').ok_or_else(bad)?;
                let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
                let lng: f64 = lng.trim().parse().map_err(|_| bad())?;
                // Japan's extent, roughly: the geocoder places nothing outside it.
                if !((20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lng)) {
                    return Err(bad());
                }
                (email, Some(Point { lat, lng }))
            }
            None => (s, None),
        };
        if !hakobu_routemate::rules::is_email(email.trim()) {
            return Err(bad());
        }
        let mut driver = RouteMateDriver::new(email);
        if let Some(start) = start {
            driver.start = start;
        }
        Ok(driver)
    }
}

/// Stores the configured clients and drivers, and with a Tokyo seed the demo drivers (those
/// only when missing, so a restarted sandbox keeps what changed).
pub(crate) fn apply(
    conn: &mut Connection,
    config: &RouteMateConfig,
    seed: Option<Seed>,
    now: i64,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    if seed.is_some() {
        for d in drivers::demo() {
            drivers::insert(&tx, &d, false)?;
        }
    }
    for d in &config.drivers {
        drivers::insert(&tx, d, true)?;
    }
    for c in &config.clients {
        clients::insert(&tx, &c.client_id, &c.client_secret, now)?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_pair_parses_and_hides_its_secret() {
        let c: RouteMateClient = "rm_ci_abc:rm_cs_s3cret".parse().unwrap();
        assert_eq!(c.client_id, "rm_ci_abc");
        assert_eq!(c.client_secret, "rm_cs_s3cret");
        assert!(!format!("{c:?}").contains("s3cret"));
        for bad in [
            "rm_ci_abc",
            "rm_ci_:rm_cs_x",
            "abc:rm_cs_x",
            "rm_ci_a:rm_cs_",
            "rm_ci_a:cs_x",
            "rm_ci_a b:rm_cs_x",
        ] {
            let e = bad.parse::<RouteMateClient>().unwrap_err();
            assert!(matches!(e, ConfigError::Client(_)), "{bad}");
        }
        let e = "rm_ci_a:rm_cs_x y".parse::<RouteMateClient>().unwrap_err();
        assert!(!e.to_string().contains("x y"), "{e}");
    }

    #[test]
    fn a_driver_is_an_email_with_an_optional_start() {
        let d: RouteMateDriver = " Driver@Example.com ".parse().unwrap();
        assert_eq!(d.email, "driver@example.com");
        assert_eq!(d.name, "driver");
        assert_eq!(d.start, DEFAULT_START);
        let d: RouteMateDriver = "a@b.jp=35.6,139.8".parse().unwrap();
        assert_eq!(
            (d.email.as_str(), d.start.lat, d.start.lng),
            ("a@b.jp", 35.6, 139.8)
        );
        for bad in [
            "nobody",
            "@b.jp",
            "a@",
            "a@b.jp=35.6",
            "a@b.jp=x,139",
            "a@b.jp=0,0",
        ] {
            assert!(bad.parse::<RouteMateDriver>().is_err(), "{bad}");
        }
    }
}
