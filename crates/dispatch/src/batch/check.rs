//! The rules a read row must meet, and where its address is. The stop rules are RouteMate's
//! import rules (`hakobu_routemate::rules`, which the sandbox enforces), so a batch that passes
//! here is also a valid RouteMate import; its acceptance of geocodes is the sandbox's too (a
//! prefecture alone is too coarse to drive to). Unlike the sandbox, every broken rule of a row
//! is reported, and a spreadsheet's `2個` or `２` is read as the number it means.

use std::collections::HashMap;

use hakobu_geo::{Gazetteer, GeocodeError, Geocoded, Level, Postal, PostalError, normalize};
use hakobu_routemate::rules::{self, TextField};

use crate::batch::report::{Geocode, MatchLevel, RowReport, RowStatus};
use crate::batch::source::{FieldIssue, IssueRule, Missing, SourceRow};
use crate::batch::window::parse_window;

fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// `2`, `２`, `2個`, `2口` → 2.
fn parcel_count(text: &str) -> Result<u32, IssueRule> {
    let folded = half_width(text);
    let digits = folded.trim().trim_end_matches(['個', '口']).trim_end();
    rules::parcel_count(digits.parse::<i64>().ok()).map_err(|_| IssueRule::ParcelCount {
        max: rules::MAX_PARCELS,
        got: Some(text.to_owned()),
    })
}

/// A Japanese number: 10 digits (fixed lines) or 11 (mobiles, 050), from 0 or +81.
fn looks_like_phone(text: &str) -> bool {
    let digits: String = half_width(text)
        .chars()
        .filter(|c| !matches!(c, '-' | '‐' | 'ー' | ' ' | '(' | ')'))
        .collect();
    let national = match digits.strip_prefix("+81") {
        Some(rest) => format!("0{}", rest.trim_start_matches('0')),
        None => digits,
    };
    national.starts_with('0')
        && (10..=11).contains(&national.len())
        && national.bytes().all(|b| b.is_ascii_digit())
}

/// 「〒106-0032 東京都港区…」: a postal code written before the address, which the geocoder
/// would not read past.
fn leading_postal_code(address: &str) -> (Option<String>, String) {
    let text = address.trim_start();
    let body = text.trim_start_matches('〒').trim_start();
    let code_len = body
        .char_indices()
        .take_while(|(_, c)| {
            c.is_ascii_digit() || matches!(c, '-' | '０'..='９' | '－' | 'ー' | '−')
        })
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    let code = &body[..code_len];
    if code_len > 0 && hakobu_geo::parse_postal_code(code).is_ok() {
        (Some(code.to_owned()), body[code_len..].trim().to_owned())
    } else {
        (None, text.trim().to_owned())
    }
}

fn placed(g: &Geocoded, level: MatchLevel) -> Geocode {
    Geocode::Placed {
        lat: g.point.lat,
        lng: g.point.lng,
        level,
        prefecture: g.prefecture.clone(),
        city: g.city.clone(),
        town: g.town.clone(),
        numbers: g.numbers.clone(),
        building: g.building.clone(),
    }
}

fn placed_at_postal(p: &Postal) -> Geocode {
    Geocode::Placed {
        lat: p.point.lat,
        lng: p.point.lng,
        level: MatchLevel::Postal,
        prefecture: p.prefecture.clone(),
        city: p.city.clone(),
        town: p.towns.join("・"),
        numbers: String::new(),
        building: String::new(),
    }
}

/// Prefecture, municipality and town as the gazetteer spells them, then what follows (block
/// numbers as `N-M`, building), or the unrecognised rest at coarser levels.
fn normalized(g: &Geocoded) -> String {
    format!("{}{}{}{}{}", g.prefecture, g.city, g.town, g.koaza, g.rest)
}

