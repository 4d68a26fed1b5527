//! Real addresses from many prefectures against the built gazetteer (`make data`).
//! Each must come back at the expected level and municipality, at the named town, and at that
//! town's point as the data file records it (read here independently of the crate's parser).

use std::collections::HashMap;

use hakobu_geo::travel::great_circle_m;
use hakobu_geo::{Gazetteer, Level, Point};

/// (address, level, municipality, town). Spellings as people type them: with and without the
/// prefecture, kanji and digit chōme, full-width digits, 番地/号, buildings after the number,
/// Kyoto's street directions, county-qualified towns with and without the county.
const CASES: &[(&str, Level, &str, &str)] = &[
    (
        "東京都千代田区丸の内1-9-1",
        Level::Chome,
        "千代田区",
        "丸の内一丁目",
    ),
    (
        "新宿区西新宿２丁目８番１号",
        Level::Chome,
        "新宿区",
        "西新宿二丁目",
    ),
    (
        "東京都渋谷区神宮前1-19-11 原宿ビル5F",
        Level::Chome,
        "渋谷区",
        "神宮前一丁目",
    ),
    (
        "東京都墨田区押上一丁目1番2号",
        Level::Chome,
        "墨田区",
        "押上一丁目",
    ),
    (
        "世田谷区三軒茶屋２丁目１１番２３号",
        Level::Chome,
        "世田谷区",
        "三軒茶屋二丁目",
    ),
    (
        "東京都八王子市元本郷町三丁目24番1号",
        Level::Chome,
        "八王子市",
        "元本郷町三丁目",
    ),
    (
        "千代田区霞ヶ関1-1-1",
        Level::Chome,
        "千代田区",
        "霞が関一丁目",
    ),
    (
        "東京都港区麻布十番2-3-5 十番ビル1階",
        Level::Chome,
        "港区",
        "麻布十番二丁目",
    ),
    (
        "大阪府大阪市北区角田町8-7",
        Level::Town,
        "大阪市北区",
        "角田町",
    ),
    (
        "大阪市中央区大阪城1-1",
        Level::Town,
        "大阪市中央区",
        "大阪城",
    ),
    ("大阪府堺市堺区南瓦町3-1", Level::Town, "堺市堺区", "南瓦町"),
    (
        "京都府京都市下京区烏丸通塩小路下る東塩小路町721-1",
        Level::Town,
        "京都市下京区",
        "東塩小路町",
    ),
    (
        "京都市東山区清水1丁目294",
        Level::Chome,
        "京都市東山区",
        "清水一丁目",
    ),
    (
        "北海道札幌市北区北8条西5丁目",
        Level::Chome,
        "札幌市北区",
        "北八条西五丁目",
    ),
    (
        "札幌市中央区南1条西4丁目",
        Level::Chome,
        "札幌市中央区",
        "南一条西四丁目",
    ),
    ("北海道函館市元町12-18", Level::Town, "函館市", "元町"),
    (
        "福岡県福岡市中央区天神1-8-1",
        Level::Chome,
        "福岡市中央区",
        "天神一丁目",
    ),
    (
        "福岡市博多区博多駅中央街1-1",
        Level::Town,
        "福岡市博多区",
        "博多駅中央街",
    ),
    (
        "北九州市小倉北区城内1-1",
        Level::Town,
        "北九州市小倉北区",
        "城内",
    ),
    (
        "愛知県名古屋市中区三の丸3-1-1",
        Level::Chome,
        "名古屋市中区",
        "三の丸三丁目",
    ),
    (
        "神奈川県横浜市中区日本大通1",
        Level::Town,
        "横浜市中区",
        "日本大通",
    ),
    (
        "宮城県仙台市青葉区国分町3-7-1",
        Level::Chome,
        "仙台市青葉区",
        "国分町三丁目",
    ),
    (
        "広島県広島市中区基町6-78",
        Level::Town,
        "広島市中区",
        "基町",
    ),
    (
        "沖縄県那覇市泉崎1-2-2",
        Level::Chome,
        "那覇市",
        "泉崎一丁目",
    ),
    (
        "長野県北佐久郡軽井沢町大字軽井沢1323-1",
        Level::Town,
        "北佐久郡軽井沢町",
        "大字軽井沢",
    ),
    (
        "軽井沢町軽井沢1323",
        Level::Town,
        "北佐久郡軽井沢町",
        "大字軽井沢",
    ),
    (
        "岐阜県大野郡白川村荻町1086",
        Level::Town,
        "大野郡白川村",
        "大字荻町",
    ),
    (
        "鹿児島県熊毛郡屋久島町宮之浦2445-1",
        Level::Town,
        "熊毛郡屋久島町",
        "宮之浦",
    ),
    ("石川県金沢市兼六町1-4", Level::Town, "金沢市", "兼六町"),
    (
        "新潟市中央区学校町通1番町602-1",
        Level::Town,
        "新潟市中央区",
        "学校町通一番町",
    ),
    (
        "静岡県静岡市葵区追手町9-6",
        Level::Town,
        "静岡市葵区",
        "追手町",
    ),
    (
        "兵庫県神戸市中央区加納町6-5-1",
        Level::Chome,
        "神戸市中央区",
        "加納町六丁目",
    ),
    (
        "岩手県岩手郡雫石町長山第四地割",
        Level::Town,
        "岩手郡雫石町",
        "長山",
    ),
];

