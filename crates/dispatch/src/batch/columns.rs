//! Which stop field a spreadsheet column holds, from its header as Japanese and English
//! spreadsheets write it. Headers are compared after folding (full-width to half-width, lower
//! case, no spaces, `_`, `-`, `・`, `*`, `※`, and no trailing `(…)`/`（…）` such as 「（必須）」),
//! and must equal one of a field's names exactly: a sender's 「ご依頼主住所」 is not the
//! destination's address. The table is also in docs/decisions.md "Batch import".

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "BatchColumn")]
pub enum Column {
    ExternalStopId,
    /// A whole address line.
    Address,
    /// 住所1/住所2/住所3: an address split over numbered columns, joined in order.
    AddressLine1,
    AddressLine2,
    AddressLine3,
    PostalCode,
    Prefecture,
    City,
    Town,
    Block,
    Building,
    Label,
    Phone,
    ParcelCount,
    Notes,
    TimeWindow,
}

/// Each column's names, the English one first (it is also the JSON property name where the
/// column has one).
const NAMES: &[(Column, &[&str])] = &[
    (
        Column::ExternalStopId,
        &[
            "external_stop_id",
            "stop_id",
            "id",
            "伝票番号",
            "お届け先ID",
            "お届け先コード",
            "届け先コード",
            "顧客ID",
            "顧客コード",
            "注文番号",
            "受注番号",
            "お客様管理番号",
            "管理番号",
        ],
    ),
    (
        Column::Address,
        &[
            "address",
            "住所",
            "お届け先住所",
            "届け先住所",
            "配送先住所",
            "配達先住所",
        ],
    ),
    (
        Column::AddressLine1,
        &["address1", "address_line1", "住所1", "お届け先住所1"],
    ),
    (
        Column::AddressLine2,
        &["address2", "address_line2", "住所2", "お届け先住所2"],
    ),
    (
        Column::AddressLine3,
        &["address3", "address_line3", "住所3", "お届け先住所3"],
    ),
    (
        Column::PostalCode,
        &[
            "postal_code",
            "zip",
            "zip_code",
            "postcode",
            "郵便番号",
            "お届け先郵便番号",
            "〒",
        ],
    ),
    (
        Column::Prefecture,
        &["prefecture", "都道府県", "お届け先都道府県"],
    ),
    (Column::City, &["city", "市区町村", "お届け先市区町村"]),
    (
        Column::Town,
        &["town", "町名", "町域", "町丁目", "町名番地", "町域番地"],
    ),
    (Column::Block, &["block", "番地", "丁目番地", "番地号"]),
    (
        Column::Building,
        &[
            "building",
            "建物名",
            "建物",
            "ビル名",
            "マンション名",
            "建物名部屋番号",
            "アパートマンション名",
            "お届け先アパートマンション名",
            "お届け先建物名",
        ],
    ),
    (
        Column::Label,
        &[
            "label",
            "name",
            "customer_name",
            "氏名",
            "名前",
            "お名前",
            "お届け先名",
            "届け先名",
            "お届け先氏名",
            "宛名",
            "受取人",
            "受取人名",
        ],
    ),
    (
        Column::Phone,
        &[
            "phone",
            "tel",
            "telephone",
            "phone_number",
            "電話番号",
            "電話",
            "お届け先電話番号",
            "連絡先",
        ],
    ),
    (
        Column::ParcelCount,
        &[
            "parcel_count",
            "parcels",
            "個数",
            "口数",
            "荷物数",
            "出荷個数",
        ],
    ),
    (
        Column::Notes,
        &[
            "notes",
            "note",
            "memo",
            "comment",
            "備考",
            "メモ",
            "配達メモ",
            "注意事項",
        ],
    ),
    (
        Column::TimeWindow,
        &[
            "time_window",
            "window",
            "時間帯",
            "指定時間",
            "時間指定",
            "配達時間帯",
            "お届け時間帯",
            "配達指定時間",
            "配達希望時間帯",
            "希望時間帯",
        ],
    ),
];

