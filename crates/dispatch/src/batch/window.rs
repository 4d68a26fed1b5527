//! A delivery time window as spreadsheets write it (時間帯 / 指定時間), read into minutes of the
//! day. The accepted forms (full-width digits and separators too) are listed in
//! docs/decisions.md "Batch import":
//! - a range of hours: `14-16`, `14〜16`, `14～16`, `14~16`, `14時-16時`, `14時～16時`, `14から16`
//! - with minutes: `14:00-16:00`, `9:30-12`, `14時30分～16時`, `14時半-16時`
//! - a carrier's 4-digit code: `1416` (14–16), `0812` (8–12), as ヤマト's B2 exports write it
//! - `午前中` (08:00–12:00, the carriers' meaning)
//! - empty, `指定なし`, `なし` or `-`: no window.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use ts_rs::TS;

use crate::batch::source::IssueRule;

/// Minutes since midnight, `start < end ≤ 24:00`; `"HH:MM"` strings on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, TS)]
#[ts(type = "{ start: string, end: string }")]
pub struct TimeWindow {
    pub start_min: u16,
    pub end_min: u16,
}

/// 午前中 as the Japanese carriers deliver it.
const MORNING: TimeWindow = TimeWindow {
    start_min: 8 * 60,
    end_min: 12 * 60,
};

pub(crate) const FORMS: &str = "must be like 14-16, 14:00-16:00, 14時～16時, 1416 or 午前中";

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl TimeWindow {
    pub fn start_s(self) -> u32 {
        u32::from(self.start_min) * 60
    }

    pub fn end_s(self) -> u32 {
        u32::from(self.end_min) * 60
    }
}

impl std::fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", hhmm(self.start_min), hhmm(self.end_min))
    }
}

/// `{"start": "14:00", "end": "16:00"}`: what the UI shows, without arithmetic on its side.
impl Serialize for TimeWindow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("TimeWindow", 2)?;
        st.serialize_field("start", &hhmm(self.start_min))?;
        st.serialize_field("end", &hhmm(self.end_min))?;
        st.end()
    }
}

/// Full-width ASCII to half-width; the wave dashes and long-vowel marks people use as range
/// separators to `-`.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| match c {
            '~' | '〜' | '－' | '−' | '‐' | '–' | '—' | 'ー' => '-',
            '：' => ':',
            _ => c,
        })
        .collect::<String>()
        .replace("から", "-")
}

