//! A CSV (or tab-separated) file, decoded, → rows of cells by stop field. The first row that is
//! not blank is the header; its columns are mapped by [`Column::from_header`]. Quoted fields
//! may hold commas and line breaks (Excel's Alt+Enter); lines may end in CRLF.

use std::collections::HashMap;

use serde::Serialize;
use ts_rs::TS;

use crate::batch::columns::Column;
use crate::batch::import::{BatchError, MAX_ROWS};
use crate::batch::source::{Cells, FieldIssue, IssueRule, LineCursor, SourceRow};

/// One header column and the field it was read as (`None`: not a stop field, ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ColumnReport {
    /// 1-based, as a spreadsheet counts.
    pub number: usize,
    pub header: String,
    pub field: Option<Column>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvRead {
    pub columns: Vec<ColumnReport>,
    pub notices: Vec<String>,
    pub rows: Vec<SourceRow>,
    /// Rows whose every cell is blank (spreadsheets export formatted but empty rows).
    pub blank_rows: usize,
}

/// Columns any one of which gives a row somewhere to go; a building or postal code alone does not.
const LOCATING: [Column; 7] = [
    Column::Address,
    Column::AddressLine1,
    Column::AddressLine2,
    Column::AddressLine3,
    Column::City,
    Column::Town,
    Column::Block,
];

/// Name parts written without a space between them (東京都港区六本木), in this order.
const NAME_PARTS: [Column; 3] = [Column::Prefecture, Column::City, Column::Town];
/// The rest of the address, each part after a space.
const LINE_PARTS: [Column; 6] = [
    Column::Address,
    Column::AddressLine1,
    Column::AddressLine2,
    Column::AddressLine3,
    Column::Block,
    Column::Building,
];

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// A cell on one line: line breaks inside an address cell are only wrapping.
fn one_line(cell: &str) -> String {
    cell.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The address from its columns: 都道府県 + 市区町村 + 町名, then 住所/住所1–3/番地/建物名 after a
/// space each. A name part the address line already starts with is not repeated (a file with
/// both 都道府県 and a full 住所).
pub(crate) fn join_address(parts: &HashMap<Column, String>) -> Option<String> {
    let lines: Vec<&str> = LINE_PARTS
        .iter()
        .filter_map(|c| parts.get(c))
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    let mut address = lines.join(" ");
    for column in NAME_PARTS.iter().rev() {
        if let Some(part) = parts.get(column).filter(|p| !p.is_empty())
            && !address.starts_with(part.as_str())
        {
            address.insert_str(0, part);
        }
    }
    (!address.is_empty()
        || NAME_PARTS
            .iter()
            .chain(&LINE_PARTS)
            .any(|c| parts.contains_key(c)))
    .then_some(address)
}

/// The line a record's first character is on. csv's own line count lags by one (it reads the
/// previous record's line break when it starts the next record), so its byte offset is used,
/// past any line breaks it points at.
fn start_line(text: &str, lines: &mut LineCursor, position: Option<&csv::Position>) -> usize {
    let bytes = text.as_bytes();
    let at = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
    let start = at
        + bytes[at..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    lines.line_at(start)
}

/// Reading a `&str` with `flexible` set, the csv crate's only possible error is invalid UTF-8,
/// which decoded text cannot have; it is mapped, not unwrapped, all the same.
fn csv_error(text: &str, e: &csv::Error) -> BatchError {
    BatchError::Encoding {
        line: start_line(text, &mut LineCursor::new(text), e.position()),
        encoding: "UTF-8",
    }
}

pub(crate) fn read_csv(text: &str) -> Result<CsvRead, BatchError> {
    if text.trim().is_empty() {
        return Err(BatchError::Empty);
    }
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    // Excel's 「Unicode テキスト」 and many exports are tab-separated.
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(BatchError::Empty),
            Some(record) => {
                let record = record.map_err(|e| csv_error(text, &e))?;
                if !is_blank(&record) {
                    break record;
                }
            }
        }
    };

    let mut columns = Vec::with_capacity(header.len());
    let mut notices = Vec::new();
    let mut seen: HashMap<Column, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let header_text = h.trim().to_owned();
        let field = Column::from_header(&header_text);
        match field {
            Some(column) => {
                if let Some(&first) = seen.get(&column) {
                    return Err(BatchError::DuplicateColumn {
                        column: column.name(),
                        first: first + 1,
                        first_header: columns_header(&columns, first),
                        second: i + 1,
                        second_header: header_text,
                    });
                }
                seen.insert(column, i);
            }
            None if !header_text.is_empty() => notices.push(format!(
                "header: column {} ({header_text}) is not a stop field; ignored",
                i + 1
            )),
            None => {}
        }
        columns.push(ColumnReport {
            number: i + 1,
            header: header_text,
            field,
        });
    }
    if !LOCATING.iter().any(|c| seen.contains_key(c)) {
        let found: Vec<&str> = columns
            .iter()
            .map(|c| c.header.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        return Err(BatchError::NoAddressColumn {
            found: found.join(", "),
        });
    }
    if !seen.contains_key(&Column::ExternalStopId) {
        notices.push(format!(
            "header: no external_stop_id column ({}); each stop is named row-<line>",
            Column::ExternalStopId.examples()
        ));
    }
    if !seen.contains_key(&Column::ParcelCount) {
        notices.push(format!(
            "header: no parcel_count column ({}); each stop counts 1 parcel",
            Column::ParcelCount.examples()
        ));
    }

    let mut rows = Vec::new();
    let mut blank_rows = 0;
    let mut lines = LineCursor::new(text);
    for record in records {
        let record = record.map_err(|e| csv_error(text, &e))?;
        if is_blank(&record) {
            blank_rows += 1;
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(BatchError::TooManyRows { max: MAX_ROWS });
        }
        let line = start_line(text, &mut lines, record.position());
        rows.push(row(&record, line, header.len(), &seen));
    }
    if rows.is_empty() {
        return Err(BatchError::NoRows);
    }
    Ok(CsvRead {
        columns,
        notices,
        rows,
        blank_rows,
    })
}

