//! Travel matrices for planning: OSRM's road network when a server is configured, otherwise
//! hakobu-geo's great-circle model. Both give the same `Matrix`.

use hakobu_geo::Point;
use hakobu_geo::travel::{Matrix, VehicleType, matrix};
use hakobu_osrm::{OsrmClient, OsrmError};
use serde::Serialize;

use crate::{CommandError, Dispatch, ErrorCode};

/// A matrix and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravelMatrix {
    pub matrix: Matrix,
    /// `osrm` or `great_circle`
    pub source: &'static str,
    /// Pairs OSRM had no road route for, filled from the great-circle model.
    pub estimated: Vec<(usize, usize)>,
}

impl From<OsrmError> for CommandError {
    fn from(e: OsrmError) -> Self {
        // A URL or profile the settings got wrong is theirs to fix; anything else OSRM said or
        // sent back is not something the user can act on.
        let code = match e {
            OsrmError::Transport(_) | OsrmError::Timeout(_) => ErrorCode::Transport,
            OsrmError::InvalidUrl(_) | OsrmError::InvalidProfile(_) => ErrorCode::Config,
            _ => ErrorCode::Internal,
        };
        CommandError::new(code, format!("OSRM: {e}"))
    }
}

impl Dispatch {
    /// Uses the OSRM server at `client` for travel matrices from now on.
    pub fn with_osrm(mut self, client: OsrmClient) -> Dispatch {
        self.osrm = Some(client);
        self
    }

    pub async fn travel_matrix(
        &self,
        points: &[Point],
        vehicle: VehicleType,
    ) -> Result<TravelMatrix, CommandError> {
        match &self.osrm {
            Some(osrm) => {
                let m = osrm.table_or_great_circle(points, vehicle).await?;
                Ok(TravelMatrix {
                    matrix: m.matrix,
                    source: "osrm",
                    estimated: m.estimated,
                })
            }
            None => Ok(TravelMatrix {
                matrix: matrix(points, vehicle),
                source: "great_circle",
                estimated: Vec::new(),
            }),
        }
    }
}
