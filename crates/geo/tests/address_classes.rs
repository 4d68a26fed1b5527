//! The classes of address issue 24 found missing or misplaced, each against the built gazetteer
//! (`make data`): one test per class, a few real addresses each.

use hakobu_geo::{Gazetteer, Geocoded, Level};
use std::sync::OnceLock;

fn g() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        let path = Gazetteer::default_path();
        Gazetteer::load(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run `make data` first)", path.display()))
    })
}

fn at(address: &str) -> Geocoded {
    g().geocode(address)
        .unwrap_or_else(|e| panic!("{address}: {e}"))
}

fn assert_town(address: &str, level: Level, city: &str, town: &str) {
    let r = at(address);
    assert_eq!(
        (r.level, r.city.as_str(), r.town.as_str()),
        (level, city, town),
        "{address}"
    );
}

/// Class 1: a kanji numeral inside a municipality or town name stays part of the name.
#[test]
fn numerals_inside_names() {
    assert_town(
        "新潟県三条市旭町2-3-4",
        Level::Chome,
        "三条市",
        "旭町二丁目",
    );
    assert_town(
        "三条市旭町二丁目3番4号",
        Level::Chome,
        "三条市",
        "旭町二丁目",
    );
    assert_town("愛知県長久手市助六1-2", Level::Town, "長久手市", "助六");
    assert_eq!(at("長久手市助六1-2").numbers, "1-2");
    assert_town("新潟県十日町市", Level::City, "十日町市", "");
}

/// Class 5: a town written without its chōme is the town, at the centre of its chōme.
#[test]
fn a_town_without_its_chome() {
    let r = at("東京都港区六本木");
    assert_eq!((r.level, r.town.as_str()), (Level::Town, "六本木"));
    let first = at("港区六本木1丁目").point;
    let seventh = at("港区六本木7丁目").point;
    assert!(
        r.point.lat < first.lat.max(seventh.lat) + 0.01
            && r.point.lat > first.lat.min(seventh.lat) - 0.01
    );
    let r = at("港区六本木ヒルズ森タワー");
    assert_eq!(
        (r.level, r.town.as_str(), r.building.as_str()),
        (Level::Town, "六本木", "ヒルズ森タワー")
    );
    assert_town(
        "札幌市中央区北1条西",
        Level::Town,
        "札幌市中央区",
        "北一条西",
    );
    // A chōme, when written, still wins.
    assert_town("港区六本木6-10-1", Level::Chome, "港区", "六本木六丁目");
}

/// Class 3: itaiji in the typed municipality or town find the usual spelling, and back.
#[test]
fn variant_characters() {
    assert_town("秋田県湯澤市", Level::City, "湯沢市", "");
    assert_eq!(at("湯澤市佐竹町1-1").city, "湯沢市");
    assert_eq!(at("茨城県竜ヶ崎市").city, at("茨城県龍ケ崎市").city);
    assert_town(
        "東京都渋谷区惠比寿1-1",
        Level::Chome,
        "渋谷区",
        "恵比寿一丁目",
    );
}

/// Class 2: a town Japan Post lists and Geolonia's points lack is placed at its postal codes'
/// centroid, at level town, and the answer says Japan Post placed it.
#[test]
fn japan_post_towns_geolonia_lacks() {
    use hakobu_geo::Source;
    let r = at("北海道札幌市白石区南郷通19-3-4");
    assert_eq!(
        (r.level, r.source, r.city.as_str(), r.town.as_str()),
        (Level::Town, Source::JapanPost, "札幌市白石区", "南郷通")
    );
    assert_eq!(r.numbers, "19-3-4");
    let p = g().postal("003-0022").unwrap();
    assert!(hakobu_geo::travel::great_circle_m(p.point, r.point) < 1.0);
    let r = at("秋田県横手市大雄焼野3-1-7");
    assert_eq!(
        (r.level, r.source, r.town.as_str()),
        (Level::Town, Source::JapanPost, "大雄焼野")
    );
    // Geolonia's own towns keep their points and say so.
    let r = at("港区六本木6-10-1");
    assert_eq!((r.level, r.source), (Level::Chome, Source::Geolonia));
}