fn columns_header(columns: &[ColumnReport], index: usize) -> String {
    columns
        .get(index)
        .map(|c| c.header.clone())
        .unwrap_or_default()
}

fn row(
    record: &csv::StringRecord,
    line: usize,
    header_len: usize,
    seen: &HashMap<Column, usize>,
) -> SourceRow {
    let mut errors = Vec::new();
    // Trailing empty cells are what spreadsheets add past the last column: harmless.
    let cells: Vec<&str> = record.iter().collect();
    let used = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    if used > header_len {
        errors.push(FieldIssue::new(
            "row",
            IssueRule::TooManyFields {
                fields: used,
                header: header_len,
            },
        ));
    } else if record.len() < header_len {
        errors.push(FieldIssue::new(
            "row",
            IssueRule::TooFewFields {
                fields: record.len(),
                header: header_len,
            },
        ));
    }
    let cell = |column: Column| -> Option<String> {
        seen.get(&column)
            .map(|&i| record.get(i).unwrap_or("").trim().to_owned())
    };
    let address_parts: HashMap<Column, String> = seen
        .keys()
        .filter(|c| c.is_address_part())
        .filter_map(|&c| cell(c).map(|v| (c, one_line(&v))))
        .collect();
    SourceRow {
        line,
        cells: Cells {
            external_stop_id: cell(Column::ExternalStopId),
            address: join_address(&address_parts),
            postal_code: cell(Column::PostalCode),
            label: cell(Column::Label).map(|v| one_line(&v)),
            phone: cell(Column::Phone),
            parcel_count: cell(Column::ParcelCount),
            notes: cell(Column::Notes),
            time_window: cell(Column::TimeWindow),
        },
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> CsvRead {
        read_csv(text).unwrap()
    }

    #[test]
    fn reads_japanese_headers_quotes_line_breaks_and_crlf() {
        let text = "伝票番号,お届け先名,住所,電話番号,個数,時間帯,備考\r\n\
                    A-1,山田 太郎,東京都港区六本木6-10-1,03-1234-5678,2,14-16,\"置き配可, 宅配ボックス\"\r\n\
                    A-2,\"佐藤\n花子\",\"東京都千代田区\n丸の内1-9-1\",,1,午前中,\"1行目\n2行目\"\r\n\
                    ,,,,,,\r\n\
                    A-3,鈴木,港区,,1,,\r\n";
        let r = read(text);
        assert_eq!(r.rows.len(), 3);
        assert_eq!(r.blank_rows, 1);
        // A-2 spans lines 3 to 6; the blank row is line 7.
        assert_eq!(r.rows[2].line, 8);
        assert!(r.notices.is_empty(), "{:?}", r.notices);
        let a1 = &r.rows[0];
        assert_eq!(a1.line, 2);
        assert_eq!(a1.cells.external_stop_id.as_deref(), Some("A-1"));
        assert_eq!(a1.cells.address.as_deref(), Some("東京都港区六本木6-10-1"));
        assert_eq!(a1.cells.phone.as_deref(), Some("03-1234-5678"));
        assert_eq!(a1.cells.parcel_count.as_deref(), Some("2"));
        assert_eq!(a1.cells.time_window.as_deref(), Some("14-16"));
        assert_eq!(a1.cells.notes.as_deref(), Some("置き配可, 宅配ボックス"));
        let a2 = &r.rows[1];
        assert_eq!(a2.line, 3);
        assert_eq!(a2.cells.label.as_deref(), Some("佐藤 花子"));
        assert_eq!(
            a2.cells.address.as_deref(),
            Some("東京都千代田区 丸の内1-9-1")
        );
        assert_eq!(a2.cells.notes.as_deref(), Some("1行目\n2行目"));
        assert_eq!(a2.cells.phone.as_deref(), Some(""));
        assert!(a2.errors.is_empty());
        assert_eq!(
            r.columns[1],
            ColumnReport {
                number: 2,
                header: "お届け先名".into(),
                field: Some(Column::Label)
            }
        );
    }

    #[test]
    fn reads_english_headers_and_tabs() {
        let r = read(
            "external_stop_id\taddress\tname\tphone\tparcel_count\ttime_window\tnotes\n\
             S1\t港区六本木6-10-1\tA\t0312345678\t3\t14:00-16:00\tnote\n",
        );
        let c = &r.rows[0].cells;
        assert_eq!(c.external_stop_id.as_deref(), Some("S1"));
        assert_eq!(c.address.as_deref(), Some("港区六本木6-10-1"));
        assert_eq!(c.label.as_deref(), Some("A"));
        assert_eq!(c.parcel_count.as_deref(), Some("3"));
        assert_eq!(c.time_window.as_deref(), Some("14:00-16:00"));
    }

    #[test]
    fn joins_split_address_columns() {
        let r = read(
            "お届け先ID,郵便番号,都道府県,市区町村,町名,番地,建物名\n\
             1,106-6108,東京都,港区,六本木六丁目,10-1,六本木ヒルズ森タワー\n\
             2,100-0005,東京都,千代田区,,丸の内1-9-1,\n",
        );
        assert_eq!(
            r.rows[0].cells.address.as_deref(),
            Some("東京都港区六本木六丁目10-1 六本木ヒルズ森タワー")
        );
        assert_eq!(r.rows[0].cells.postal_code.as_deref(), Some("106-6108"));
        assert_eq!(
            r.rows[1].cells.address.as_deref(),
            Some("東京都千代田区丸の内1-9-1")
        );

        let r = read("郵便番号,住所1,住所2\n1350061,東京都江東区豊洲6-6-1,ABCビル 3F\n");
        assert_eq!(
            r.rows[0].cells.address.as_deref(),
            Some("東京都江東区豊洲6-6-1 ABCビル 3F")
        );

        // A prefecture column beside an address that already has it is not written twice.
        let r =
            read("都道府県,住所,建物名\n東京都,東京都台東区浅草2-3-1,\n東京都,台東区浅草2-3-1,\n");
        assert_eq!(
            r.rows[0].cells.address.as_deref(),
            Some("東京都台東区浅草2-3-1")
        );
        assert_eq!(
            r.rows[1].cells.address.as_deref(),
            Some("東京都台東区浅草2-3-1")
        );

        // A row of empty parts is blank; the prefecture alone is the address given.
        let r = read("都道府県,市区町村,番地\n,,\n東京都,,\n");
        assert_eq!(r.blank_rows, 1);
        assert_eq!(r.rows[0].cells.address.as_deref(), Some("東京都"));
    }

    #[test]
    fn reports_unknown_and_missing_optional_columns() {
        let r = read("住所,請求金額,\n港区六本木6-10-1,1200,\n");
        assert_eq!(
            r.notices,
            [
                "header: column 2 (請求金額) is not a stop field; ignored",
                "header: no external_stop_id column (伝票番号, お届け先ID, external_stop_id); each stop is named row-<line>",
                "header: no parcel_count column (個数, 口数, parcel_count); each stop counts 1 parcel",
            ]
        );
        assert_eq!(r.columns[1].field, None);
        assert_eq!(r.rows[0].cells.external_stop_id, None);
        assert_eq!(r.rows[0].cells.parcel_count, None);
    }

    #[test]
    fn a_missing_address_column_is_an_error_naming_it() {
        let e = read_csv("伝票番号,氏名,郵便番号,建物名\n1,A,1060032,ビル\n").unwrap_err();
        assert_eq!(
            e,
            BatchError::NoAddressColumn {
                found: "伝票番号, 氏名, 郵便番号, 建物名".into()
            }
        );
        assert!(
            e.to_string().starts_with("header: no address column (住所"),
            "{e}"
        );
    }

    #[test]
    fn two_columns_for_one_field_is_an_error() {
        let e = read_csv("住所,氏名,お届け先住所\nx,y,z\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "header: columns 1 (住所) and 3 (お届け先住所) both hold address; remove or rename one"
        );
    }

    #[test]
    fn empty_files_and_a_header_alone_are_errors() {
        assert_eq!(read_csv("").unwrap_err(), BatchError::Empty);
        assert_eq!(read_csv("\r\n\r\n").unwrap_err(), BatchError::Empty);
        assert_eq!(read_csv(",,\n,,\n").unwrap_err(), BatchError::Empty);
        assert_eq!(read_csv("住所,個数\r\n").unwrap_err(), BatchError::NoRows);
        assert_eq!(
            read_csv("住所,個数\n,\n,\n").unwrap_err(),
            BatchError::NoRows
        );
    }

    #[test]
    fn rows_with_too_many_or_too_few_fields_are_kept_with_an_error() {
        let r = read("住所,個数,備考\n港区1-1,1,a\n港区1-2,1,a,extra\n港区1-3\n港区1-4,1,,,\n");
        assert_eq!(r.rows.len(), 4);
        assert!(r.rows[0].errors.is_empty());
        assert_eq!(
            r.rows[1].errors[0].message,
            "row: has 4 fields, the header has 3; a comma inside a value needs \"quotes\""
        );
        assert_eq!(
            r.rows[2].errors[0].message,
            "row: has 1 fields, the header has 3"
        );
        assert_eq!(
            (&r.rows[1].errors[0].rule, &r.rows[2].errors[0].rule),
            (
                &IssueRule::TooManyFields {
                    fields: 4,
                    header: 3
                },
                &IssueRule::TooFewFields {
                    fields: 1,
                    header: 3
                }
            )
        );
        assert_eq!(r.rows[2].cells.parcel_count.as_deref(), Some(""));
        // Trailing empty cells are not extra fields.
        assert!(r.rows[3].errors.is_empty());
    }

    #[test]
    fn more_rows_than_the_limit_is_an_error() {
        let mut text = String::from("住所\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("港区六本木6-10-{i}\n"));
        }
        assert_eq!(
            read_csv(&text).unwrap_err(),
            BatchError::TooManyRows { max: MAX_ROWS }
        );
    }
}
