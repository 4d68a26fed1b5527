//! Geocoder behaviour on a small hand-made gazetteer (no built data needed).

use hakobu_geo::{Gazetteer, GeocodeError, Level, PostalError};

const FIXTURE: &str = "#hakobu-geo gazetteer 1
#source fixture==1
P\t東京都\t35689500\t139691700
P\t北海道\t43064300\t141346900
P\t広島県\t34396600\t132459500
P\t大阪府\t34686300\t135519600
C\t0\t港区\t35658100\t139751600
C\t0\t府中市\t35668900\t139477600
C\t1\t札幌市中央区\t43055000\t141340000
C\t1\t石狩郡当別町\t43224000\t141517000
C\t2\t府中市\t34568300\t133236600
C\t3\t大阪市北区\t34705000\t135500000
C\t3\t大阪市中央区\t34681000\t135510000
T\t0\t赤坂一丁目\t\t35668589\t139742334
T\t0\t赤坂二丁目\t\t35671044\t139740230
T\t0\t麻布十番二丁目\t\t35655129\t139735594
T\t0\t芝公園\t\t35655000\t139748000
T\t1\t宮西町二丁目\t\t35669764\t139477636
T\t2\t北一条西二丁目\t\t43062505\t141353851
T\t2\t旭ケ丘一丁目\t\t43045000\t141320000
T\t3\t白樺町\t\t43223706\t141515577
T\t3\t弥生\t本郷\t43230000\t141520000
T\t3\t弥生\t新田\t43240000\t141530000
T\t4\t府川町\t\t34570000\t133240000
T\t5\t梅田一丁目\t\t34700013\t135497728
T\t6\t難波五丁目\t\t34664259\t135501411
Z\t1070052\t0\t赤坂\t35669800\t139741300
Z\t1060045\t0\t麻布十番\t35655129\t139735594
Z\t0600001\t2\t北一条西\t43062505\t141353851
Z\t0613700\t3\t\t43224000\t141517000
";

fn g() -> Gazetteer {
    Gazetteer::parse(FIXTURE).unwrap()
}

fn ok(address: &str) -> hakobu_geo::Geocoded {
    g().geocode(address)
        .unwrap_or_else(|e| panic!("{address}: {e}"))
}

#[test]
fn chome_written_in_every_usual_way() {
    for address in [
        "東京都港区赤坂一丁目2番3号",
        "港区赤坂1丁目2-3",
        "港区赤坂1-2-3",
        "港区赤坂１－２－３",
        "東京都 港区 赤坂 1-2-3",
        "港区赤坂一丁目二番三号",
        "港区赤坂1ー2ー3",
    ] {
        let r = ok(address);
        assert_eq!(r.level, Level::Chome, "{address}");
        assert_eq!(r.town, "赤坂一丁目", "{address}");
        assert_eq!(r.numbers, "2-3", "{address}");
        assert!((r.point.lat - 35.668589).abs() < 1e-9);
    }
}

#[test]
fn numerals_in_the_town_name_are_not_taken_for_block_numbers() {
    let r = ok("港区麻布十番2-3-5 十番ビル1階");
    assert_eq!(
        (r.town.as_str(), r.numbers.as_str()),
        ("麻布十番二丁目", "3-5")
    );
    assert_eq!(r.building, "十番ビル1階");
    assert_eq!(r.rest, "3-5 十番ビル1階");
}

#[test]
fn prefecture_is_inferred_from_a_unique_or_county_qualified_municipality() {
    let r = ok("札幌市中央区北1条西2丁目");
    assert_eq!((r.prefecture.as_str(), r.level), ("北海道", Level::Chome));
    let r = ok("当別町白樺町58-9");
    assert_eq!(
        (r.prefecture.as_str(), r.city.as_str()),
        ("北海道", "石狩郡当別町")
    );
    assert_eq!(r.numbers, "58-9");
}

