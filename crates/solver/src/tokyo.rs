//! Builds a Tokyo dispatch instance from the gazetteer's town points: stores, DIAq deliveries
//! (store → customer) and fetches (customer → store) in one-hour windows, and a mixed fleet
//! whose travel matrices come from hakobu-geo's travel model, one per vehicle type.
//!
//! Pure: the caller reads the gazetteer text; the same text, config and seed always give the
//! same problem. Shared by the `tokyo-instance` binary, the solver's tests (which use a tiny
//! committed fixture instead of the full gazetteer) and dispatch's planning test (feature
//! `tokyo`).

use anyhow::{Result, bail};
use hakobu_geo::Point;
use hakobu_geo::travel::{self, VehicleType};
use hakobu_solver::{Job, Problem, Profile, Stop, Task, TimeWindow, Vehicle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HOUR: f64 = 3600.0;
/// The gazetteer file's first line (see scripts/geo-data.py).
const GAZETTEER_HEADER: &str = "#hakobu-geo gazetteer 1";

/// One town (or chōme) point of Tokyo's 23 wards.
#[derive(Debug, Clone)]
pub struct Town {
    pub ward: String,
    pub name: String,
    pub point: Point,
}

/// What to generate. [`Config::tokyo_300`] is the benchmark instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub stores: usize,
    pub deliveries: usize,
    pub fetches: usize,
    pub drivers: usize,
    /// Customers are town points at most this far (great circle) from their store.
    pub reach_m: f64,
}

impl Config {
    /// Issue 5's benchmark: 5 stores, 250 deliveries, 50 fetches, 20 drivers.
    pub fn tokyo_300(seed: u64) -> Config {
        Config {
            seed,
            stores: 5,
            deliveries: 250,
            fetches: 50,
            drivers: 20,
            // A store's delivery area. At 5 km the 20 drivers' shifts could not place every
            // job, and the unassigned penalties would swamp the comparison.
            reach_m: 3000.0,
        }
    }
}

/// The generated problem and, for people reading the output, where its stores are.
#[derive(Debug)]
pub struct Instance {
    pub problem: Problem,
    /// Store towns, in location order (locations `0..stores`).
    pub stores: Vec<Town>,
    /// Every location's point, in location order (stores, then one customer per job), so a
    /// caller can hand the same stops to a planner that takes coordinates.
    pub points: Vec<Point>,
}

/// Stores are open (store stops may start) from 8:00 to 21:00.
const STORE_HOURS: (f64, f64) = (8.0 * HOUR, 21.0 * HOUR);
/// Hourly DIAq slots offered (hakobu-diaq's time zones): 9時〜10時 … 19時〜20時. The 6–8時 and
/// 22時〜 slots carry an extra charge and fall outside the shifts below.
const SLOT_HOURS: std::ops::RangeInclusive<u32> = 9..=19;
/// A delivery's parcel is ready at the store this long before its slot starts (DIAq `ready_by`):
/// the pickup window, so a driver cannot load the whole day's parcels at 8:00.
const READY_BEFORE_SLOT: f64 = 3.0 * HOUR;
/// Scan and hand-over at the store per parcel job; a fetch's drop at the store is quicker.
const STORE_PICKUP_SECONDS: f64 = 120.0;
const STORE_DROP_SECONDS: f64 = 60.0;
/// At the customer's door (park, walk, hand over or collect, sign).
const CUSTOMER_SECONDS: f64 = 180.0;
/// Share of deliveries with chilled goods, which need a cool-box slot (capacity dimension 1).
const CHILLED_SHARE: f64 = 0.15;
/// Shifts drivers are given, in hours: early, middle, late.
const SHIFTS: [(f64, f64); 3] = [(8.0, 17.0), (10.0, 19.0), (12.0, 21.0)];
/// The fleet cycles through the vehicle types in this order.
const FLEET_MIX: [VehicleType; 5] = [
    VehicleType::KeiVan,
    VehicleType::Bicycle,
    VehicleType::Moped,
    VehicleType::SmallMotorcycle,
    VehicleType::LargeMotorcycle,
];

/// [boxes, cool-box slots] a vehicle type carries: a courier box on a bicycle holds a few
/// parcels, a kei van's cargo bay dozens.
fn capacity(vehicle: VehicleType) -> Vec<i64> {
    match vehicle {
        VehicleType::Bicycle => vec![6, 1],
        VehicleType::Moped => vec![8, 1],
        VehicleType::SmallMotorcycle => vec![10, 2],
        VehicleType::LargeMotorcycle => vec![12, 2],
        VehicleType::KeiVan => vec![30, 6],
    }
}

