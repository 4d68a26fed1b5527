//! Postal code → prefecture, municipality, its towns (one code can name several) and a point.

use serde::Serialize;

use crate::gazetteer::{Gazetteer, Point};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Postal {
    /// `123-4567`
    pub code: String,
    pub prefecture: String,
    pub city: String,
    /// The towns the code covers, as Japan Post names them; empty when the code covers the
    /// whole municipality (「以下に掲載がない場合」).
    pub towns: Vec<String>,
    /// Centroid of the towns' points (the municipality's when none is known).
    pub point: Point,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalError {
    #[error("postal_code: {}", self.rule())]
    Malformed,
    #[error("postal_code: {}", self.rule())]
    Unknown(String),
}

impl PostalError {
    /// The broken rule without the field name, for callers whose field is named otherwise
    /// (a form's `address_zipcode`).
    pub fn rule(&self) -> String {
        match self {
            PostalError::Malformed => "must be 7 digits, as 1234567 or 123-4567".to_owned(),
            PostalError::Unknown(code) => format!("{code} is not a Japanese postal code"),
        }
    }
}

/// `1060045`, `106-0045`, `〒106-0045`, full-width digits → 1060045.
pub fn parse_postal_code(input: &str) -> Result<u32, PostalError> {
    let digits: String = input
        .trim()
        .trim_start_matches('〒')
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            'ー' | '－' | '−' | '‐' => '-',
            _ => c,
        })
        .collect();
    let plain: String = match digits.split_once('-') {
        Some((a, b)) if a.len() == 3 && b.len() == 4 => format!("{a}{b}"),
        Some(_) => return Err(PostalError::Malformed),
        None => digits,
    };
    if plain.len() != 7 || !plain.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PostalError::Malformed);
    }
    plain.parse().map_err(|_| PostalError::Malformed)
}

impl Gazetteer {
    pub fn postal(&self, code: &str) -> Result<Postal, PostalError> {
        let n = parse_postal_code(code)?;
        let formatted = format!("{:03}-{:04}", n / 10_000, n % 10_000);
        let i = self
            .postal
            .binary_search_by_key(&n, |p| p.code)
            .map_err(|_| PostalError::Unknown(formatted.clone()))?;
        let entry = &self.postal[i];
        let city = &self.cities[entry.city as usize];
        Ok(Postal {
            code: formatted,
            prefecture: self.prefectures[usize::from(city.pref)].name.to_string(),
            city: city.name.to_string(),
            towns: self
                .str(entry.towns)
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            point: entry.point.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_spellings() {
        for s in [
            "1060045",
            "106-0045",
            "〒106-0045",
            "１０６－００４５",
            " 106ー0045 ",
        ] {
            assert_eq!(parse_postal_code(s), Ok(1_060_045), "{s}");
        }
        for s in ["106004", "10600455", "1060-045", "abc-defg", ""] {
            assert_eq!(parse_postal_code(s), Err(PostalError::Malformed), "{s}");
        }
        assert_eq!(
            PostalError::Malformed.to_string(),
            "postal_code: must be 7 digits, as 1234567 or 123-4567"
        );
        assert_eq!(
            PostalError::Unknown("000-0000".into()).to_string(),
            "postal_code: 000-0000 is not a Japanese postal code"
        );
    }
}