/// Class 4: a town named as its municipality (〇〇町〇〇町, 〇〇村〇〇村) is the town, with or
/// without prefecture and county, not the municipality written twice.
#[test]
fn a_town_named_as_its_municipality() {
    for address in ["北海道磯谷郡蘭越町蘭越町12", "蘭越町蘭越町12"] {
        assert_town(address, Level::Town, "磯谷郡蘭越町", "蘭越町");
        assert_eq!(at(address).numbers, "12");
    }
    assert_town(
        "東京都神津島村神津島村37",
        Level::Town,
        "神津島村",
        "神津島村",
    );
    assert_town("養父市養父市場1-2", Level::Town, "養父市", "養父市場");
    // The municipality alone stays the municipality.
    assert_town("東京都神津島村", Level::City, "神津島村", "");
}

/// Class 6 (regressions): Sapporo's 条 towns in kanji or digits, and Kyoto's street directions
/// before the town (the street's own numerals, 三条, stay part of the street).
#[test]
fn sapporo_jo_and_kyoto_streets_keep_working() {
    for address in ["札幌市中央区北1条西2丁目1", "札幌市中央区北一条西二丁目1"]
    {
        assert_town(address, Level::Chome, "札幌市中央区", "北一条西二丁目");
    }
    assert_town(
        "北海道札幌市北区北十条西1-1-1",
        Level::Chome,
        "札幌市北区",
        "北十条西一丁目",
    );
    assert_town(
        "札幌市中央区南3条西4-1",
        Level::Chome,
        "札幌市中央区",
        "南三条西四丁目",
    );
    assert_town(
        "札幌市東区北二十四条東1丁目",
        Level::Chome,
        "札幌市東区",
        "北二十四条東一丁目",
    );
    assert_town(
        "京都府京都市中京区寺町通御池上る上本能寺前町488",
        Level::Town,
        "京都市中京区",
        "上本能寺前町",
    );
    assert_town(
        "京都市下京区烏丸通塩小路下る東塩小路町721-1",
        Level::Town,
        "京都市下京区",
        "東塩小路町",
    );
    assert_town(
        "京都市中京区河原町通三条上る恵比須町427",
        Level::Town,
        "京都市中京区",
        "恵比須町",
    );
    assert_eq!(at("京都市中京区河原町通三条上る恵比須町427").numbers, "427");
    assert_town(
        "京都市上京区今出川通烏丸東入玄武町",
        Level::Town,
        "京都市上京区",
        "玄武町",
    );
}

/// KEN_ALL municipalities Geolonia names otherwise (浜松市's wards since 2024, 三宅島三宅村)
/// are kept under Japan Post's name, their towns placed by Japan Post; Geolonia's old wards
/// still answer for their own towns.
#[test]
fn municipalities_named_only_by_japan_post() {
    use hakobu_geo::Source;
    let r = at("静岡県浜松市中央区神立町17-2-8");
    assert_eq!(
        (r.level, r.source, r.city.as_str(), r.town.as_str()),
        (Level::Town, Source::JapanPost, "浜松市中央区", "神立町")
    );
    assert_town(
        "東京都三宅島三宅村神着22",
        Level::Town,
        "三宅島三宅村",
        "神着",
    );
    assert_town(
        "浜松市中区中央1-2-3",
        Level::Chome,
        "浜松市中区",
        "中央一丁目",
    );
    assert_eq!(g().postal("430-0811").unwrap().city, "浜松市中央区");
}

/// A typed 大字/字 before the town, which the gazetteer's keys leave out, is read past.
#[test]
fn a_typed_oaza_prefix() {
    assert_town("埼玉県川越市大字栄17-1", Level::Town, "川越市", "大字栄");
    assert_town("川越市栄17-1", Level::Town, "川越市", "大字栄");
    assert_town("京都府舞鶴市字西25-10", Level::Town, "舞鶴市", "字西");
    assert_eq!(at("埼玉県川越市大字栄17-1").numbers, "17-1");
}