/// What calling a driver in costs, in metres of driving, so that a plan does not use a driver
/// for two parcels another driver passes anyway. Vans cost more to run than two-wheelers.
fn fixed_cost(vehicle: VehicleType) -> f64 {
    match vehicle {
        VehicleType::Bicycle => 4000.0,
        VehicleType::Moped | VehicleType::SmallMotorcycle => 5000.0,
        VehicleType::LargeMotorcycle => 6000.0,
        VehicleType::KeiVan => 8000.0,
    }
}

/// The town points of Tokyo's 23 wards (東京都's municipalities named 〜区), in file order.
pub fn tokyo_towns(gazetteer: &str) -> Result<Vec<Town>> {
    let mut lines = gazetteer.lines();
    if lines.next() != Some(GAZETTEER_HEADER) {
        bail!("not a hakobu-geo gazetteer (expected {GAZETTEER_HEADER:?} on the first line)");
    }
    let micro = |s: &str| -> Result<f64> { Ok(s.parse::<i64>()? as f64 / 1e6) };
    let (mut prefectures, mut cities) = (0usize, 0usize);
    let mut tokyo: Option<usize> = None;
    // Ward name per city index, for the cities that are Tokyo wards.
    let mut wards: Vec<Option<String>> = Vec::new();
    let mut towns = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["P", name, ..] => {
                if *name == "東京都" {
                    tokyo = Some(prefectures);
                }
                prefectures += 1;
            }
            ["C", pref, name, ..] => {
                let is_ward = tokyo == Some(pref.parse()?) && name.ends_with('区');
                wards.push(is_ward.then(|| name.to_string()));
                cities += 1;
            }
            ["T", city, town, _koaza, lat, lng, ..] => {
                let city: usize = city.parse()?;
                if city >= cities {
                    bail!("town {town:?} names unknown city #{city}");
                }
                if let Some(ward) = &wards[city] {
                    towns.push(Town {
                        ward: ward.clone(),
                        name: town.to_string(),
                        point: Point {
                            lat: micro(lat)?,
                            lng: micro(lng)?,
                        },
                    });
                }
            }
            _ => {}
        }
    }
    Ok(towns)
}

fn window(start: f64, end: f64) -> Vec<TimeWindow> {
    vec![TimeWindow::new(start, end)]
}

/// Stores spread over the area, each with enough town points within reach for its share of
/// the jobs: among a few random towns with room around them, the farthest from the stores so far.
fn pick_stores(towns: &[Town], config: &Config, rng: &mut StdRng) -> Result<Vec<usize>> {
    let per_store = (config.deliveries + config.fetches).div_ceil(config.stores.max(1));
    let roomy: Vec<usize> = (0..towns.len())
        .filter(|&t| {
            towns
                .iter()
                .filter(|o| travel::great_circle_m(towns[t].point, o.point) <= config.reach_m)
                .count()
                > 2 * per_store
        })
        .collect();
    if roomy.len() < config.stores {
        bail!(
            "only {} town points have {} others within {} m: too few for {} stores",
            roomy.len(),
            2 * per_store,
            config.reach_m,
            config.stores
        );
    }
    let mut stores: Vec<usize> = Vec::with_capacity(config.stores);
    while stores.len() < config.stores {
        let farthest = (0..8)
            .map(|_| roomy[rng.random_range(0..roomy.len())])
            .filter(|t| !stores.contains(t))
            .map(|t| {
                let nearest = stores
                    .iter()
                    .map(|&s| travel::great_circle_m(towns[s].point, towns[t].point))
                    .fold(f64::INFINITY, f64::min);
                (nearest, t)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, t)) = farthest {
            stores.push(t);
        }
    }
    Ok(stores)
}

/// A customer town for a job of `store`: a random unused town within reach, else the nearest
/// unused one.
fn pick_customer(
    towns: &[Town],
    store: &Town,
    used: &mut [bool],
    reach_m: f64,
    rng: &mut StdRng,
) -> Option<usize> {
    let distance = |t: usize| travel::great_circle_m(store.point, towns[t].point);
    let within: Vec<usize> = (0..towns.len())
        .filter(|&t| !used[t] && distance(t) <= reach_m)
        .collect();
    let chosen = if within.is_empty() {
        (0..towns.len())
            .filter(|&t| !used[t])
            .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))?
    } else {
        within[rng.random_range(0..within.len())]
    };
    used[chosen] = true;
    Some(chosen)
}

