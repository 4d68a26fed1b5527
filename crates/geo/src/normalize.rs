//! Address text normalisation: the spellings people type, brought to one form before matching.
//!
//! Two layers:
//! - [`normalize`] rewrites the text (width, hyphens, numerals in 丁目/番/号, whitespace), and is
//!   what the caller sees in `rest`;
//! - [`fold_char`] maps characters that are spelling variants of one another (ケ/ヶ/が, の/之/ノ)
//!   to one character *for comparison only*, so a building name keeps its own spelling.

/// Full-width ASCII → half-width, ideographic space → space.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Dashes that always mean a hyphen in an address.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '‐' | '‑' | '‒' | '–' | '—' | '−' | '－' | '﹣' | '⁃' | '―' | '─' | '━'
    )
}

/// Long-vowel marks that mean a hyphen only after a number (ケーキ keeps its ー).
fn is_long_vowel_mark(c: char) -> bool {
    matches!(c, 'ー' | 'ｰ')
}

pub fn kanji_digit(c: char) -> Option<u32> {
    // A match, not a search of 「〇一二…」: this runs for every character of every name at load.
    Some(match c {
        '〇' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

pub(crate) fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || matches!(c, '十' | '百' | '千')
}

/// A kanji numeral as written in addresses (二十三, 百五, 二〇三) → its value.
pub fn kanji_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.chars().all(is_kanji_numeral) {
        return None;
    }
    if !s.chars().any(|c| matches!(c, '十' | '百' | '千')) {
        // Positional: 二〇三 = 203.
        return s
            .chars()
            .try_fold(0u32, |acc, c| Some(acc * 10 + kanji_digit(c)?));
    }
    let mut total = 0;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            d => {
                digit = Some(kanji_digit(d)?);
                continue;
            }
        };
        total += digit.unwrap_or(1) * unit;
        digit = None;
    }
    Some(total + digit.unwrap_or(0))
}

/// The display form of an address line: half-width ASCII, hyphens unified, runs of whitespace as
/// one space. Kanji numerals stay as written: they are part of names (三条市, 助六, 麻布十番), and
/// matching reads them through [`key`]; [`split_numbers`] reads the block numbers after the town.
pub fn normalize(input: &str) -> String {
    let mut s = String::with_capacity(input.len());
    let mut prev: Option<char> = None;
    for c in input.chars().map(half_width) {
        let c = if is_dash(c) || (is_long_vowel_mark(c) && prev.is_some_and(is_numeric_char)) {
            '-'
        } else {
            c
        };
        if c.is_whitespace() {
            if !s.is_empty() && !s.ends_with(' ') {
                s.push(' ');
            }
        } else {
            s.push(c);
        }
        prev = Some(c);
    }
    s.truncate(s.trim_end().len());
    s
}

/// Units after which a kanji numeral is part of a place name that people also write in digits:
/// 「赤坂一丁目」, Sapporo's 「北一条西」, Hokkaido's 「東一線」, Iwate's 「第一地割」, 「一番町」.
const NUMBERED_PLACE_UNITS: &[&str] = &["丁目", "条", "線", "地割", "番町", "番丁"];

/// Splits what follows the town into its block numbers (「2番3号」「二番三号」「2-3」「2の3」 all
/// give `2-3`) and the rest (building, room), which keeps its own spelling.
pub fn split_numbers(rest: &str) -> (String, String) {
    let chars: Vec<char> = rest.trim_start().chars().collect();
    let mut numbers: Vec<u32> = Vec::new();
    let mut i = 0;
    let mut end = 0;
    loop {
        let start = i;
        let ascii = chars.get(i).is_some_and(|c| c.is_ascii_digit());
        while chars.get(i).is_some_and(|&c| {
            if ascii {
                c.is_ascii_digit()
            } else {
                is_kanji_numeral(c)
            }
        }) {
            i += 1;
        }
        if i == start {
            break;
        }
        let run: String = chars[start..i].iter().collect();
        let Some(value) = (if ascii {
            run.parse().ok()
        } else {
            kanji_number(&run)
        }) else {
            break;
        };
        let at = |j: usize, s: &str| {
            chars[j.min(chars.len())..]
                .iter()
                .collect::<String>()
                .starts_with(s)
        };
        let sep_len = if at(i, "番地") {
            2
        } else if at(i, "番") || at(i, "号") || at(i, "-") || at(i, "の") {
            1
        } else {
            0
        };
        let after_sep = i + sep_len;
        let number_follows = chars.get(after_sep).is_some_and(|&c| is_numeric_char(c));
        let closes = chars.get(after_sep).is_none_or(|c| c.is_whitespace());
        let chains = sep_len > 0 && number_follows && !at(i, "号");
        let ends_here = match sep_len {
            // 「2番地」「2番」「2号」 end a block; 「2号館」 is a building word.
            _ if at(i, "番") || (at(i, "号") && !at(after_sep, "館") && !at(after_sep, "棟")) => {
                closes || (ascii && !number_follows)
            }
            0 => ascii,
            _ => false,
        };
        if !(chains || ends_here || (sep_len > 0 && !ascii && closes)) {
            break;
        }
        numbers.push(value);
        if chains {
            i = after_sep;
            end = i;
        } else {
            end = if ends_here && sep_len > 0 && !at(i, "-") && !at(i, "の") {
                after_sep
            } else {
                i
            };
            break;
        }
    }
    let block = numbers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("-");
    let remainder: String = chars[end..].iter().collect();
    (block, remainder.trim().to_owned())
}

