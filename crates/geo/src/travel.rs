//! Travel model without a road network: great-circle distance × a detour factor, at a typical
//! door-to-door urban speed per vehicle type. Used by the solver's matrices and the sandbox's
//! `distance`; an OSRM `/table` answer replaces it where configured.

use serde::{Deserialize, Serialize};

use crate::gazetteer::Point;

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The DIAq document's vehicle types (Driver.vehicle_type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VehicleType {
    #[serde(rename = "自転車")]
    Bicycle,
    #[serde(rename = "原付")]
    Moped,
    #[serde(rename = "小型二輪")]
    SmallMotorcycle,
    #[serde(rename = "バイク125cc超")]
    LargeMotorcycle,
    #[serde(rename = "軽四輪")]
    KeiVan,
}

impl VehicleType {
    pub const ALL: [VehicleType; 5] = [
        VehicleType::Bicycle,
        VehicleType::Moped,
        VehicleType::SmallMotorcycle,
        VehicleType::LargeMotorcycle,
        VehicleType::KeiVan,
    ];

    /// The document's name (自転車, 原付, 小型二輪, バイク125cc超, 軽四輪).
    pub fn name(self) -> &'static str {
        match self {
            VehicleType::Bicycle => "自転車",
            VehicleType::Moped => "原付",
            VehicleType::SmallMotorcycle => "小型二輪",
            VehicleType::LargeMotorcycle => "バイク125cc超",
            VehicleType::KeiVan => "軽四輪",
        }
    }

    pub fn from_name(name: &str) -> Option<VehicleType> {
        VehicleType::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Average door-to-door speed in Tokyo traffic, signals and side streets included. Mopeds
    /// are limited to 30 km/h; vans lose time in traffic and parking that two-wheelers filter past.
    pub fn speed_kmh(self) -> f64 {
        match self {
            VehicleType::Bicycle => 12.0,
            VehicleType::Moped => 18.0,
            VehicleType::SmallMotorcycle => 22.0,
            VehicleType::LargeMotorcycle => 24.0,
            VehicleType::KeiVan => 18.0,
        }
    }

    /// Road distance ÷ straight-line distance. Two-wheelers cut through narrower streets.
    pub fn detour_factor(self) -> f64 {
        match self {
            VehicleType::Bicycle => 1.25,
            VehicleType::Moped | VehicleType::SmallMotorcycle | VehicleType::LargeMotorcycle => 1.3,
            VehicleType::KeiVan => 1.4,
        }
    }

    /// Default minutes at a customer's door (park, walk, hand over, signature).
    pub fn service_seconds(self) -> u32 {
        match self {
            VehicleType::Bicycle => 150,
            VehicleType::KeiVan => 240,
            _ => 180,
        }
    }
}

/// Default seconds to collect parcels at a store (find the package, scan, sign).
pub const STORE_PICKUP_SECONDS: u32 = 300;

/// Great-circle distance in metres (haversine).
pub fn great_circle_m(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dla = la2 - la1;
    let dlo = (b.lng - a.lng).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The point a fraction `f` (0 = `a`, 1 = `b`) of the way from `a` to `b` along the great
/// circle (spherical linear interpolation): where a ride is drawn when there is no road
/// network. Points antipodal to each other have no one great circle; the nearer end stands in.
pub fn great_circle_at(a: Point, b: Point, f: f64) -> Point {
    let angle = great_circle_m(a, b) / EARTH_RADIUS_M;
    if angle.sin().abs() < 1e-12 {
        return if f < 0.5 || angle < 1.0 { a } else { b };
    }
    let (wa, wb) = (
        ((1.0 - f) * angle).sin() / angle.sin(),
        (f * angle).sin() / angle.sin(),
    );
    let unit = |p: Point| {
        let (lat, lng) = (p.lat.to_radians(), p.lng.to_radians());
        [lat.cos() * lng.cos(), lat.cos() * lng.sin(), lat.sin()]
    };
    let (ua, ub) = (unit(a), unit(b));
    let [x, y, z] = [0, 1, 2].map(|i| wa * ua[i] + wb * ub[i]);
    Point {
        lat: z.atan2(x.hypot(y)).to_degrees(),
        lng: y.atan2(x).to_degrees(),
    }
}

/// One leg: road metres and seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Leg {
    pub metres: u32,
    pub seconds: u32,
}

pub fn leg(a: Point, b: Point, vehicle: VehicleType) -> Leg {
    let metres = great_circle_m(a, b) * vehicle.detour_factor();
    let seconds = metres / (vehicle.speed_kmh() * 1000.0 / 3600.0);
    Leg {
        metres: metres.round() as u32,
        seconds: seconds.round() as u32,
    }
}

