//! The client against a real `osrm-routed` on loopback, serving a tiny street grid in Tokyo that
//! each test writes, extracts with `car.lua` and contracts itself.
//!
//! The OSRM tools come from `scripts/osrm-tools.sh` (`make osrm-tools`): `HAKOBU_OSRM_BIN` names
//! their directory, else the script's cache `data/osrm/bin` is used. Without them these tests
//! fail; they never skip.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hakobu_geo::Point;
use hakobu_geo::travel::{VehicleType, great_circle_m, leg};
use hakobu_osrm::{OsrmClient, OsrmError};

// The grid: ROWS × COLS intersections near Ōtemachi, every street a two-way residential road.
// Blocks are 0.002° of latitude (≈ 222 m) by 0.0025° of longitude (≈ 226 m).
const ROWS: usize = 4;
const COLS: usize = 4;
const LAT0: f64 = 35.6800;
const LNG0: f64 = 139.7600;
const DLAT: f64 = 0.0020;
const DLNG: f64 = 0.0025;
// A two-node street one block east of the grid that no street joins: an island.
const ISLAND: [Point; 2] = [
    Point {
        lat: 35.6800,
        lng: 139.7700,
    },
    Point {
        lat: 35.6820,
        lng: 139.7700,
    },
];

fn corner(row: usize, col: usize) -> Point {
    Point {
        lat: LAT0 + row as f64 * DLAT,
        lng: LNG0 + col as f64 * DLNG,
    }
}

fn grid_osm() -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"hakobu-osrm tests\">\n",
    );
    let node = |id: usize, p: Point| {
        format!(
            "  <node id=\"{id}\" version=\"1\" lat=\"{:.7}\" lon=\"{:.7}\"/>\n",
            p.lat, p.lng
        )
    };
    let way = |id: usize, nodes: &[usize]| {
        let refs: String = nodes.iter().map(|n| format!("<nd ref=\"{n}\"/>")).collect();
        format!(
            "  <way id=\"{id}\" version=\"1\">{refs}<tag k=\"highway\" v=\"residential\"/></way>\n"
        )
    };
    let id = |row: usize, col: usize| 1 + row * COLS + col;
    for row in 0..ROWS {
        for col in 0..COLS {
            xml += &node(id(row, col), corner(row, col));
        }
    }
    xml += &node(900, ISLAND[0]);
    xml += &node(901, ISLAND[1]);
    for row in 0..ROWS {
        let nodes: Vec<usize> = (0..COLS).map(|col| id(row, col)).collect();
        xml += &way(100 + row, &nodes);
    }
    for col in 0..COLS {
        let nodes: Vec<usize> = (0..ROWS).map(|row| id(row, col)).collect();
        xml += &way(200 + col, &nodes);
    }
    xml += &way(300, &[900, 901]);
    xml + "</osm>\n"
}

/// Metres along the grid from one corner to another (any staircase path has this length, up to
/// the few centimetres that the slightly different widths of the rows make).
fn grid_metres(from: (usize, usize), to: (usize, usize)) -> f64 {
    let (r0, r1) = (from.0.min(to.0), from.0.max(to.0));
    let (c0, c1) = (from.1.min(to.1), from.1.max(to.1));
    great_circle_m(corner(r0, from.1), corner(r1, from.1))
        + great_circle_m(corner(from.0, c0), corner(from.0, c1))
}

fn osrm_bin() -> PathBuf {
    let dir = match std::env::var_os("HAKOBU_OSRM_BIN") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/osrm/bin"),
    };
    for tool in ["osrm-extract", "osrm-contract", "osrm-routed"] {
        assert!(
            dir.join(tool).is_file(),
            "{tool} not found in {}: run `make osrm-tools` (scripts/osrm-tools.sh) or set \
             HAKOBU_OSRM_BIN to the directory it prints",
            dir.display()
        );
    }
    dir
}

