//! Batch import over the real gazetteer (`make data`): committed files as spreadsheets and
//! RouteMate write them, real Tokyo addresses, every row accounted for.

use std::sync::{Arc, OnceLock};

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::{
    BatchFormat, BatchReport, BatchSummary, Dispatch, ErrorCode, Geocode, IssueRule, MatchLevel,
    Mode, RowReport, RowStatus, SystemClock, TextEncoding,
};
use hakobu_geo::Gazetteer;
use hakobu_geo::travel::VehicleType;
use serde_json::json;

const UTF8_CSV: &[u8] = include_bytes!("fixtures/stops_utf8_bom.csv");
const SJIS_CSV: &[u8] = include_bytes!("fixtures/stops_shift_jis.csv");
const ROUTEMATE_JSON: &[u8] = include_bytes!("fixtures/routemate_import.json");

fn gazetteer() -> Arc<Gazetteer> {
    static GEO: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    GEO.get_or_init(|| {
        let path = Gazetteer::default_path();
        Arc::new(Gazetteer::load(&path).unwrap_or_else(|e| panic!("{e}: run `make data` first")))
    })
    .clone()
}

/// A Dispatch as the app builds it; importing touches neither the API nor the cache, so the
/// API's address is never dialled.
fn dispatch(dir: &tempfile::TempDir, geo: Option<Arc<Gazetteer>>) -> Dispatch {
    let cache = Arc::new(Cache::open(&dir.path().join("cache.db")).unwrap());
    Dispatch::new(
        DiaqClient::new("http://127.0.0.1:9", "k").unwrap(),
        cache,
        Mode::Sandbox,
        Arc::new(SystemClock),
        geo,
    )
    .unwrap()
}

fn read(bytes: &[u8]) -> BatchReport {
    BatchReport::read(bytes, None, Some(&gazetteer())).unwrap()
}

fn row<'a>(report: &'a BatchReport, id: &str, line: usize) -> &'a RowReport {
    report
        .rows
        .iter()
        .find(|r| r.external_stop_id.as_deref() == Some(id) && r.line == line)
        .unwrap_or_else(|| panic!("no row {id} on line {line}"))
}

fn level(r: &RowReport) -> Option<MatchLevel> {
    match &r.geocode {
        Some(Geocode::Placed { level, .. }) => Some(*level),
        _ => None,
    }
}

fn messages(issues: &[hakobu_dispatch::FieldIssue]) -> Vec<&str> {
    issues.iter().map(|e| e.message.as_str()).collect()
}

/// The issues as the view words them: field, rule and the rule's facts (the English left out).
fn facts(issues: &[hakobu_dispatch::FieldIssue]) -> Vec<serde_json::Value> {
    issues
        .iter()
        .map(|e| {
            let mut wire = serde_json::to_value(e).unwrap();
            wire.as_object_mut().unwrap().remove("message");
            wire
        })
        .collect()
}

