//! `hakobu-osrm`: road distances and durations from an OSRM server's `/table` service, as the
//! same [`Matrix`] the great-circle model in `hakobu_geo::travel` builds. Used instead of that
//! model when an OSRM URL is configured; `hakobu-geo` itself stays free of I/O.
//!
//! - Large point sets are asked for in blocks of at most `max_table_size` sources ×
//!   `max_table_size` destinations (default 100, `osrm-routed`'s own default). A server with a
//!   lower limit answers `TooBig`; the client then halves the block side and carries on, so the
//!   setting only saves those extra round trips.
//! - Pairs OSRM cannot route (`null`) are an [`OsrmError::Unroutable`] from [`OsrmClient::table`];
//!   [`OsrmClient::table_or_great_circle`] fills them from the great-circle model and lists them.
//! - A point OSRM snaps to a road more than `max_snap_m` away (default 500 m) is an
//!   [`OsrmError::TooFarFromRoad`]: it is almost certainly outside the server's map.

mod error;
mod table;

use std::time::Duration;

use hakobu_geo::Point;
use hakobu_geo::travel::{Matrix, VehicleType, leg};

pub use error::OsrmError;
use table::{Block, Cell};

/// The profile segment of the URL. `osrm-routed` serves whatever profile its data was built
/// with and ignores this; servers that host several (behind a proxy) route on it.
pub const DEFAULT_PROFILE: &str = "driving";
/// How long one block's request may take. A 100 × 100 block of a city takes well under a second.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Block side: `osrm-routed --max-table-size`'s default. Each request carries at most this many
/// sources and this many destinations (so at most twice this many coordinates).
pub const DEFAULT_MAX_TABLE_SIZE: usize = 100;
/// Farther than this from any road, a point is taken to be off the server's map.
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

/// An OSRM server. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct OsrmClient {
    http: reqwest::Client,
    base_url: String,
    profile: String,
    timeout: Duration,
    max_table_size: usize,
    max_snap_m: Option<f64>,
}

/// A full matrix where some pairs are the great-circle estimate rather than OSRM's road route.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimatedMatrix {
    pub matrix: Matrix,
    /// The (from, to) pairs OSRM had no route for, in row-major order.
    pub estimated: Vec<(usize, usize)>,
}