/// A postal code outside the place the address names (as far as it was recognised).
fn postal_elsewhere(p: &Postal, g: &Geocoded) -> Option<FieldIssue> {
    let same = p.prefecture == g.prefecture && (g.level == Level::Prefecture || p.city == g.city);
    (!same).then(|| {
        FieldIssue::new(
            "postal_code",
            IssueRule::PostalElsewhere {
                code: p.code.clone(),
                postal_prefecture: p.prefecture.clone(),
                postal_city: p.city.clone(),
                address_prefecture: g.prefecture.clone(),
                address_city: g.city.clone(),
            },
        )
    })
}

/// The rule of an address the geocoder could not place.
pub(crate) fn unplaced(e: GeocodeError) -> IssueRule {
    match e {
        GeocodeError::Empty => IssueRule::AddressEmpty,
        GeocodeError::NotFound(address) => IssueRule::NotRecognised { address },
        GeocodeError::Ambiguous { city, prefectures } => IssueRule::AmbiguousCity {
            city,
            prefectures: prefectures.split(", ").map(str::to_owned).collect(),
        },
    }
}

fn postal_rule(e: PostalError) -> IssueRule {
    match e {
        PostalError::Malformed => IssueRule::PostalMalformed,
        PostalError::Unknown(code) => IssueRule::PostalUnknown { code },
    }
}

/// Where the address is, with what it was worth saying about it.
struct Located {
    geocode: Geocode,
    normalized: String,
    errors: Vec<FieldIssue>,
    warnings: Vec<FieldIssue>,
}

fn locate(geo: Option<&Gazetteer>, address: &str, postal_code: Option<&str>) -> Located {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let Some(geo) = geo else {
        let issue = FieldIssue::new("address", IssueRule::NoGazetteer);
        let reason = issue.message.clone();
        errors.push(issue);
        return Located {
            geocode: Geocode::Failed { reason },
            normalized: normalize(address),
            errors,
            warnings,
        };
    };
    let postal = postal_code.map(|code| geo.postal(code));
    let postal_ok = match &postal {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            warnings.push(FieldIssue::new("postal_code", postal_rule(e.clone())));
            None
        }
        None => None,
    };
    let at_postal = |why: IssueRule, warnings: &mut Vec<FieldIssue>, p: &Postal| {
        warnings.push(FieldIssue::new(
            "address",
            IssueRule::PlacedAtPostal {
                code: p.code.clone(),
                reason: Box::new(why),
            },
        ));
        placed_at_postal(p)
    };
    let (geocode, normalized) = match geo.geocode(address) {
        Ok(g) if matches!(g.level, Level::Chome | Level::Town) => {
            if g.numbers.is_empty() {
                warnings.push(FieldIssue::new(
                    "address",
                    IssueRule::NoBlockNumber {
                        town: g.town.clone(),
                    },
                ));
            }
            warnings.extend(postal_ok.and_then(|p| postal_elsewhere(p, &g)));
            let level = match g.level {
                Level::Chome => MatchLevel::Chome,
                _ => MatchLevel::Town,
            };
            (placed(&g, level), normalized(&g))
        }
        Ok(g) => {
            let coarse = match g.level {
                Level::City => IssueRule::CityOnly {
                    city: g.city.clone(),
                },
                _ => IssueRule::PrefectureOnly {
                    prefecture: g.prefecture.clone(),
                },
            };
            let elsewhere = postal_ok.and_then(|p| postal_elsewhere(p, &g));
            match postal_ok.filter(|_| elsewhere.is_none()) {
                Some(p) => (at_postal(coarse, &mut warnings, p), normalized(&g)),
                None if g.level == Level::City => {
                    warnings.extend(elsewhere);
                    warnings.push(FieldIssue::new(
                        "address",
                        IssueRule::PlacedAtCity {
                            city: g.city.clone(),
                        },
                    ));
                    (placed(&g, MatchLevel::City), normalized(&g))
                }
                None => {
                    warnings.extend(elsewhere);
                    let issue = FieldIssue::new("address", coarse);
                    let reason = issue.message.clone();
                    errors.push(issue);
                    (Geocode::Failed { reason }, normalized(&g))
                }
            }
        }
        Err(e) => match postal_ok {
            Some(p) => (at_postal(unplaced(e), &mut warnings, p), normalize(address)),
            None => {
                let issue = FieldIssue::new("address", unplaced(e));
                let reason = issue.message.clone();
                errors.push(issue);
                (Geocode::Failed { reason }, normalize(address))
            }
        },
    };
    Located {
        geocode,
        normalized,
        errors,
        warnings,
    }
}