#[test]
fn a_utf8_excel_export_is_reported_row_by_row() {
    let report = read(UTF8_CSV);
    assert_eq!(report.format, BatchFormat::Csv);
    assert_eq!(report.encoding, TextEncoding::Utf8Bom);
    assert_eq!(
        report.notices,
        ["header: column 9 (請求金額) is not a stop field; ignored"]
    );
    assert_eq!(
        report.summary,
        BatchSummary {
            rows: 9,
            ok: 3,
            warnings: 2,
            errors: 4,
            blank_rows: 1,
            parcels: 9
        }
    );

    let hills = row(&report, "T-1001", 2);
    assert_eq!(hills.status, RowStatus::Ok, "{hills:?}");
    assert_eq!(level(hills), Some(MatchLevel::Chome));
    assert_eq!(
        hills.normalized_address,
        "東京都港区六本木六丁目10-1 六本木ヒルズ森タワー"
    );
    let Some(Geocode::Placed {
        lat,
        lng,
        town,
        numbers,
        building,
        ..
    }) = &hills.geocode
    else {
        panic!("{hills:?}")
    };
    assert!((35.65..35.67).contains(lat) && (139.72..139.74).contains(lng));
    assert_eq!((town.as_str(), numbers.as_str()), ("六本木六丁目", "10-1"));
    assert_eq!(building, "六本木ヒルズ森タワー");
    assert_eq!(hills.label.as_deref(), Some("山田 太郎"));
    assert_eq!(hills.parcel_count, Some(2));
    assert_eq!(hills.time_window.unwrap().to_string(), "14:00-16:00");
    assert_eq!(hills.notes.as_deref(), Some("受付に預け可, 平日のみ"));

    // A quoted line break inside 備考: the row after it starts two lines on.
    let town_level = row(&report, "T-1003", 4);
    assert_eq!(town_level.status, RowStatus::Ok);
    assert_eq!(level(town_level), Some(MatchLevel::Town));
    assert!(town_level.notes.as_deref().unwrap().ends_with("裏口から"));

    let postal = row(&report, "T-1004", 6);
    assert_eq!(postal.status, RowStatus::Warning);
    assert_eq!(level(postal), Some(MatchLevel::Postal));
    assert_eq!(
        messages(&postal.warnings),
        [
            "address: only the municipality (港区) was recognised; placed at the centre of postal code 106-0032"
        ]
    );
    assert_eq!(
        facts(&postal.warnings),
        [
            json!({"field": "address", "rule": "placed_at_postal", "code": "106-0032",
            "reason": {"rule": "city_only", "city": "港区"}})
        ]
    );

    let city = row(&report, "T-1005", 7);
    assert_eq!(city.status, RowStatus::Warning);
    assert_eq!(level(city), Some(MatchLevel::City));
    assert_eq!(
        messages(&city.warnings),
        ["address: only the municipality (渋谷区) was recognised; placed at its centre"]
    );
    assert_eq!(
        facts(&city.warnings),
        [json!({"field": "address", "rule": "placed_at_city", "city": "渋谷区"})]
    );

    // An address nowhere in Japan is reported, with the geocoder's reason, not dropped.
    let mars = row(&report, "T-1006", 8);
    assert_eq!(mars.status, RowStatus::Error);
    assert_eq!(mars.address, "火星市1-2-3");
    assert_eq!(
        mars.geocode,
        Some(Geocode::Failed {
            reason: "address: no prefecture or municipality recognised in \"火星市1-2-3\"".into()
        })
    );
    assert_eq!(mars.errors[0].field, "address");
    assert_eq!(
        facts(&mars.errors),
        [json!({"field": "address", "rule": "not_recognised", "address": "火星市1-2-3"})]
    );

    let zero = row(&report, "T-1007", 9);
    assert_eq!(
        messages(&zero.errors),
        ["parcel_count: must be an integer from 1 to 999 (got \"0\")"]
    );
    assert_eq!(
        facts(&zero.errors),
        [json!({"field": "parcel_count", "rule": "parcel_count", "max": 999, "got": "0"})]
    );
    assert_eq!(level(zero), Some(MatchLevel::Chome));

    for (line, other) in [(3, 10), (10, 3)] {
        let dup = row(&report, "T-1002", line);
        assert_eq!(
            messages(&dup.errors),
            [
                format!("external_stop_id: must be unique (T-1002 is also on line {other})")
                    .as_str()
            ]
        );
        assert_eq!(
            facts(&dup.errors),
            [
                json!({"field": "external_stop_id", "rule": "duplicate_id", "id": "T-1002",
                "lines": [other]})
            ]
        );
    }

    // 〒 written before the address is read as the postal code.
    let oshiage = row(&report, "T-1008", 12);
    assert_eq!(oshiage.status, RowStatus::Ok, "{oshiage:?}");
    assert_eq!(oshiage.postal_code.as_deref(), Some("131-0045"));
    assert_eq!(oshiage.address, "東京都墨田区押上1-1-2");
    assert_eq!(level(oshiage), Some(MatchLevel::Chome));

    let stops = report.planning_stops(VehicleType::KeiVan);
    let ids: Vec<&str> = stops.iter().map(|s| s.external_stop_id.as_str()).collect();
    assert_eq!(ids, ["T-1001", "T-1003", "T-1004", "T-1005", "T-1008"]);
    assert!(stops.iter().all(|s| s.service_s == 240));
    assert_eq!(
        stops.iter().map(|s| s.parcel_count).sum::<u32>(),
        report.summary.parcels
    );
    assert_eq!(stops[0].time_window.unwrap().start_s(), 14 * 3600);
}

