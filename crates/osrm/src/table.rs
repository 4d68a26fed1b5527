//! The pure half of a `/table` call: which blocks of the matrix to ask for, each block's URL, and
//! reading OSRM's answer into cells. No I/O here, so all of it is unit-tested.

use std::fmt::Write as _;
use std::ops::Range;

use hakobu_geo::Point;
use serde::Deserialize;

use crate::OsrmError;

/// One matrix entry as OSRM gives it, before rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cell {
    pub metres: f64,
    pub seconds: f64,
}

impl Cell {
    pub const ZERO: Cell = Cell {
        metres: 0.0,
        seconds: 0.0,
    };
}

/// The part of the n × n matrix one request answers: rows `sources`, columns `destinations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub sources: Range<usize>,
    pub destinations: Range<usize>,
}

/// Consecutive ranges of at most `size` indices covering `range`.
fn ranges(range: Range<usize>, size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    range
        .clone()
        .step_by(size)
        .map(|start| start..(start + size).min(range.end))
        .collect()
}

/// Every block of at most `size` × `size` entries, covering the n × n matrix once.
pub(crate) fn blocks(n: usize, size: usize) -> Vec<Block> {
    Block {
        sources: 0..n,
        destinations: 0..n,
    }
    .split(size)
}

impl Block {
    /// Rows and columns are the same points: the request carries them once, all to all.
    pub fn is_diagonal(&self) -> bool {
        self.sources == self.destinations
    }

    /// The longer side: what OSRM's `--max-table-size` is compared with.
    pub fn side(&self) -> usize {
        self.sources.len().max(self.destinations.len())
    }

    pub fn split(&self, size: usize) -> Vec<Block> {
        let columns = ranges(self.destinations.clone(), size);
        ranges(self.sources.clone(), size)
            .into_iter()
            .flat_map(|sources| {
                columns.iter().map(move |destinations| Block {
                    sources: sources.clone(),
                    destinations: destinations.clone(),
                })
            })
            .collect()
    }

    /// The points the request carries, in the order OSRM numbers them.
    fn coordinates(&self) -> Vec<usize> {
        if self.is_diagonal() {
            self.sources.clone().collect()
        } else {
            self.sources
                .clone()
                .chain(self.destinations.clone())
                .collect()
        }
    }

    /// `/table/v1/{profile}/{lng,lat;…}?…` for this block. Coordinates have 6 decimals (0.1 m).
    /// Hints are not wanted back: they would be most of the response.
    pub fn path_and_query(&self, points: &[Point], profile: &str) -> String {
        let mut url = format!("/table/v1/{profile}/");
        for (k, &i) in self.coordinates().iter().enumerate() {
            let p = points[i];
            let sep = if k == 0 { "" } else { ";" };
            let _ = write!(url, "{sep}{:.6},{:.6}", p.lng, p.lat);
        }
        url.push_str("?annotations=duration,distance&generate_hints=false");
        if !self.is_diagonal() {
            let (s, d) = (self.sources.len(), self.destinations.len());
            url.push_str("&sources=");
            url.push_str(&join(0..s));
            url.push_str("&destinations=");
            url.push_str(&join(s..s + d));
        }
        url
    }
}

fn join(indices: Range<usize>) -> String {
    indices.map(|i| i.to_string()).collect::<Vec<_>>().join(";")
}

/// OSRM's `/table` response, the parts the client reads.
#[derive(Debug, Deserialize)]
pub(crate) struct Answer {
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    durations: Option<Vec<Vec<Option<f64>>>>,
    #[serde(default)]
    distances: Option<Vec<Vec<Option<f64>>>>,
    #[serde(default)]
    sources: Vec<Waypoint>,
    #[serde(default)]
    destinations: Vec<Waypoint>,
}

#[derive(Debug, Deserialize)]
struct Waypoint {
    /// Metres from the requested coordinate to the road point OSRM snapped it to.
    #[serde(default)]
    distance: Option<f64>,
}

/// Sorts an HTTP answer into a table or the error it is.
pub(crate) fn decode(status: u16, body: &str) -> Result<Answer, OsrmError> {
    let success = (200..300).contains(&status);
    match serde_json::from_str::<Answer>(body) {
        Ok(answer) if answer.code != "Ok" => Err(OsrmError::Osrm {
            code: answer.code,
            message: answer.message.unwrap_or_default(),
        }),
        Ok(answer) if success => Ok(answer),
        Err(e) if success => Err(OsrmError::Decode(e.to_string())),
        _ => Err(OsrmError::Status {
            status,
            body: body.chars().take(200).collect(),
        }),
    }
}