fn gazetteer_path() -> std::path::PathBuf {
    let path = Gazetteer::default_path();
    assert!(
        path.exists(),
        "{} is missing: run `make data` first",
        path.display()
    );
    path
}

/// Town points straight from the file: (municipality, town) → plain point or 小字 centroid.
fn town_points(text: &str) -> HashMap<(String, String), Point> {
    let mut cities: Vec<String> = Vec::new();
    // (lat sum, lng sum, count, the plain entry's point) per (municipality, town)
    type Sums = HashMap<(String, String), (f64, f64, f64, Option<Point>)>;
    let mut sums: Sums = HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "C" => cities.push(f[2].to_owned()),
            "T" => {
                let city = cities[f[1].parse::<usize>().unwrap()].clone();
                let p = Point {
                    lat: f[4].parse::<f64>().unwrap() / 1e6,
                    lng: f[5].parse::<f64>().unwrap() / 1e6,
                };
                let e = sums
                    .entry((city, f[2].to_owned()))
                    .or_insert((0.0, 0.0, 0.0, None));
                e.0 += p.lat;
                e.1 += p.lng;
                e.2 += 1.0;
                if f[3].is_empty() {
                    e.3 = Some(p);
                }
            }
            _ => {}
        }
    }
    sums.into_iter()
        .map(|(k, (lat, lng, n, plain))| {
            (
                k,
                plain.unwrap_or(Point {
                    lat: lat / n,
                    lng: lng / n,
                }),
            )
        })
        .collect()
}

#[test]
fn real_addresses_land_on_their_town() {
    let path = gazetteer_path();
    let g = Gazetteer::load(&path).unwrap();
    let points = town_points(&std::fs::read_to_string(&path).unwrap());
    let mut failures = Vec::new();
    for &(address, level, city, town) in CASES {
        match g.geocode(address) {
            Ok(r) => {
                let expected = points.get(&(city.to_owned(), town.to_owned()));
                let off = expected.map(|p| great_circle_m(*p, r.point));
                if r.level != level
                    || r.city != city
                    || r.town != town
                    || off.is_none_or(|m| m > 300.0)
                {
                    failures.push(format!(
                        "{address}: got {:?} {} {} ({:?} m from the town point)",
                        r.level, r.city, r.town, off
                    ));
                }
            }
            Err(e) => failures.push(format!("{address}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn postal_codes_from_the_real_data() {
    let g = Gazetteer::load(&gazetteer_path()).unwrap();
    let p = g.postal("106-0045").unwrap();
    assert_eq!((p.prefecture.as_str(), p.city.as_str()), ("東京都", "港区"));
    assert_eq!(p.towns, vec!["麻布十番"]);
    let azabu = g.geocode("港区麻布十番2").unwrap().point;
    assert!(
        great_circle_m(p.point, azabu) < 600.0,
        "centroid of 麻布十番's chōme"
    );
    let sapporo = g.postal("0600001").unwrap();
    assert_eq!(sapporo.city, "札幌市中央区");
    assert!(!g.sources().is_empty());
}

/// One code, many towns: KEN_ALL lists 452-0961 once per 春日 town of 清須市, and the new-order
/// form offers them in a picker, so every one of them must survive into the gazetteer.
#[test]
fn a_postal_code_keeps_every_town_it_covers() {
    let g = Gazetteer::load(&gazetteer_path()).unwrap();
    let p = g.postal("452-0961").unwrap();
    assert_eq!(
        (p.prefecture.as_str(), p.city.as_str()),
        ("愛知県", "清須市")
    );
    for town in ["春日明河原", "春日一本松", "春日夢の森", "春日蓮花寺前"] {
        assert!(p.towns.iter().any(|t| t == town), "{town} in {:?}", p.towns);
    }
    assert!(p.towns.len() > 50, "{} towns", p.towns.len());
    let tanohata = g.postal("028-8407").unwrap();
    assert_eq!(tanohata.towns, vec!["川平", "菅窪", "田野畑", "和野"]);
}

/// KEN_ALL and Geolonia spell some municipalities apart (外ヶ浜町/外ケ浜町): the postal codes
/// and Japan Post's towns still join the municipality.
#[test]
fn postal_codes_join_a_municipality_spelled_apart() {
    let g = Gazetteer::load(&gazetteer_path()).unwrap();
    let p = g.postal("030-1302").unwrap();
    assert_eq!(p.city, "東津軽郡外ケ浜町");
    let r = g.geocode("青森県東津軽郡外ヶ浜町蟹田中師7-1-2").unwrap();
    assert_eq!((r.level, r.town.as_str()), (Level::Town, "蟹田中師"));
}