#[test]
fn a_shift_jis_export_with_split_address_columns() {
    // 「お」 in Shift_JIS: the file really is what Excel writes, not UTF-8.
    assert_eq!(&SJIS_CSV[..2], b"\x82\xa8", "the fixture must be Shift_JIS");
    let report = read(SJIS_CSV);
    assert_eq!(report.encoding, TextEncoding::ShiftJis);
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    assert_eq!(
        (
            report.summary.ok,
            report.summary.warnings,
            report.summary.errors
        ),
        (2, 1, 2)
    );

    let toyosu = row(&report, "S-01", 2);
    assert_eq!(toyosu.label.as_deref(), Some("㈱髙橋商事"));
    assert_eq!(toyosu.address, "東京都江東区豊洲6-6-1 ABCビル 3F");
    assert_eq!(level(toyosu), Some(MatchLevel::Chome));
    assert_eq!(toyosu.time_window.unwrap().to_string(), "14:00-16:00");
    assert_eq!(toyosu.parcel_count, Some(2));

    assert_eq!(
        row(&report, "S-02", 3).time_window.unwrap().to_string(),
        "08:00-12:00"
    );

    let evening = row(&report, "S-03", 4);
    assert_eq!(evening.parcel_count, Some(1));
    assert_eq!(
        messages(&evening.errors),
        ["time_window: must be like 14-16, 14:00-16:00, 14時～16時, 1416 or 午前中 (got \"夕方\")"]
    );
    assert_eq!(
        facts(&evening.errors),
        [json!({"field": "time_window", "rule": "window_form", "got": "夕方"})]
    );

    let prefecture_only = row(&report, "S-04", 5);
    assert_eq!(
        messages(&prefecture_only.errors),
        ["address: only the prefecture (東京都) was recognised"]
    );
    assert_eq!(
        facts(&prefecture_only.errors),
        [json!({"field": "address", "rule": "prefecture_only", "prefecture": "東京都"})]
    );

    let ginza = row(&report, "S-05", 6);
    assert_eq!(ginza.status, RowStatus::Warning);
    assert_eq!(level(ginza), Some(MatchLevel::Chome));
    assert_eq!(ginza.normalized_address, "東京都中央区銀座四丁目6-16");
    assert_eq!(
        messages(&ginza.warnings),
        ["postal_code: 100-0005 is in 東京都千代田区, the address in 東京都中央区"]
    );
    assert_eq!(
        facts(&ginza.warnings),
        [
            json!({"field": "postal_code", "rule": "postal_elsewhere", "code": "100-0005",
            "postal_prefecture": "東京都", "postal_city": "千代田区",
            "address_prefecture": "東京都", "address_city": "中央区"})
        ]
    );
    assert_eq!(ginza.time_window.unwrap().to_string(), "19:00-21:00");
}

#[test]
fn the_routemate_body_from_its_document() {
    let report = read(ROUTEMATE_JSON);
    assert_eq!(report.format, BatchFormat::Json);
    let job = report.job.as_ref().unwrap();
    assert_eq!(job.external_job_id.as_deref(), Some("BATCH-001"));
    assert_eq!(job.driver_email.as_deref(), Some("driver@example.com"));
    let lines: Vec<usize> = report.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [6, 12, 19, 24]);

    // The document's own example address is in Brisbane.
    let brisbane = row(&report, "STOP-1", 6);
    assert_eq!(brisbane.status, RowStatus::Error);
    assert!(matches!(brisbane.geocode, Some(Geocode::Failed { .. })));
    let takeshiba = row(&report, "STOP-2", 12);
    assert_eq!(takeshiba.status, RowStatus::Ok);
    assert_eq!(level(takeshiba), Some(MatchLevel::Chome));
    assert_eq!(takeshiba.time_window.unwrap().to_string(), "10:00-12:00");
    assert_eq!(level(row(&report, "STOP-3", 19)), Some(MatchLevel::Chome));
    // RouteMate's rule: a count sent as a string is not an integer.
    assert_eq!(
        messages(&row(&report, "STOP-4", 24).errors),
        ["parcel_count: must be an integer from 1 to 999"]
    );
    assert_eq!(
        facts(&row(&report, "STOP-4", 24).errors),
        [json!({"field": "parcel_count", "rule": "parcel_count", "max": 999, "got": null})]
    );
    let stops = report.planning_stops(VehicleType::Bicycle);
    assert_eq!(stops.len(), 2);
    assert!(stops.iter().all(|s| s.service_s == 150));
}

#[test]
fn dispatch_imports_with_its_gazetteer_and_reports_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let app = dispatch(&dir, Some(gazetteer()));
    let report = app.import_batch(SJIS_CSV, Some(BatchFormat::Csv)).unwrap();
    assert_eq!(report.summary.rows, 5);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rows"][0]["geocode"]["level"], "chome");
    assert_eq!(json["rows"][0]["time_window"]["start"], "14:00");

    let e = app.import_batch(b"", None).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (ErrorCode::BadRequest, "file: is empty")
    );
    let e = app
        .import_batch("氏名,個数\n山田,1\n".as_bytes(), None)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("header"));
    assert!(
        e.message.contains("the header has: 氏名, 個数"),
        "{}",
        e.message
    );

    // Without a gazetteer every row is still reported, each with the reason.
    let offline = dispatch(&tempfile::tempdir().unwrap(), None);
    let report = offline.import_batch(UTF8_CSV, None).unwrap();
    assert_eq!(report.summary.rows, 9);
    assert_eq!(report.summary.errors, 9);
    assert!(report.planning_stops(VehicleType::KeiVan).is_empty());
}