/// Generates the instance. Locations: the stores first, then one customer town per job
/// (deliveries, then fetches). Times in seconds from midnight, distances in metres.
pub fn generate(towns: &[Town], config: &Config) -> Result<Instance> {
    let customers = config.deliveries + config.fetches;
    if config.stores == 0 || towns.len() < config.stores + customers {
        bail!(
            "{} town points for {} stores and {customers} customers",
            towns.len(),
            config.stores
        );
    }
    let mut rng = StdRng::seed_from_u64(config.seed);
    let store_towns = pick_stores(towns, config, &mut rng)?;
    let mut used = vec![false; towns.len()];
    for &s in &store_towns {
        used[s] = true;
    }
    let mut points: Vec<Point> = store_towns.iter().map(|&s| towns[s].point).collect();
    let mut jobs = Vec::with_capacity(customers);
    for index in 0..customers {
        let is_delivery = index < config.deliveries;
        let store = rng.random_range(0..config.stores);
        let Some(town) = pick_customer(
            towns,
            &towns[store_towns[store]],
            &mut used,
            config.reach_m,
            &mut rng,
        ) else {
            bail!("ran out of town points");
        };
        let customer = points.len();
        points.push(towns[town].point);
        let hour = f64::from(rng.random_range(SLOT_HOURS));
        let slot = window(hour * HOUR, (hour + 1.0) * HOUR);
        // 1–3 boxes, mostly one.
        let boxes = match rng.random_range(0..20) {
            0..10 => 1,
            10..17 => 2,
            _ => 3,
        };
        let job = if is_delivery {
            let chilled = rng.random::<f64>() < CHILLED_SHARE;
            let ready = (hour * HOUR - READY_BEFORE_SLOT).max(STORE_HOURS.0);
            Job {
                id: format!("delivery-{:03}", index + 1),
                task: Task::Pair {
                    pickup: Stop {
                        location: store,
                        service: STORE_PICKUP_SECONDS,
                        windows: window(ready, (hour + 1.0) * HOUR),
                    },
                    delivery: Stop {
                        location: customer,
                        service: CUSTOMER_SECONDS,
                        windows: slot,
                    },
                    amount: vec![boxes, i64::from(chilled)],
                },
                penalty: hakobu_solver::DEFAULT_UNASSIGNED_PENALTY,
            }
        } else {
            Job {
                id: format!("fetch-{:03}", index + 1 - config.deliveries),
                task: Task::Pair {
                    pickup: Stop {
                        location: customer,
                        service: CUSTOMER_SECONDS,
                        windows: slot,
                    },
                    delivery: Stop {
                        location: store,
                        service: STORE_DROP_SECONDS,
                        windows: window(STORE_HOURS.0, STORE_HOURS.1),
                    },
                    amount: vec![boxes.min(2), 0],
                },
                penalty: hakobu_solver::DEFAULT_UNASSIGNED_PENALTY,
            }
        };
        jobs.push(job);
    }

    // One profile per vehicle type, in the order of first use.
    let types: Vec<VehicleType> = (0..config.drivers)
        .map(|i| FLEET_MIX[(i + i / config.stores) % FLEET_MIX.len()])
        .collect();
    let mut profile_types: Vec<VehicleType> = Vec::new();
    for &t in &types {
        if !profile_types.contains(&t) {
            profile_types.push(t);
        }
    }
    let square = |values: &[u32], n: usize| -> Vec<Vec<f64>> {
        values
            .chunks_exact(n)
            .map(|row| row.iter().map(|&v| f64::from(v)).collect())
            .collect()
    };
    let n = points.len();
    let profiles = profile_types
        .iter()
        .map(|&t| {
            let m = travel::matrix(&points, t);
            Profile {
                name: t.name().to_string(),
                durations: square(&m.seconds, n),
                distances: square(&m.metres, n),
            }
        })
        .collect();
    let vehicles = types
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            // Drivers are dealt to the stores in rounds; each round shifts the type (so a store
            // gets a mixed fleet) and the shift.
            let store = i % config.stores;
            let (from, to) = SHIFTS[(i / config.stores) % SHIFTS.len()];
            Vehicle {
                id: format!("driver-{:02}-{}-S{}", i + 1, t.name(), store + 1),
                profile: profile_types.iter().position(|&p| p == t).unwrap_or(0),
                start: Some(store),
                end: Some(store),
                shift: TimeWindow::new(from * HOUR, to * HOUR),
                capacity: capacity(t),
                fixed_cost: fixed_cost(t),
                max_duration: None,
            }
        })
        .collect();
    let problem = Problem {
        profiles,
        vehicles,
        jobs,
    };
    problem.validate()?;
    Ok(Instance {
        problem,
        stores: store_towns.iter().map(|&s| towns[s].clone()).collect(),
        points,
    })
}