#[test]
fn a_shared_municipality_name_is_settled_by_the_town_or_reported() {
    assert_eq!(ok("府中市宮西町2-24").prefecture, "東京都");
    assert_eq!(ok("府中市府川町1").prefecture, "広島県");
    match g().geocode("府中市どこか1-1") {
        Err(GeocodeError::Ambiguous { city, prefectures }) => {
            assert_eq!(city, "府中市");
            assert!(prefectures.contains("東京都") && prefectures.contains("広島県"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ok("広島県府中市どこか1-1").level, Level::City);
}

#[test]
fn a_designated_city_without_its_ward_finds_the_ward_from_the_town() {
    let r = ok("大阪市梅田1-1-3");
    assert_eq!(
        (r.city.as_str(), r.town.as_str()),
        ("大阪市北区", "梅田一丁目")
    );
    let r = ok("大阪市どこか1");
    assert_eq!((r.city.as_str(), r.level), ("大阪市", Level::City));
}

#[test]
fn spelling_variants_fold_together() {
    assert_eq!(ok("札幌市中央区旭ヶ丘1-1").town, "旭ケ丘一丁目");
    assert_eq!(ok("札幌市中央区旭が丘1丁目1").town, "旭ケ丘一丁目");
}

#[test]
fn koaza_picks_its_point_and_the_town_alone_takes_their_centre() {
    let r = ok("当別町弥生字新田100");
    assert_eq!((r.town.as_str(), r.koaza.as_str()), ("弥生", "新田"));
    assert!((r.point.lat - 43.24).abs() < 1e-9);
    let r = ok("当別町弥生100");
    assert_eq!(r.koaza, "");
    assert!((r.point.lat - 43.235).abs() < 1e-9, "{:?}", r.point);
}

#[test]
fn coarser_levels_and_failures() {
    let r = ok("港区どこか1-1");
    assert_eq!((r.level, r.rest.as_str()), (Level::City, "どこか1-1"));
    let r = ok("東京都");
    assert_eq!(r.level, Level::Prefecture);
    assert!(matches!(g().geocode("  "), Err(GeocodeError::Empty)));
    let e = g().geocode("どこでもない町1-1").unwrap_err();
    assert!(e.to_string().starts_with("address: "), "{e}");
}

#[test]
fn batch_answers_each_line() {
    let out = g().geocode_batch(&["港区赤坂1-1", "", "当別町白樺町1"]);
    assert_eq!(out.len(), 3);
    assert!(out[0].is_ok() && out[1].is_err() && out[2].is_ok());
}

#[test]
fn postal_codes_give_towns_and_a_point() {
    let p = g().postal("106-0045").unwrap();
    assert_eq!((p.prefecture.as_str(), p.city.as_str()), ("東京都", "港区"));
    assert_eq!(p.towns, vec!["麻布十番"]);
    assert_eq!(g().postal("1060045").unwrap(), p);
    let whole = g().postal("0613700").unwrap();
    assert!(whole.towns.is_empty());
    assert_eq!(whole.code, "061-3700");
    assert_eq!(
        g().postal("999-9999"),
        Err(PostalError::Unknown("999-9999".into()))
    );
    assert_eq!(g().postal("12-34567"), Err(PostalError::Malformed));
}

#[test]
fn a_malformed_file_names_its_line() {
    let bad = FIXTURE.replace(
        "T\t0\t赤坂一丁目\t\t35668589",
        "T\t99\t赤坂一丁目\t\t35668589",
    );
    let e = Gazetteer::parse(&bad).unwrap_err();
    assert!(e.to_string().contains("line 14"), "{e}");
    assert!(Gazetteer::parse("not a gazetteer").is_err());
    let e = Gazetteer::load(std::path::Path::new("/nonexistent/gazetteer.tsv")).unwrap_err();
    assert!(e.to_string().contains("make data"), "{e}");
}

#[test]
fn a_town_name_over_255_bytes_is_refused_with_its_line() {
    // Towns keep their strings' lengths in a byte (the gazetteer's memory): a longer name is a
    // malformed file, said at its line, not a name cut short.
    let long = "長".repeat(86); // 258 bytes
    let bad = FIXTURE.replace("T\t0\t芝公園\t\t", &format!("T\t0\t{long}\t\t"));
    let e = Gazetteer::parse(&bad).unwrap_err();
    assert!(e.to_string().contains("line 17"), "{e}");
    assert!(
        e.to_string().contains("town is 258 bytes, more than 255"),
        "{e}"
    );
    let longest = "長".repeat(85); // 255 bytes: still fits
    let fits = FIXTURE.replace("T\t0\t芝公園\t\t", &format!("T\t0\t{longest}\t\t"));
    assert_eq!(
        Gazetteer::parse(&fits).unwrap().town_count(),
        g().town_count()
    );
}

#[test]
fn a_coordinate_beyond_the_file_format_is_refused() {
    let bad = FIXTURE.replace("35655000\t139748000", "35655000\t99999999999");
    let e = Gazetteer::parse(&bad).unwrap_err();
    assert!(e.to_string().contains("line 17"), "{e}");
    assert!(e.to_string().contains("lng is not a number"), "{e}");
}

#[test]
fn a_japan_post_town_lies_at_the_mean_of_its_codes() {
    // Two codes of one town (Japan Post's only: Geolonia's points lack 元赤坂).
    let two = FIXTURE.replace(
        "Z\t1070052\t0\t赤坂\t35669800\t139741300\n",
        "Z\t1070052\t0\t赤坂\t35669800\t139741300\n\
         Z\t1070051\t0\t元赤坂\t35676000\t139730000\n\
         Z\t1070059\t0\t元赤坂\t35678002\t139732002\n",
    );
    let g = Gazetteer::parse(&two).unwrap();
    let hit = g.geocode("港区元赤坂1-2").unwrap();
    assert_eq!(hit.town, "元赤坂");
    // (35676000 + 35678002) / 2 = 35677001 micro-degrees.
    assert!((hit.point.lat - 35.677001).abs() < 1e-9, "{:?}", hit.point);
    assert!((hit.point.lng - 139.731001).abs() < 1e-9, "{:?}", hit.point);
}