#[test]
fn coarse_addresses_are_placed_with_a_warning_or_reported() {
    let text = "住所,郵便番号\n火星市1-2-3,106-0032\n東京都,106-0032\n東京都港区,999-9999\n府中市1-1,\n東京都港区六本木六丁目,\n東京都渋谷区,100-0005\n東京都港区六本木6-10-1,12345\n";
    let report = read(text.as_bytes());
    let r = &report.rows;
    assert_eq!(level(&r[0]), Some(MatchLevel::Postal));
    assert_eq!(
        messages(&r[0].warnings),
        [
            "address: no prefecture or municipality recognised in \"火星市1-2-3\"; placed at the centre of postal code 106-0032"
        ]
    );
    assert_eq!(
        facts(&r[0].warnings),
        [
            json!({"field": "address", "rule": "placed_at_postal", "code": "106-0032",
            "reason": {"rule": "not_recognised", "address": "火星市1-2-3"}})
        ]
    );
    assert_eq!(level(&r[1]), Some(MatchLevel::Postal));
    assert_eq!(
        messages(&r[1].warnings),
        [
            "address: only the prefecture (東京都) was recognised; placed at the centre of postal code 106-0032"
        ]
    );
    assert_eq!(
        facts(&r[1].warnings),
        [
            json!({"field": "address", "rule": "placed_at_postal", "code": "106-0032",
            "reason": {"rule": "prefecture_only", "prefecture": "東京都"}})
        ]
    );
    assert_eq!(level(&r[2]), Some(MatchLevel::City));
    assert_eq!(
        messages(&r[2].warnings),
        [
            "postal_code: 999-9999 is not a Japanese postal code",
            "address: only the municipality (港区) was recognised; placed at its centre"
        ]
    );
    assert_eq!(
        facts(&r[2].warnings),
        [
            json!({"field": "postal_code", "rule": "postal_unknown", "code": "999-9999"}),
            json!({"field": "address", "rule": "placed_at_city", "city": "港区"})
        ]
    );
    // 府中市 is in Tokyo and in Hiroshima: the geocoder's own reason is the row's error.
    assert_eq!(r[3].status, RowStatus::Error);
    assert!(
        r[3].errors[0].message.contains("add the prefecture"),
        "{:?}",
        r[3].errors
    );
    let IssueRule::AmbiguousCity { city, prefectures } = &r[3].errors[0].rule else {
        panic!("{:?}", r[3].errors)
    };
    assert_eq!(city, "府中市");
    assert!(
        prefectures.iter().any(|p| p == "東京都") && prefectures.iter().any(|p| p == "広島県"),
        "{prefectures:?}"
    );
    // A chōme without block numbers: its centre, said so.
    assert_eq!(r[4].status, RowStatus::Warning);
    assert_eq!(level(&r[4]), Some(MatchLevel::Chome));
    assert_eq!(
        messages(&r[4].warnings),
        ["address: no block number (番地) after 六本木六丁目; placed at its centre"]
    );
    assert_eq!(
        facts(&r[4].warnings),
        [json!({"field": "address", "rule": "no_block_number", "town": "六本木六丁目"})]
    );
    // A postal code elsewhere is not used to place the stop.
    assert_eq!(level(&r[5]), Some(MatchLevel::City));
    assert_eq!(
        messages(&r[5].warnings),
        [
            "postal_code: 100-0005 is in 東京都千代田区, the address in 東京都渋谷区",
            "address: only the municipality (渋谷区) was recognised; placed at its centre"
        ]
    );
    assert_eq!(
        r[5].warnings[0].rule.to_string(),
        "100-0005 is in 東京都千代田区, the address in 東京都渋谷区"
    );
    // A postal code that is not 7 digits is doubted, and the address places the stop.
    assert_eq!(level(&r[6]), Some(MatchLevel::Chome));
    assert_eq!(
        messages(&r[6].warnings),
        ["postal_code: must be 7 digits, as 1234567 or 123-4567"]
    );
    assert_eq!(
        facts(&r[6].warnings),
        [json!({"field": "postal_code", "rule": "postal_malformed"})]
    );
}