fn run(tool: &Path, args: &[&Path], cwd: &Path) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    assert!(
        out.status.success(),
        "{} failed ({}):\n{}{}",
        tool.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// `osrm-routed` on 127.0.0.1 serving the grid; killed when dropped.
struct OsrmServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl OsrmServer {
    fn start(max_table_size: usize) -> OsrmServer {
        let bin = osrm_bin();
        let profile = bin.join("../share/profiles/car.lua");
        assert!(profile.is_file(), "{} is missing", profile.display());
        let dir = tempfile::tempdir().unwrap();
        let osm = dir.path().join("grid.osm");
        let data = dir.path().join("grid.osrm");
        std::fs::write(&osm, grid_osm()).unwrap();
        run(
            &bin.join("osrm-extract"),
            &[Path::new("-p"), &profile, &osm],
            dir.path(),
        );
        run(&bin.join("osrm-contract"), &[&data], dir.path());

        // The port is free when chosen but could be taken before osrm-routed binds it: try again.
        let mut last_log = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log_path = dir.path().join(format!("routed-{port}.log"));
            let log = std::fs::File::create(&log_path).unwrap();
            let mut child = Command::new(bin.join("osrm-routed"))
                .arg("--ip=127.0.0.1")
                .arg(format!("--port={port}"))
                .arg(format!("--max-table-size={max_table_size}"))
                .arg("--threads=1")
                .arg(&data)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start osrm-routed");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
                if last_log.contains("running and waiting for requests") {
                    return OsrmServer {
                        child,
                        url: format!("http://127.0.0.1:{port}"),
                        _dir: dir,
                    };
                }
                if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        panic!("osrm-routed did not start:\n{last_log}");
    }

    fn client(&self) -> OsrmClient {
        OsrmClient::new(&self.url, "driving").unwrap()
    }
}

impl Drop for OsrmServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Corners (row, col) the tests query; the first four are one table.
const STOPS: [(usize, usize); 7] = [(0, 0), (0, 3), (3, 3), (1, 2), (2, 0), (3, 1), (1, 1)];

fn stops(k: usize) -> Vec<Point> {
    STOPS[..k].iter().map(|&(r, c)| corner(r, c)).collect()
}

#[tokio::test]
async fn the_table_follows_the_streets_of_the_grid() {
    let server = OsrmServer::start(4);
    let points = stops(4);
    let m = server.client().table(&points).await.unwrap();
    assert_eq!(m.n, 4);
    for i in 0..4 {
        assert_eq!((m.metres(i, i), m.seconds(i, i)), (0, 0), "diagonal");
        for j in 0..4 {
            if i == j {
                continue;
            }
            let expected = grid_metres(STOPS[i], STOPS[j]);
            let got = f64::from(m.metres(i, j));
            assert!(
                (got - expected).abs() <= expected * 0.02 + 5.0,
                "{i}→{j}: OSRM {got} m, along the streets {expected:.1} m"
            );
            // OSRM measures with its own approximation of the Earth: within 0.5 % of haversine.
            let straight = great_circle_m(points[i], points[j]);
            assert!(
                got >= straight * 0.995,
                "{i}→{j}: {got} m is shorter than the straight line, {straight:.1} m"
            );
            // Two-way streets: the way back is as long, and about as quick.
            assert!(m.metres(i, j).abs_diff(m.metres(j, i)) <= 2, "{m:?}");
            let (there, back) = (f64::from(m.seconds(i, j)), f64::from(m.seconds(j, i)));
            assert!((there - back).abs() <= 0.1 * there.max(back) + 1.0, "{m:?}");
            // car.lua drives residential streets at about 25 km/h, slower with turns.
            let kmh = got / 1000.0 / (there / 3600.0);
            assert!((10.0..=30.0).contains(&kmh), "{i}→{j}: {kmh:.1} km/h");
        }
    }
}

#[tokio::test]
async fn tables_larger_than_the_server_allows_are_asked_in_blocks() {
    // The server takes at most 4 × 4; 7 points are 7 × 7.
    let server = OsrmServer::start(4);
    let points = stops(7);
    let whole = server.client().table(&stops(4)).await.unwrap();
    // Not told the limit: OSRM answers TooBig and the client halves its blocks.
    let learned = server.client().table(&points).await.unwrap();
    // Told a smaller one: 2 × 2 blocks from the start.
    let small = server
        .client()
        .with_max_table_size(2)
        .table(&points)
        .await
        .unwrap();
    let single = server
        .client()
        .with_max_table_size(1)
        .table(&points)
        .await
        .unwrap();
    assert_eq!(learned.n, 7);
    for m in [&small, &single] {
        for i in 0..7 {
            for j in 0..7 {
                assert!(
                    m.metres(i, j).abs_diff(learned.metres(i, j)) <= 1,
                    "{i}→{j}"
                );
                assert!(
                    m.seconds(i, j).abs_diff(learned.seconds(i, j)) <= 1,
                    "{i}→{j}"
                );
            }
        }
    }
    for i in 0..4 {
        for j in 0..4 {
            assert!(whole.metres(i, j).abs_diff(learned.metres(i, j)) <= 1);
            assert!(whole.seconds(i, j).abs_diff(learned.seconds(i, j)) <= 1);
        }
    }
    for (i, &from) in STOPS.iter().enumerate() {
        for (j, &to) in STOPS.iter().enumerate() {
            let expected = grid_metres(from, to);
            let got = f64::from(learned.metres(i, j));
            assert!((got - expected).abs() <= expected * 0.02 + 5.0, "{i}→{j}");
        }
    }
}

#[tokio::test]
async fn pairs_without_a_road_route_fail_or_are_estimated() {
    let server = OsrmServer::start(100);
    let mut points = stops(2);
    points.push(ISLAND[0]);

    match server.client().table(&points).await {
        Err(OsrmError::Unroutable { pairs }) => {
            assert_eq!(pairs, vec![(0, 2), (1, 2), (2, 0), (2, 1)]);
        }
        other => panic!("expected Unroutable, got {other:?}"),
    }

    let vehicle = VehicleType::KeiVan;
    let filled = server
        .client()
        .table_or_great_circle(&points, vehicle)
        .await
        .unwrap();
    assert_eq!(filled.estimated, vec![(0, 2), (1, 2), (2, 0), (2, 1)]);
    let m = &filled.matrix;
    for (i, j) in filled.estimated {
        let l = leg(points[i], points[j], vehicle);
        assert_eq!((m.metres(i, j), m.seconds(i, j)), (l.metres, l.seconds));
    }
    let road = server.client().table(&points[..2]).await.unwrap();
    assert_eq!(m.metres(0, 1), road.metres(0, 1));
    assert_eq!(m.seconds(1, 0), road.seconds(1, 0));
    assert_eq!(m.metres(2, 2), 0);
}

#[tokio::test]
async fn a_point_off_the_map_is_reported_not_snapped_silently() {
    let server = OsrmServer::start(100);
    let mut points = stops(2);
    // Shinjuku: 6 km west of the only streets the server knows.
    points.push(Point {
        lat: 35.690921,
        lng: 139.700258,
    });
    match server.client().table(&points).await {
        Err(OsrmError::TooFarFromRoad { index, metres, .. }) => {
            assert_eq!(index, 2);
            assert!(metres > 5000.0, "{metres}");
        }
        other => panic!("expected TooFarFromRoad, got {other:?}"),
    }
    let m = server
        .client()
        .with_max_snap_m(None)
        .table(&points)
        .await
        .expect("without a limit OSRM's snapped answer is taken");
    assert!(m.metres(0, 2) > 0);
}

#[tokio::test]
async fn invalid_coordinates_are_osrm_errors_with_its_message() {
    let server = OsrmServer::start(100);
    let points = [
        corner(0, 0),
        Point {
            lat: 95.0,
            lng: 139.76,
        },
    ];
    match server.client().table(&points).await {
        Err(OsrmError::Osrm { code, message }) => {
            assert_eq!(code, "InvalidOptions");
            assert!(message.contains("Coordinates are invalid"), "{message}");
        }
        other => panic!("expected an OSRM error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let port = free_port(); // bound, then released: nothing listens there
    let client = OsrmClient::new(&format!("http://127.0.0.1:{port}"), "driving").unwrap();
    match client.table(&stops(2)).await {
        Err(OsrmError::Transport(message)) => {
            assert!(message.to_lowercase().contains("connect"), "{message}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    // Fewer than two points need no server at all.
    let one = client.table(&stops(1)).await.unwrap();
    assert_eq!((one.n, one.metres.as_slice()), (1, &[0][..]));
    assert_eq!(client.table(&[]).await.unwrap().n, 0);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts the connection, reads the request, says nothing.
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let silent = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        std::thread::sleep(Duration::from_secs(1));
    });
    let client = OsrmClient::new(&url, "driving")
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let e = client.table(&stops(2)).await.unwrap_err();
    assert_eq!(e, OsrmError::Timeout(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(1));
    silent.join().unwrap();
}