/// A header in the form headers are compared in.
fn fold(header: &str) -> String {
    let half: String = header
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    // A trailing note in brackets: 「個数（必須）」, "Address (line 1)" keeps no meaning here.
    let mut core = half.trim();
    if let Some(open) = core.rfind('(').or_else(|| core.rfind('（'))
        && (core.ends_with(')') || core.ends_with('）'))
        && open > 0
    {
        core = &core[..open];
    }
    core.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '・' | '*' | '※'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Column {
    /// The column a header names, if any.
    pub(crate) fn from_header(header: &str) -> Option<Column> {
        let folded = fold(header);
        if folded.is_empty() {
            return None;
        }
        NAMES
            .iter()
            .find(|(_, names)| names.iter().any(|n| fold(n) == folded))
            .map(|(column, _)| *column)
    }

    /// The English name: the report's and the JSON's.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, names)| names[0])
    }

    /// A few of its Japanese names, for messages that say which header is missing.
    pub(crate) fn examples(self) -> String {
        NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, names)| {
                let mut shown: Vec<&str> = names
                    .iter()
                    .filter(|n| !n.is_ascii())
                    .take(2)
                    .copied()
                    .collect();
                shown.push(names[0]);
                shown.join(", ")
            })
            .unwrap_or_default()
    }

    /// Columns that are part of the address (any one of them makes the address column present).
    pub(crate) fn is_address_part(self) -> bool {
        matches!(
            self,
            Column::Address
                | Column::AddressLine1
                | Column::AddressLine2
                | Column::AddressLine3
                | Column::Prefecture
                | Column::City
                | Column::Town
                | Column::Block
                | Column::Building
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_japanese_and_english_headers() {
        let cases = [
            ("伝票番号", Column::ExternalStopId),
            ("お届け先ID", Column::ExternalStopId),
            ("お届け先ＩＤ", Column::ExternalStopId),
            ("external_stop_id", Column::ExternalStopId),
            ("External Stop ID", Column::ExternalStopId),
            ("住所", Column::Address),
            ("お届け先住所", Column::Address),
            ("Address", Column::Address),
            ("住所１", Column::AddressLine1),
            ("住所2", Column::AddressLine2),
            ("郵便番号", Column::PostalCode),
            ("〒", Column::PostalCode),
            ("都道府県", Column::Prefecture),
            ("市区町村", Column::City),
            ("町名・番地", Column::Town),
            ("番地", Column::Block),
            ("建物名", Column::Building),
            ("建物名・部屋番号", Column::Building),
            ("氏名", Column::Label),
            ("お届け先名", Column::Label),
            ("name", Column::Label),
            ("label", Column::Label),
            ("電話番号", Column::Phone),
            ("TEL", Column::Phone),
            ("phone", Column::Phone),
            ("個数", Column::ParcelCount),
            ("個数（必須）", Column::ParcelCount),
            ("parcel_count", Column::ParcelCount),
            ("Parcel Count", Column::ParcelCount),
            ("備考", Column::Notes),
            ("notes", Column::Notes),
            ("時間帯", Column::TimeWindow),
            ("指定時間", Column::TimeWindow),
            ("※配達時間帯", Column::TimeWindow),
            ("time_window", Column::TimeWindow),
        ];
        for (header, column) in cases {
            assert_eq!(Column::from_header(header), Some(column), "{header}");
        }
    }

    #[test]
    fn unknown_headers_map_to_nothing() {
        for header in ["ご依頼主住所", "請求金額", "", "  ", "(必須)", "住所メモ"] {
            assert_eq!(Column::from_header(header), None, "{header}");
        }
    }

    #[test]
    fn names_each_column_in_english_and_japanese() {
        assert_eq!(Column::ParcelCount.name(), "parcel_count");
        assert_eq!(Column::Address.examples(), "住所, お届け先住所, address");
        assert!(Column::Building.is_address_part());
        assert!(!Column::PostalCode.is_address_part());
    }
}