fn too_long(value: Option<&str>, field: TextField, errors: &mut Vec<FieldIssue>) {
    if let Some(Err(_)) = value.map(|v| rules::length(field, v)) {
        errors.push(FieldIssue::new(
            field.name(),
            IssueRule::TooLong {
                max: field.max_chars(),
            },
        ));
    }
}

/// One row checked and placed. Ids are compared across rows afterwards ([`mark_duplicates`]).
pub(crate) fn check_row(row: SourceRow, missing: Missing, geo: Option<&Gazetteer>) -> RowReport {
    let SourceRow {
        line,
        cells,
        mut errors,
    } = row;
    let mut warnings = Vec::new();
    let reported = |errors: &[FieldIssue], field: &str| errors.iter().any(|e| e.field == field);

    let external_stop_id = match cells.external_stop_id {
        Some(id) if !id.is_empty() => Some(id),
        Some(_) => {
            let made = format!("row-{line}");
            warnings.push(FieldIssue::new(
                "external_stop_id",
                IssueRule::IdMade { id: made.clone() },
            ));
            Some(made)
        }
        None if missing == Missing::Required => {
            if !reported(&errors, "external_stop_id") {
                errors.push(FieldIssue::new("external_stop_id", IssueRule::Required));
            }
            None
        }
        None => Some(format!("row-{line}")),
    };
    too_long(
        external_stop_id.as_deref(),
        TextField::ExternalStopId,
        &mut errors,
    );

    let (postal_in_address, address) =
        leading_postal_code(cells.address.as_deref().unwrap_or_default());
    let postal_code = cells
        .postal_code
        .filter(|p| !p.is_empty())
        .or(postal_in_address);
    if address.is_empty() && !reported(&errors, "address") {
        errors.push(FieldIssue::new("address", IssueRule::Required));
    }
    too_long(Some(&address), TextField::Address, &mut errors);
    let address_ok = !reported(&errors, "address");

    let label = cells.label.filter(|l| !l.is_empty());
    too_long(label.as_deref(), TextField::Label, &mut errors);
    let phone = cells.phone.filter(|p| !p.is_empty());
    if let Some(p) = &phone
        && !looks_like_phone(p)
    {
        warnings.push(FieldIssue::new(
            "phone",
            IssueRule::OddPhone { got: p.clone() },
        ));
    }

    let parcel_count = match cells.parcel_count {
        _ if reported(&errors, "parcel_count") => None,
        Some(text) if text.is_empty() => {
            warnings.push(FieldIssue::new("parcel_count", IssueRule::CountedAsOne));
            Some(1)
        }
        Some(text) => match self::parcel_count(&text) {
            Ok(n) => Some(n),
            Err(rule) => {
                errors.push(FieldIssue::new("parcel_count", rule));
                None
            }
        },
        None if missing == Missing::Required => {
            errors.push(FieldIssue::new("parcel_count", IssueRule::Required));
            None
        }
        None => Some(1),
    };

    let time_window = match cells.time_window.as_deref().map(parse_window) {
        None => None,
        Some(Ok(w)) => w,
        Some(Err(rule)) => {
            errors.push(FieldIssue::new("time_window", rule));
            None
        }
    };

    let (geocode, normalized_address) = if address_ok {
        let located = locate(geo, &address, postal_code.as_deref());
        errors.extend(located.errors);
        warnings.extend(located.warnings);
        (Some(located.geocode), located.normalized)
    } else {
        (None, normalize(&address))
    };

    let mut report = RowReport {
        line,
        status: RowStatus::Ok,
        external_stop_id,
        label,
        phone,
        notes: cells.notes.filter(|n| !n.is_empty()),
        postal_code,
        address,
        normalized_address,
        geocode,
        parcel_count,
        time_window,
        errors,
        warnings,
    };
    report.settle_status();
    report
}