fn is_numeric_char(c: char) -> bool {
    c.is_ascii_digit() || is_kanji_numeral(c)
}

/// The comparison form of one character: spelling variants of one place name map to one
/// character. Besides ケ/ヶ/が and の/之/ノ, the itaiji (old or variant forms) people and the two
/// data sources write interchangeably in place names: 湯澤市 is 湯沢市, 﨑 is 崎, 髙 is 高.
/// Applied to the gazetteer and the input alike (through [`key`]), so either spelling finds
/// either; a name keeps its own spelling everywhere else.
pub fn fold_char(c: char) -> char {
    match c {
        'ヶ' | 'が' | 'ヵ' => 'ケ',
        '之' | 'ノ' => 'の',
        '惠' => '恵',
        '溪' => '渓',
        '邊' | '邉' => '辺',
        '﨑' | '嵜' | '碕' => '崎',
        '髙' => '高',
        '舘' => '館',
        '澤' => '沢',
        '濱' => '浜',
        '嶋' | '嶌' => '島',
        '冨' => '富',
        '齋' | '齊' => '斎',
        '廣' => '広',
        '櫻' => '桜',
        '國' => '国',
        '龍' => '竜',
        '條' => '条',
        '曾' => '曽',
        '槇' => '槙',
        '瀧' => '滝',
        '藪' => '薮',
        '籠' => '篭',
        '德' => '徳',
        '塚' => '塚',
        '榮' => '栄',
        '眞' => '真',
        '淵' => '渕',
        '峯' => '峰',
        '穗' => '穂',
        _ => c,
    }
}

/// Whether `s` starts with `unit` once folded (「五條」 numbers a place as 「五条」 does).
fn starts_with_folded(s: &str, unit: &str) -> bool {
    let mut chars = s.chars();
    unit.chars()
        .all(|u| chars.next().is_some_and(|c| fold_char(c) == u))
}

/// The one comparison form of place text, for the gazetteer's names and the typed address
/// alike: half-width, without whitespace, spelling variants folded ([`fold_char`]), and a kanji
/// numeral as digits only where it numbers a place people also write in digits — before
/// 丁目/条/線/地割/番町/番丁 (「赤坂一丁目」→「赤坂1丁目」, 「三条市」→「3条市」 on both sides).
/// Elsewhere numerals stay kanji (「助六」, 「十日町」), so a name never changes with what
/// follows it. With `origin`, records for each output byte the input byte it came from (plus
/// one entry for the end), so a match in the key maps back to the typed text.
pub(crate) fn key(s: &str, mut origin: Option<&mut Vec<usize>>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let len = if is_kanji_numeral(c) {
            let run_len = rest
                .char_indices()
                .find(|&(_, c)| !is_kanji_numeral(c))
                .map_or(rest.len(), |(i, _)| i);
            let (run, after) = rest.split_at(run_len);
            let numbered = NUMBERED_PLACE_UNITS
                .iter()
                .any(|u| starts_with_folded(after, u));
            let before = out.len();
            match kanji_number(run) {
                Some(n) if numbered => out.push_str(&n.to_string()),
                _ => out.push_str(run),
            }
            if let Some(o) = origin.as_deref_mut() {
                // Every digit comes from the whole run: a match never ends inside it.
                let written = out.len() - before;
                o.extend(std::iter::repeat_n(at, written));
            }
            run_len
        } else {
            let h = half_width(c);
            if !h.is_whitespace() {
                let f = fold_char(h);
                out.push(f);
                if let Some(o) = origin.as_deref_mut() {
                    o.extend((0..f.len_utf8()).map(|b| at + b));
                }
            }
            c.len_utf8()
        };
        at += len;
        rest = &rest[len..];
    }
    if let Some(o) = origin {
        o.push(s.len());
    }
    out
}