fn number(s: &str) -> Option<u16> {
    (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// One end of a range: `14`, `14:30`, `14時`, `14時30分`, `14時半`. `None` when it is not a time;
/// `Some(Err)` when it is one but out of range.
fn time(s: &str) -> Option<Result<u16, ()>> {
    let (h, m) = if let Some((h, m)) = s.split_once(':') {
        (h, m)
    } else if let Some((h, rest)) = s.split_once('時') {
        match rest {
            "" => (h, "0"),
            "半" => (h, "30"),
            _ => (h, rest.strip_suffix('分')?),
        }
    } else {
        (s, "0")
    };
    let (h, m) = (number(h)?, number(m)?);
    Some(if h <= 24 && m < 60 && (h < 24 || m == 0) {
        Ok(h * 60 + m)
    } else {
        Err(())
    })
}

/// `Ok(None)` for no window; the error is the rule broken, for `window: <rule>`.
pub(crate) fn parse_window(text: &str) -> Result<Option<TimeWindow>, IssueRule> {
    let f = fold(text);
    match f.as_str() {
        "" | "-" | "指定なし" | "指定無し" | "なし" | "無し" => return Ok(None),
        "午前中" | "午前" => return Ok(Some(MORNING)),
        _ => {}
    }
    let got = || text.trim().to_owned();
    let (a, b) = match f.split_once('-') {
        Some(pair) => pair,
        None if f.len() == 4 && f.bytes().all(|b| b.is_ascii_digit()) => f.split_at(2),
        None => return Err(IssueRule::WindowForm { got: got() }),
    };
    let (Some(start), Some(end)) = (time(a), time(b)) else {
        return Err(IssueRule::WindowForm { got: got() });
    };
    let (Ok(start_min), Ok(end_min)) = (start, end) else {
        return Err(IssueRule::WindowTime { got: got() });
    };
    if end_min <= start_min {
        return Err(IssueRule::WindowOrder { got: got() });
    }
    Ok(Some(TimeWindow { start_min, end_min }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: &str, end: &str) -> Option<TimeWindow> {
        let min = |s: &str| {
            let (h, m) = s.split_once(':').unwrap();
            h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
        };
        Some(TimeWindow {
            start_min: min(start),
            end_min: min(end),
        })
    }

    #[test]
    fn reads_every_documented_form() {
        let cases = [
            ("14-16", w("14:00", "16:00")),
            ("14〜16", w("14:00", "16:00")),
            ("14～16", w("14:00", "16:00")),
            ("14~16", w("14:00", "16:00")),
            ("１４－１６", w("14:00", "16:00")),
            ("14時-16時", w("14:00", "16:00")),
            ("14時～16時", w("14:00", "16:00")),
            ("14から16", w("14:00", "16:00")),
            ("14:00-16:00", w("14:00", "16:00")),
            ("１４：００〜１６：００", w("14:00", "16:00")),
            (" 9:30 - 12 ", w("09:30", "12:00")),
            ("14時30分～16時", w("14:30", "16:00")),
            ("14時半-16時", w("14:30", "16:00")),
            ("19-21", w("19:00", "21:00")),
            ("20-24", w("20:00", "24:00")),
            ("1416", w("14:00", "16:00")),
            ("0812", w("08:00", "12:00")),
            ("午前中", w("08:00", "12:00")),
            ("午前", w("08:00", "12:00")),
            ("", None),
            ("  ", None),
            ("指定なし", None),
            ("なし", None),
            ("-", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_window(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn names_the_rule_a_bad_window_breaks() {
        let parse_window = |text| parse_window(text).map_err(|rule| rule.to_string());
        assert_eq!(
            parse_window("夕方"),
            Err(
                "must be like 14-16, 14:00-16:00, 14時～16時, 1416 or 午前中 (got \"夕方\")".into()
            )
        );
        for text in [
            "14",
            "14-",
            "a-b",
            "14-16-18",
            "141",
            "14:0x-16",
            "14時間-16",
        ] {
            let e = parse_window(text).unwrap_err();
            assert!(e.starts_with("must be like"), "{text}: {e}");
        }
        assert_eq!(
            parse_window("16-14"),
            Err("must end after it starts (got \"16-14\")".into())
        );
        assert_eq!(
            parse_window("14-14"),
            Err("must end after it starts (got \"14-14\")".into())
        );
        for text in ["25-26", "14:60-16", "23-24:30", "2430"] {
            assert_eq!(
                parse_window(text),
                Err(format!(
                    "hours must be 0–24 and minutes 0–59 (got {text:?})"
                )),
                "{text}"
            );
        }
    }

    #[test]
    fn a_bad_window_carries_its_rule_and_the_text_as_given() {
        let got = |text: &str| text.trim().to_owned();
        for (text, rule) in [
            (" 夕方 ", IssueRule::WindowForm { got: got("夕方") }),
            (
                "14時間-16",
                IssueRule::WindowForm {
                    got: got("14時間-16"),
                },
            ),
            ("25-26", IssueRule::WindowTime { got: got("25-26") }),
            (
                "１６－１４",
                IssueRule::WindowOrder {
                    got: got("１６－１４"),
                },
            ),
        ] {
            assert_eq!(parse_window(text), Err(rule), "{text}");
        }
    }

    #[test]
    fn serializes_as_clock_times() {
        let window = parse_window("9-12:30").unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(window).unwrap(),
            serde_json::json!({"start": "09:00", "end": "12:30"})
        );
        assert_eq!(window.to_string(), "09:00-12:30");
        assert_eq!((window.start_s(), window.end_s()), (32_400, 45_000));
    }
}