impl OsrmClient {
    /// `base_url` is what `/table/v1/…` follows, e.g. `http://127.0.0.1:5000` or
    /// `https://osrm.example.jp/osrm`; `profile` is the URL's profile segment (`driving`).
    pub fn new(base_url: &str, profile: &str) -> Result<OsrmClient, OsrmError> {
        let base_url = base_url.trim().trim_end_matches('/');
        let has_host = |rest: &str| !rest.is_empty() && !rest.starts_with('/');
        let valid = match (
            base_url.strip_prefix("http://"),
            base_url.strip_prefix("https://"),
        ) {
            (Some(rest), _) | (_, Some(rest)) => has_host(rest),
            _ => false,
        };
        if !valid {
            return Err(OsrmError::InvalidUrl(base_url.to_owned()));
        }
        let profile_ok = !profile.is_empty()
            && profile
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !profile_ok {
            return Err(OsrmError::InvalidProfile(profile.to_owned()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("hakobu/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OsrmError::Transport(e.to_string()))?;
        Ok(OsrmClient {
            http,
            base_url: base_url.to_owned(),
            profile: profile.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_table_size: DEFAULT_MAX_TABLE_SIZE,
            max_snap_m: Some(DEFAULT_MAX_SNAP_M),
        })
    }

    /// The limit for each request (one block), not for the whole table.
    pub fn with_timeout(mut self, timeout: Duration) -> OsrmClient {
        self.timeout = timeout;
        self
    }

    /// The block side to start with; set it to the server's `--max-table-size` when that is
    /// lower than 100 to save the `TooBig` round trips. At least 1.
    pub fn with_max_table_size(mut self, size: usize) -> OsrmClient {
        self.max_table_size = size.max(1);
        self
    }

    /// `None` accepts any snap distance.
    pub fn with_max_snap_m(mut self, metres: Option<f64>) -> OsrmClient {
        self.max_snap_m = metres;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Road metres and seconds between all `points`, rounded. Fewer than two points need no
    /// request. Any pair without a road route fails the whole table with
    /// [`OsrmError::Unroutable`] naming the pairs.
    pub async fn table(&self, points: &[Point]) -> Result<Matrix, OsrmError> {
        let n = points.len();
        let cells = self.cells(points).await?;
        let pairs: Vec<(usize, usize)> = (0..n * n)
            .filter(|&k| cells[k].is_none())
            .map(|k| (k / n, k % n))
            .collect();
        if !pairs.is_empty() {
            return Err(OsrmError::Unroutable { pairs });
        }
        Ok(to_matrix(n, cells.into_iter().flatten()))
    }

    /// Like [`OsrmClient::table`], but each pair without a road route gets the great-circle
    /// estimate for `vehicle` (`hakobu_geo::travel::leg`) and is listed in `estimated`.
    pub async fn table_or_great_circle(
        &self,
        points: &[Point],
        vehicle: VehicleType,
    ) -> Result<EstimatedMatrix, OsrmError> {
        let n = points.len();
        let cells = self.cells(points).await?;
        let mut estimated = Vec::new();
        let filled = cells.into_iter().enumerate().map(|(k, cell)| {
            cell.unwrap_or_else(|| {
                let (from, to) = (k / n, k % n);
                estimated.push((from, to));
                let l = leg(points[from], points[to], vehicle);
                Cell {
                    metres: f64::from(l.metres),
                    seconds: f64::from(l.seconds),
                }
            })
        });
        let matrix = to_matrix(n, filled);
        Ok(EstimatedMatrix { matrix, estimated })
    }

    /// Row-major n × n cells, `None` where OSRM has no route; the diagonal is zero.
    async fn cells(&self, points: &[Point]) -> Result<Vec<Option<Cell>>, OsrmError> {
        let n = points.len();
        let mut cells = vec![None; n * n];
        for i in 0..n {
            cells[i * n + i] = Some(Cell::ZERO);
        }
        let mut size = self.max_table_size;
        let mut todo = table::blocks(n, size);
        while let Some(block) = todo.pop() {
            if block.side() > size {
                todo.extend(block.split(size));
                continue;
            }
            if block.is_diagonal() && block.sources.len() == 1 {
                continue; // a point to itself: OSRM refuses a single coordinate anyway
            }
            match self.fetch(points, &block).await {
                Ok(answer) => answer.fill(&block, n, &mut cells, self.max_snap_m)?,
                Err(e) if e.is_too_big() && block.side() > 1 => {
                    size = block.side() / 2;
                    todo.push(block);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(cells)
    }

    async fn fetch(&self, points: &[Point], block: &Block) -> Result<table::Answer, OsrmError> {
        let url = format!(
            "{}{}",
            self.base_url,
            block.path_and_query(points, &self.profile)
        );
        let response = self
            .http
            .get(url)
            .timeout(self.timeout)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| OsrmError::from_reqwest(e, self.timeout))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| OsrmError::from_reqwest(e, self.timeout))?;
        table::decode(status, &body)
    }
}

fn to_matrix(n: usize, cells: impl Iterator<Item = Cell>) -> Matrix {
    let (metres, seconds) = cells.map(|c| (round(c.metres), round(c.seconds))).unzip();
    Matrix { n, metres, seconds }
}

fn round(v: f64) -> u32 {
    v.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_profiles_are_checked() {
        let c = OsrmClient::new(" http://127.0.0.1:5000/ ", "driving").unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:5000");
        assert!(OsrmClient::new("https://osrm.example.jp/osrm", "car").is_ok());
        for bad in ["127.0.0.1:5000", "ftp://x", "http://", "https:///x", ""] {
            assert_eq!(
                OsrmClient::new(bad, "driving").unwrap_err(),
                OsrmError::InvalidUrl(bad.trim_end_matches('/').to_owned()),
                "{bad}"
            );
        }
        for bad in ["", "dri/ving", "car?x=1", "自転車"] {
            assert!(
                matches!(
                    OsrmClient::new("http://127.0.0.1:5000", bad),
                    Err(OsrmError::InvalidProfile(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rounding_is_to_the_nearest_and_never_negative() {
        assert_eq!(round(97.8), 98);
        assert_eq!(round(1344.4), 1344);
        assert_eq!(round(-0.2), 0);
    }
}