/// The 大字/字 prefix people often drop from a town's name: its length in bytes.
pub(crate) fn aza_prefix_len(name: &str) -> usize {
    if name.starts_with("大字") {
        "大字".len()
    } else if name.starts_with('字') {
        '字'.len_utf8()
    } else {
        0
    }
}

/// The key a gazetteer town is matched by: [`key`] without the 大字/字 prefix.
pub fn name_key(name: &str) -> String {
    let name = &name[aza_prefix_len(name)..];
    changed_key(name).unwrap_or_else(|| name.to_owned())
}

/// The characters of the Basic Multilingual Plane that [`key`] may change or read as numerals,
/// as a bitmap: derived once from the rules themselves, so checking a character is one lookup
/// instead of the rules' matches (the load checks every character of 400k names).
fn changing_chars() -> &'static [u64; 1024] {
    static CHANGING: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    CHANGING.get_or_init(|| {
        let mut bits = Box::new([0u64; 1024]);
        for code in 0..0x10000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if is_kanji_numeral(c) || c.is_whitespace() || fold_char(half_width(c)) != c {
                bits[code as usize / 64] |= 1 << (code % 64);
            }
        }
        bits
    })
}

/// [`key`] of `s` when it differs from `s`, found in one scan and allocated only then: most of
/// the gazetteer's 400k names are their own key, and building keys is most of the load.
pub(crate) fn changed_key(s: &str) -> Option<String> {
    let changing = changing_chars();
    let mut at = 0;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let code = c as usize;
        let len = if code < 0x10000 && changing[code / 64] & (1 << (code % 64)) == 0 {
            c.len_utf8()
        } else if is_kanji_numeral(c) {
            let run_len = rest
                .char_indices()
                .find(|&(_, c)| !is_kanji_numeral(c))
                .map_or(rest.len(), |(i, _)| i);
            let after = &rest[run_len..];
            let numbered = NUMBERED_PLACE_UNITS
                .iter()
                .any(|u| starts_with_folded(after, u));
            if numbered && kanji_number(&rest[..run_len]).is_some() {
                break;
            }
            run_len
        } else {
            if c.is_whitespace() || fold_char(half_width(c)) != c {
                break;
            }
            c.len_utf8()
        };
        at += len;
        rest = &rest[len..];
    }
    // Everything before `at` is its own key, and no numeral run crosses `at`.
    (!rest.is_empty()).then(|| format!("{}{}", &s[..at], key(rest, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        s.chars().map(fold_char).collect()
    }

    #[test]
    fn kanji_numbers() {
        for (k, n) in [
            ("一", 1),
            ("十", 10),
            ("十一", 11),
            ("二十三", 23),
            ("百五", 105),
            ("二〇三", 203),
            ("千二百", 1200),
        ] {
            assert_eq!(kanji_number(k), Some(n), "{k}");
        }
        assert_eq!(kanji_number("赤"), None);
    }

    #[test]
    fn normal_form() {
        let cases = [
            ("東京都港区麻布十番２－３－５", "東京都港区麻布十番2-3-5"),
            ("港区赤坂一丁目二番三号", "港区赤坂一丁目二番三号"),
            ("中央区銀座4ー6ー16", "中央区銀座4-6-16"),
            (
                "千代田区丸の内1‐9‐1　ビル  3階",
                "千代田区丸の内1-9-1 ビル 3階",
            ),
            ("渋谷区神宮前ケーキ通り", "渋谷区神宮前ケーキ通り"),
            ("  港区  芝公園 ", "港区 芝公園"),
            ("千代田区一番町", "千代田区一番町"),
            ("港区麻布十番2-3-5", "港区麻布十番2-3-5"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "{input}");
        }
    }

    #[test]
    fn numbers_after_the_town() {
        let cases = [
            ("二番三号", "2-3", ""),
            ("２番地３", "2-3", ""),
            ("2番地", "2", ""),
            ("2の8の1", "2-8-1", ""),
            ("6-10-1 5号館", "6-10-1", "5号館"),
            ("十番ビル", "", "十番ビル"),
            ("3番5号 ヒルズ", "3-5", "ヒルズ"),
            ("2-3-5十番ビル1階", "2-3-5", "十番ビル1階"),
            ("3-5-101", "3-5-101", ""),
            ("12番地の3", "12", "の3"),
            ("4-6-16 銀座ビル", "4-6-16", "銀座ビル"),
            ("", "", ""),
        ];
        for (input, numbers, rest) in cases {
            let got = split_numbers(&normalize(input));
            assert_eq!((got.0.as_str(), got.1.as_str()), (numbers, rest), "{input}");
        }
    }

    #[test]
    fn folding_keeps_byte_offsets() {
        let s = "霞が関自由ヶ丘一ノ瀬之";
        assert_eq!(fold(s).len(), s.len());
        assert_eq!(fold("霞が関"), fold("霞ヶ関"));
        assert_eq!(fold("一ノ瀬"), fold("一の瀬"));
    }

    #[test]
    fn gazetteer_keys() {
        assert_eq!(name_key("赤坂一丁目"), "赤坂1丁目");
        assert_eq!(name_key("大字青山"), "青山");
        assert_eq!(name_key("旭ヶ丘十二丁目"), "旭ケ丘12丁目");
        assert_eq!(
            name_key("一ノ橋"),
            "一の橋",
            "a numeral not before 丁目 stays kanji"
        );
        assert_eq!(name_key("北一条西二丁目"), "北1条西2丁目");
    }

    /// Class 1 of issue 24: a numeral inside a name is read the same way whatever follows it,
    /// and the typed text and the gazetteer's name come out of the same function.
    #[test]
    fn numerals_inside_names_key_the_same_on_both_sides() {
        assert_eq!(key("新潟県三条市", None), "新潟県3条市");
        assert_eq!(key("三条市", None), name_key("三条市"));
        assert_eq!(key("助六1-2", None), format!("{}1-2", name_key("助六")));
        assert_eq!(name_key("助六"), "助六");
        assert_eq!(key("十日町市", None), "十日町市");
        assert_eq!(key("赤坂 一丁目", None), "赤坂1丁目");
        assert_eq!(normalize("新潟県三条市旭町2-3"), "新潟県三条市旭町2-3");
    }

    /// Class 3 of issue 24: itaiji fold on both sides.
    #[test]
    fn variant_characters_fold_on_both_sides() {
        for (a, b) in [
            ("惠比寿", "恵比寿"),
            ("溪谷", "渓谷"),
            ("渡邊", "渡辺"),
            ("渡邉", "渡辺"),
            ("川﨑", "川崎"),
            ("髙松", "高松"),
            ("函舘", "函館"),
            ("湯澤市", "湯沢市"),
            ("霞ヶ関", "霞が関"),
            ("龍ケ崎市", "竜ヶ崎市"),
        ] {
            assert_eq!(key(a, None), key(b, None), "{a} {b}");
            assert_eq!(name_key(a), key(b, None), "{a} {b}");
        }
        assert_eq!(key("五條市", None), key("五条市", None));
        for c in "惠溪邊邉﨑髙舘澤濱嶋冨齋廣櫻國龍條".chars() {
            assert_eq!(fold_char(c).len_utf8(), c.len_utf8(), "{c}");
        }
    }

    #[test]
    fn changed_key_is_key_or_nothing() {
        for s in [
            "三軒茶屋",
            "赤坂一丁目",
            "大字青山",
            "旭ヶ丘十二丁目",
            "北一条西二丁目",
            "湯澤",
            "ABC１",
            "一ノ橋",
            "十日町",
        ] {
            let k = key(s, None);
            match changed_key(s) {
                Some(c) => assert_eq!(c, k, "{s}"),
                None => assert_eq!(s, k, "{s}"),
            }
        }
        assert_eq!(changed_key("三軒茶屋"), None);
    }

    #[test]
    fn key_origin_points_back_into_the_text() {
        let text = "北一条西 十丁目5";
        let mut origin = Vec::new();
        let k = key(text, Some(&mut origin));
        assert_eq!(k, "北1条西10丁目5");
        assert_eq!(origin.len(), k.len() + 1);
        let five = k.find('5').unwrap();
        assert_eq!(&text[origin[five]..], "5");
        let chome = k.find("10").unwrap();
        assert_eq!(&text[origin[chome]..], "十丁目5");
    }
}