impl Answer {
    /// Writes the block's entries into the row-major n × n `cells`; `None` stays where OSRM
    /// answered `null` (no route). The diagonal is left alone (it is zero). Checks every snapped
    /// point against `max_snap_m`.
    pub fn fill(
        self,
        block: &Block,
        n: usize,
        cells: &mut [Option<Cell>],
        max_snap_m: Option<f64>,
    ) -> Result<(), OsrmError> {
        let shape = |what: &str, rows: &Vec<Vec<Option<f64>>>| {
            let ok = rows.len() == block.sources.len()
                && rows.iter().all(|r| r.len() == block.destinations.len());
            if ok {
                Ok(())
            } else {
                Err(OsrmError::Decode(format!(
                    "{what} is not {} × {}",
                    block.sources.len(),
                    block.destinations.len()
                )))
            }
        };
        let missing = |what: &str| {
            OsrmError::Decode(format!(
                "no {what} in the answer (the server must support annotations=duration,distance)"
            ))
        };
        let durations = self.durations.ok_or_else(|| missing("durations"))?;
        let distances = self.distances.ok_or_else(|| missing("distances"))?;
        shape("durations", &durations)?;
        shape("distances", &distances)?;

        if let Some(limit) = max_snap_m {
            let snapped = (block.sources.clone().zip(&self.sources))
                .chain(block.destinations.clone().zip(&self.destinations));
            for (index, waypoint) in snapped {
                if let Some(metres) = waypoint.distance
                    && metres > limit
                {
                    return Err(OsrmError::TooFarFromRoad {
                        index,
                        metres,
                        limit,
                    });
                }
            }
        }

        for (r, from) in block.sources.clone().enumerate() {
            for (c, to) in block.destinations.clone().enumerate() {
                if from == to {
                    continue;
                }
                if let (Some(seconds), Some(metres)) = (durations[r][c], distances[r][c]) {
                    cells[from * n + to] = Some(Cell { metres, seconds });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(sources: Range<usize>, destinations: Range<usize>) -> Block {
        Block {
            sources,
            destinations,
        }
    }

    #[test]
    fn blocks_cover_the_matrix_once() {
        for (n, size) in [(1, 100), (7, 3), (10, 5), (10, 1), (250, 100)] {
            let mut seen = vec![0u8; n * n];
            for b in blocks(n, size) {
                assert!(b.side() <= size, "{b:?}");
                for i in b.sources.clone() {
                    for j in b.destinations.clone() {
                        seen[i * n + j] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&k| k == 1), "n={n} size={size}");
        }
        assert_eq!(blocks(250, 100).len(), 9);
        assert_eq!(blocks(100, 100), vec![block(0..100, 0..100)]);
        assert!(blocks(0, 100).is_empty());
    }

    #[test]
    fn a_diagonal_block_sends_its_points_once_and_others_name_sources_and_destinations() {
        let points: Vec<Point> = (0..4)
            .map(|i| Point {
                lat: 35.68 + f64::from(i) * 0.001,
                lng: 139.76,
            })
            .collect();
        assert_eq!(
            block(0..2, 0..2).path_and_query(&points, "driving"),
            "/table/v1/driving/139.760000,35.680000;139.760000,35.681000\
             ?annotations=duration,distance&generate_hints=false"
        );
        assert_eq!(
            block(0..1, 2..4).path_and_query(&points, "car"),
            "/table/v1/car/139.760000,35.680000;139.760000,35.682000;139.760000,35.683000\
             ?annotations=duration,distance&generate_hints=false&sources=0&destinations=1;2"
        );
    }

    #[test]
    fn osrm_refusals_keep_their_code_and_message() {
        let e = decode(
            400,
            r#"{"message":"Coordinates are invalid","code":"InvalidOptions"}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            OsrmError::Osrm {
                code: "InvalidOptions".into(),
                message: "Coordinates are invalid".into()
            }
        );
        let e = decode(
            200,
            r#"{"message":"Too many table coordinates","code":"TooBig"}"#,
        )
        .unwrap_err();
        assert!(e.is_too_big());
    }

    #[test]
    fn other_http_errors_and_garbage_are_told_apart() {
        assert_eq!(
            decode(502, "<html>bad gateway</html>").unwrap_err(),
            OsrmError::Status {
                status: 502,
                body: "<html>bad gateway</html>".into()
            }
        );
        assert!(matches!(
            decode(200, "<html>hello</html>").unwrap_err(),
            OsrmError::Decode(_)
        ));
    }

    #[test]
    fn fill_places_an_off_diagonal_block_and_keeps_nulls() {
        let body = r#"{"code":"Ok",
            "durations":[[10.4,null],[0,30]],
            "distances":[[100.5,null],[0,300]],
            "sources":[{"distance":1.5},{"distance":0}],
            "destinations":[{"distance":0},{"distance":2}]}"#;
        let n = 3;
        let mut cells = vec![None; n * n];
        decode(200, body)
            .unwrap()
            .fill(&block(0..2, 1..3), n, &mut cells, Some(10.0))
            .unwrap();
        assert_eq!(
            cells[1],
            Some(Cell {
                metres: 100.5,
                seconds: 10.4
            })
        );
        assert_eq!(cells[2], None, "0→2 is null");
        assert_eq!(cells[4], None, "1→1 is the diagonal: not written");
        assert_eq!(
            cells[5],
            Some(Cell {
                metres: 300.0,
                seconds: 30.0
            })
        );
    }

    #[test]
    fn fill_rejects_far_snaps_and_wrong_shapes() {
        let body = r#"{"code":"Ok","durations":[[0,1],[1,0]],"distances":[[0,9],[9,0]],
            "sources":[{"distance":0},{"distance":812.4}],
            "destinations":[{"distance":0},{"distance":812.4}]}"#;
        let mut cells = vec![None; 9];
        let e = decode(200, body)
            .unwrap()
            .fill(&block(1..3, 1..3), 3, &mut cells, Some(500.0))
            .unwrap_err();
        assert!(
            matches!(e, OsrmError::TooFarFromRoad { index: 2, .. }),
            "{e:?}"
        );
        decode(200, body)
            .unwrap()
            .fill(&block(1..3, 1..3), 3, &mut cells, None)
            .unwrap();

        let e = decode(200, body)
            .unwrap()
            .fill(&block(0..3, 0..3), 3, &mut cells, None)
            .unwrap_err();
        assert!(matches!(e, OsrmError::Decode(_)), "{e:?}");
        let e = decode(200, r#"{"code":"Ok","durations":[[0]]}"#)
            .unwrap()
            .fill(&block(0..1, 0..1), 1, &mut cells, None)
            .unwrap_err();
        assert!(e.to_string().contains("no distances"), "{e}");
    }
}