/// Square matrices, row-major: `metres[i * n + j]` from point i to point j.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    pub n: usize,
    pub metres: Vec<u32>,
    pub seconds: Vec<u32>,
}

impl Matrix {
    pub fn metres(&self, from: usize, to: usize) -> u32 {
        self.metres[from * self.n + to]
    }

    pub fn seconds(&self, from: usize, to: usize) -> u32 {
        self.seconds[from * self.n + to]
    }
}

/// All legs between `points` for one vehicle type.
pub fn matrix(points: &[Point], vehicle: VehicleType) -> Matrix {
    let n = points.len();
    let mut metres = vec![0; n * n];
    let mut seconds = vec![0; n * n];
    for (i, &a) in points.iter().enumerate() {
        for (j, &b) in points.iter().enumerate().skip(i + 1) {
            let l = leg(a, b, vehicle);
            metres[i * n + j] = l.metres;
            metres[j * n + i] = l.metres;
            seconds[i * n + j] = l.seconds;
            seconds[j * n + i] = l.seconds;
        }
    }
    Matrix { n, metres, seconds }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKYO_STATION: Point = Point {
        lat: 35.681236,
        lng: 139.767125,
    };
    const SHINJUKU_STATION: Point = Point {
        lat: 35.690921,
        lng: 139.700258,
    };

    #[test]
    fn great_circle_matches_a_known_distance() {
        // Tokyo → Shinjuku stations: 6.15 km as the crow flies.
        let d = great_circle_m(TOKYO_STATION, SHINJUKU_STATION);
        assert!((d - 6150.0).abs() < 60.0, "{d}");
        assert_eq!(great_circle_m(TOKYO_STATION, TOKYO_STATION), 0.0);
    }

    #[test]
    fn great_circle_points_lie_on_the_way_in_proportion() {
        let whole = great_circle_m(TOKYO_STATION, SHINJUKU_STATION);
        let at = |f| great_circle_at(TOKYO_STATION, SHINJUKU_STATION, f);
        assert!(great_circle_m(at(0.0), TOKYO_STATION) < 1e-6);
        assert!(great_circle_m(at(1.0), SHINJUKU_STATION) < 1e-6);
        for f in [0.1, 0.25, 0.5, 0.9] {
            let p = at(f);
            let (before, after) = (
                great_circle_m(TOKYO_STATION, p),
                great_circle_m(p, SHINJUKU_STATION),
            );
            assert!((before - f * whole).abs() < 0.01, "{f}: {before}");
            // On the circle: no detour through the point.
            assert!((before + after - whole).abs() < 0.01, "{f}");
        }
        // Far apart, it is not the straight line in degrees: the way from Tokyo to San
        // Francisco bends north of both.
        let sf = Point {
            lat: 37.7749,
            lng: -122.4194,
        };
        assert!(great_circle_at(TOKYO_STATION, sf, 0.5).lat > 45.0);
        assert_eq!(
            great_circle_at(TOKYO_STATION, TOKYO_STATION, 0.5),
            TOKYO_STATION
        );
    }

    #[test]
    fn legs_scale_by_detour_and_speed() {
        let bike = leg(TOKYO_STATION, SHINJUKU_STATION, VehicleType::Bicycle);
        let van = leg(TOKYO_STATION, SHINJUKU_STATION, VehicleType::KeiVan);
        assert!(van.metres > bike.metres, "vans detour more");
        assert!(bike.seconds > 1800 && bike.seconds < 2700, "{bike:?}");
        let motorbike = leg(
            TOKYO_STATION,
            SHINJUKU_STATION,
            VehicleType::LargeMotorcycle,
        );
        assert!(motorbike.seconds < bike.seconds);
    }

    #[test]
    fn matrix_is_symmetric_with_a_zero_diagonal() {
        let pts = [
            TOKYO_STATION,
            SHINJUKU_STATION,
            Point {
                lat: 35.658,
                lng: 139.7016,
            },
        ];
        let m = matrix(&pts, VehicleType::Moped);
        for i in 0..3 {
            assert_eq!(m.metres(i, i), 0);
            for j in 0..3 {
                assert_eq!(m.metres(i, j), m.metres(j, i));
                assert_eq!(m.seconds(i, j), m.seconds(j, i));
            }
        }
        assert!(m.metres(0, 1) > 0);
    }

    #[test]
    fn document_names_round_trip() {
        for v in VehicleType::ALL {
            assert_eq!(VehicleType::from_name(v.name()), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.name()));
        }
        assert_eq!(VehicleType::from_name("トラック"), None);
    }
}