/// An id on several rows is an error on each of them, naming the others: which one is meant
/// cannot be known, so none of them is planned until the file is fixed.
pub(crate) fn mark_duplicates(rows: &mut [RowReport]) {
    let mut lines: HashMap<String, Vec<usize>> = HashMap::new();
    for row in rows.iter() {
        if let Some(id) = &row.external_stop_id {
            lines.entry(id.clone()).or_default().push(row.line);
        }
    }
    for row in rows.iter_mut() {
        let Some(id) = &row.external_stop_id else {
            continue;
        };
        let others: Vec<usize> = lines[id]
            .iter()
            .copied()
            .filter(|&l| l != row.line)
            .collect();
        if !others.is_empty() {
            row.errors.push(FieldIssue::new(
                "external_stop_id",
                IssueRule::DuplicateId {
                    id: id.clone(),
                    lines: others,
                },
            ));
            row.settle_status();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::source::Cells;

    fn row(cells: Cells) -> SourceRow {
        SourceRow {
            line: 2,
            cells,
            errors: Vec::new(),
        }
    }

    fn cells(address: &str) -> Cells {
        Cells {
            external_stop_id: Some("A-1".into()),
            address: Some(address.into()),
            parcel_count: Some("2".into()),
            ..Cells::default()
        }
    }

    fn messages(issues: &[FieldIssue]) -> Vec<&str> {
        issues.iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn reads_parcel_counts_as_spreadsheets_write_them() {
        for (text, n) in [("2", 2), ("２", 2), ("3個", 3), ("1口", 1), (" 999 ", 999)] {
            assert_eq!(parcel_count(text), Ok(n), "{text}");
        }
        for text in ["0", "1000", "-1", "1.5", "二", "abc", "2箱"] {
            let broken = parcel_count(text).unwrap_err();
            assert_eq!(
                broken,
                IssueRule::ParcelCount {
                    max: 999,
                    got: Some(text.into())
                },
                "{text}"
            );
            assert_eq!(
                broken.to_string(),
                format!("must be an integer from 1 to 999 (got {text:?})")
            );
        }
    }

    /// An issue as the view gets it: its field, its rule and the rule's facts, its English.
    fn wire(issue: &FieldIssue) -> serde_json::Value {
        serde_json::to_value(issue).unwrap()
    }

    #[test]
    fn each_issue_carries_its_rule_and_facts_beside_the_english() {
        // Without a gazetteer: the checks of the cells, and the address that cannot be placed.
        let c = Cells {
            external_stop_id: Some(String::new()),
            address: Some("港区六本木6-10-1".into()),
            label: Some("y".repeat(201)),
            phone: Some("1234".into()),
            parcel_count: Some(String::new()),
            time_window: Some("14-14".into()),
            ..Cells::default()
        };
        let r = check_row(row(c), Missing::Defaulted, None);
        let errors: Vec<_> = r.errors.iter().map(wire).collect();
        assert_eq!(
            errors,
            [
                serde_json::json!({"field": "label", "rule": "too_long", "max": 200,
                    "message": "label: must be at most 200 characters"}),
                serde_json::json!({"field": "time_window", "rule": "window_order", "got": "14-14",
                    "message": "time_window: must end after it starts (got \"14-14\")"}),
                serde_json::json!({"field": "address", "rule": "no_gazetteer",
                    "message": "address: no gazetteer to place addresses (build it with `make data`)"}),
            ]
        );
        let warnings: Vec<_> = r.warnings.iter().map(wire).collect();
        assert_eq!(
            warnings,
            [
                serde_json::json!({"field": "external_stop_id", "rule": "id_made", "id": "row-2",
                    "message": "external_stop_id: is empty; named row-2"}),
                serde_json::json!({"field": "phone", "rule": "odd_phone", "got": "1234",
                    "message": "phone: does not look like a Japanese phone number (10 or 11 digits) (got \"1234\")"}),
                serde_json::json!({"field": "parcel_count", "rule": "counted_as_one",
                    "message": "parcel_count: is empty; counted as 1"}),
            ]
        );

        let mut c = cells("港区六本木6-10-1");
        c.external_stop_id = Some("x".repeat(101));
        c.parcel_count = Some("2箱".into());
        c.time_window = Some("夕方".into());
        let r = check_row(row(c), Missing::Defaulted, None);
        let rules: Vec<&IssueRule> = r.errors.iter().map(|e| &e.rule).collect();
        assert_eq!(
            rules,
            [
                &IssueRule::TooLong { max: 100 },
                &IssueRule::ParcelCount {
                    max: 999,
                    got: Some("2箱".into())
                },
                &IssueRule::WindowForm {
                    got: "夕方".into()
                },
                &IssueRule::NoGazetteer,
            ]
        );
        let mut c = cells("港区六本木6-10-1");
        c.time_window = Some("25-26".into());
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(
            r.errors[0].rule,
            IssueRule::WindowTime {
                got: "25-26".into()
            }
        );

        // RouteMate JSON without the required values.
        let c = Cells {
            address: Some(" ".into()),
            ..Cells::default()
        };
        let r = check_row(row(c), Missing::Required, None);
        let fields: Vec<(&str, &IssueRule)> = r
            .errors
            .iter()
            .map(|e| (e.field.as_str(), &e.rule))
            .collect();
        assert_eq!(
            fields,
            [
                ("external_stop_id", &IssueRule::Required),
                ("address", &IssueRule::Required),
                ("parcel_count", &IssueRule::Required)
            ]
        );
    }

    #[test]
    fn a_bad_parcel_count_is_an_error_naming_the_field() {
        let mut c = cells("港区六本木6-10-1");
        c.parcel_count = Some("0".into());
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(r.status, RowStatus::Error);
        assert_eq!(r.errors[0].field, "parcel_count");
        assert_eq!(
            r.errors[0].message,
            "parcel_count: must be an integer from 1 to 999 (got \"0\")"
        );
        assert_eq!(r.parcel_count, None);
    }

    #[test]
    fn empty_and_missing_values_follow_the_source() {
        // A spreadsheet: an empty id or count cell is a warning with a default.
        let c = Cells {
            external_stop_id: Some(String::new()),
            address: Some("港区六本木6-10-1".into()),
            parcel_count: Some(String::new()),
            ..Cells::default()
        };
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(r.external_stop_id.as_deref(), Some("row-2"));
        assert_eq!(r.parcel_count, Some(1));
        assert_eq!(
            messages(&r.warnings),
            [
                "external_stop_id: is empty; named row-2",
                "parcel_count: is empty; counted as 1"
            ]
        );
        // A spreadsheet without those columns: defaults, said once in the notices.
        let c = Cells {
            address: Some("港区六本木6-10-1".into()),
            ..Cells::default()
        };
        let r = check_row(row(c.clone()), Missing::Defaulted, None);
        assert_eq!(r.external_stop_id.as_deref(), Some("row-2"));
        assert_eq!(r.parcel_count, Some(1));
        assert!(r.warnings.is_empty());
        // RouteMate JSON: both are required.
        let r = check_row(row(c), Missing::Required, None);
        assert_eq!(r.external_stop_id, None);
        assert_eq!(
            &messages(&r.errors)[..2],
            ["external_stop_id: is required", "parcel_count: is required"]
        );
    }

    #[test]
    fn an_empty_address_is_an_error_and_not_geocoded() {
        for address in [None, Some(""), Some("〒106-0032 ")] {
            let mut c = cells("");
            c.address = address.map(str::to_owned);
            let r = check_row(row(c), Missing::Defaulted, None);
            assert_eq!(messages(&r.errors), ["address: is required"], "{address:?}");
            assert_eq!(r.geocode, None);
        }
    }

    #[test]
    fn long_values_break_the_routemate_limits() {
        let mut c = cells(&"港".repeat(201));
        c.external_stop_id = Some("x".repeat(101));
        c.label = Some("y".repeat(201));
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(
            messages(&r.errors),
            [
                "external_stop_id: must be at most 100 characters",
                "address: must be at most 200 characters",
                "label: must be at most 200 characters"
            ]
        );
        assert_eq!(r.geocode, None);
    }

    #[test]
    fn a_bad_window_is_an_error_and_a_good_one_is_kept() {
        let mut c = cells("港区六本木6-10-1");
        c.time_window = Some("夕方".into());
        let r = check_row(row(c.clone()), Missing::Defaulted, None);
        assert!(
            r.errors[0]
                .message
                .starts_with("time_window: must be like 14-16")
        );
        c.time_window = Some("14時～16時".into());
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(
            r.time_window.map(|w| w.to_string()).as_deref(),
            Some("14:00-16:00")
        );
    }

    #[test]
    fn an_odd_phone_is_a_warning() {
        for ok in [
            "03-1234-5678",
            "090-1234-5678",
            "0312345678",
            "+81 90 1234 5678",
            "０３（１２３４）５６７８",
        ] {
            assert!(looks_like_phone(ok), "{ok}");
        }
        for odd in ["1234", "03-1234-567", "03-1234-56789-0", "電話なし"] {
            assert!(!looks_like_phone(odd), "{odd}");
        }
        let mut c = cells("港区六本木6-10-1");
        c.phone = Some("1234".into());
        let r = check_row(row(c), Missing::Defaulted, None);
        assert_eq!(
            messages(&r.warnings),
            ["phone: does not look like a Japanese phone number (10 or 11 digits) (got \"1234\")"]
        );
    }

    #[test]
    fn a_postal_code_before_the_address_is_moved_out() {
        assert_eq!(
            leading_postal_code("〒106-0032 東京都港区六本木6-10-1"),
            (Some("106-0032".into()), "東京都港区六本木6-10-1".into())
        );
        assert_eq!(
            leading_postal_code("1060032 港区"),
            (Some("1060032".into()), "港区".into())
        );
        assert_eq!(
            leading_postal_code("１０６－００３２　港区"),
            (Some("１０６－００３２".into()), "港区".into())
        );
        // Block numbers that are not a postal code stay.
        assert_eq!(
            leading_postal_code("6-10-1 港区"),
            (None, "6-10-1 港区".into())
        );
    }

    #[test]
    fn without_a_gazetteer_every_address_is_an_error() {
        let r = check_row(row(cells("港区六本木6-10-1")), Missing::Defaulted, None);
        assert_eq!(
            messages(&r.errors),
            ["address: no gazetteer to place addresses (build it with `make data`)"]
        );
        assert!(matches!(r.geocode, Some(Geocode::Failed { .. })));
    }

    #[test]
    fn duplicate_ids_are_errors_on_every_row_naming_the_others() {
        let mut rows: Vec<RowReport> = [2, 3, 5, 9]
            .into_iter()
            .zip(["A", "B", "A", "A"])
            .map(|(line, id)| {
                let mut c = cells("港区");
                c.external_stop_id = Some(id.into());
                check_row(
                    SourceRow {
                        line,
                        cells: c,
                        errors: Vec::new(),
                    },
                    Missing::Defaulted,
                    None,
                )
            })
            .collect();
        for r in &mut rows {
            r.errors.clear();
            r.settle_status();
        }
        mark_duplicates(&mut rows);
        assert_eq!(
            messages(&rows[0].errors),
            ["external_stop_id: must be unique (A is also on lines 5, 9)"]
        );
        assert_eq!(rows[0].status, RowStatus::Error);
        assert!(rows[1].errors.is_empty());
        assert_eq!(rows[1].status, RowStatus::Ok);
        assert_eq!(
            messages(&rows[3].errors),
            ["external_stop_id: must be unique (A is also on lines 2, 5)"]
        );
        assert_eq!(
            wire(&rows[0].errors[0]),
            serde_json::json!({"field": "external_stop_id", "rule": "duplicate_id", "id": "A",
                "lines": [5, 9], "message": "external_stop_id: must be unique (A is also on lines 5, 9)"})
        );
    }
}
