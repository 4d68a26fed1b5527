//! Bytes of an imported file → text. Japanese spreadsheets write CSV in one of three ways:
//! UTF-8 (often with a BOM: Excel's 「CSV UTF-8」), Shift_JIS (Excel's plain 「CSV」 in a Japanese
//! Windows, really Windows-31J/CP932), or UTF-16 with a BOM (「Unicode テキスト」, tab-separated).
//! The BOM decides when there is one; otherwise strict UTF-8, then strict Shift_JIS. Nothing is
//! replaced: a byte that fits neither is an error naming its line, since a guessed character in
//! an address sends a driver to the wrong place.

use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};
use serde::Serialize;
use ts_rs::TS;

use crate::batch::import::BatchError;

/// The encoding a file was read in, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub enum TextEncoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "UTF-8 (BOM)")]
    Utf8Bom,
    /// encoding_rs's Shift_JIS is the WHATWG one: Windows-31J, with the NEC and IBM extensions
    /// (①, ㈱, 髙) that Excel writes.
    #[serde(rename = "Shift_JIS")]
    ShiftJis,
    #[serde(rename = "UTF-16LE")]
    Utf16Le,
    #[serde(rename = "UTF-16BE")]
    Utf16Be,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// An .xlsx is a ZIP archive; an .xls a Compound File. Both are common mistakes for a CSV.
const XLSX_MAGIC: &[u8] = b"PK\x03\x04";
const XLS_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0";

/// 1-based line of byte `at`: the file's line numbers are the same in every encoding read here
/// except UTF-16, whose errors are counted on the decoded units instead.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Where the first byte sequence `encoding` cannot decode starts, if any.
fn first_malformed(encoding: &'static Encoding, bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut read_total = 0;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return None,
            DecoderResult::OutputFull => out.reserve(bytes.len()),
            DecoderResult::Malformed(bad, unread) => {
                return Some(read_total.saturating_sub(usize::from(bad) + usize::from(unread)));
            }
        }
    }
}

fn utf16(
    bytes: &[u8],
    encoding: &'static Encoding,
    name: TextEncoding,
) -> Result<Decoded, BatchError> {
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Decoded {
            text: text.into_owned(),
            encoding: name,
        }),
        None => {
            let at = first_malformed(encoding, bytes).unwrap_or(0);
            let text_before = encoding
                .decode_without_bom_handling(&bytes[..at - at % 2])
                .0;
            Err(BatchError::Encoding {
                line: text_before.matches('\n').count() + 1,
                encoding: "UTF-16",
            })
        }
    }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, BatchError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BatchError::Empty);
    }
    if bytes.starts_with(XLSX_MAGIC) || bytes.starts_with(XLS_MAGIC) {
        return Err(BatchError::Spreadsheet);
    }
    if let Some(body) = bytes.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(Decoded {
                text: text.to_owned(),
                encoding: TextEncoding::Utf8Bom,
            }),
            Err(e) => Err(BatchError::Encoding {
                line: line_of(body, e.valid_up_to()),
                encoding: "UTF-8",
            }),
        };
    }
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(body, UTF_16LE, TextEncoding::Utf16Le);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(body, UTF_16BE, TextEncoding::Utf16Be);
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => {
            return Ok(Decoded {
                text: text.to_owned(),
                encoding: TextEncoding::Utf8,
            });
        }
        Err(e) => e,
    };
    // Japanese text valid as UTF-8 up to the broken byte is UTF-8 with a damaged byte, not
    // Shift_JIS: Shift_JIS kanji start with bytes UTF-8 never starts a character with, so a
    // Shift_JIS file fails UTF-8 at its first Japanese character.
    let prefix = &bytes[..utf8_error.valid_up_to()];
    if !prefix.is_ascii() {
        return Err(BatchError::Encoding {
            line: line_of(bytes, utf8_error.valid_up_to()),
            encoding: "UTF-8",
        });
    }
    match SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Decoded {
            text: text.into_owned(),
            encoding: TextEncoding::ShiftJis,
        }),
        None => Err(BatchError::Encoding {
            line: line_of(bytes, first_malformed(SHIFT_JIS, bytes).unwrap_or(0)),
            encoding: "UTF-8 or Shift_JIS",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sjis(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
        assert!(!unmappable, "{text} has no Shift_JIS form");
        bytes.into_owned()
    }

    #[test]
    fn reads_utf8_with_and_without_a_bom() {
        let text = "住所\n東京都港区六本木6-10-1\n";
        let plain = decode(text.as_bytes()).unwrap();
        assert_eq!(
            (plain.text.as_str(), plain.encoding),
            (text, TextEncoding::Utf8)
        );
        let with_bom = decode(&[UTF8_BOM, text.as_bytes()].concat()).unwrap();
        assert_eq!(
            (with_bom.text.as_str(), with_bom.encoding),
            (text, TextEncoding::Utf8Bom)
        );
    }

    #[test]
    fn reads_shift_jis_with_windows_31j_characters() {
        // ㈱ and ① exist only in the Windows-31J extensions; 髙 in the IBM ones.
        let text = "氏名,住所\r\n㈱髙橋商店①,東京都千代田区丸の内1-9-1\r\n";
        let decoded = decode(&sjis(text)).unwrap();
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.encoding, TextEncoding::ShiftJis);
    }

    #[test]
    fn reads_utf16_with_a_bom() {
        let text = "住所\t個数\n港区六本木6-10-1\t2\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap().text, text);
        assert_eq!(decode(&le).unwrap().encoding, TextEncoding::Utf16Le);
        assert_eq!(decode(&be).unwrap().encoding, TextEncoding::Utf16Be);
        // A lone low surrogate on line 2.
        let mut broken = le.clone();
        broken.extend_from_slice(&[0x00, 0xDC]);
        broken.extend(("\n").encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            decode(&broken).unwrap_err().to_string(),
            "file: line 3 is not valid UTF-16; save the file again as UTF-8 or Shift_JIS"
        );
    }

    #[test]
    fn names_the_line_of_a_byte_neither_encoding_reads() {
        // 0xFF is never part of Shift_JIS; 0xA0 neither.
        let mut bytes = sjis("住所\n東京都港区\n");
        bytes.extend_from_slice(b"\xFF\xA0\n");
        assert_eq!(
            decode(&bytes).unwrap_err(),
            BatchError::Encoding {
                line: 3,
                encoding: "UTF-8 or Shift_JIS"
            }
        );
        assert_eq!(
            decode(&bytes).unwrap_err().to_string(),
            "file: line 3 is not valid UTF-8 or Shift_JIS; save the file again as UTF-8 or Shift_JIS"
        );
    }

    #[test]
    fn utf8_with_one_damaged_byte_is_not_read_as_shift_jis() {
        let mut bytes = "住所\n東京都港区\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"\x93\x8C\n");
        assert_eq!(
            decode(&bytes).unwrap_err(),
            BatchError::Encoding {
                line: 3,
                encoding: "UTF-8"
            }
        );
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend_from_slice(b"a\nb\n\xC3(\n");
        assert_eq!(
            decode(&with_bom).unwrap_err(),
            BatchError::Encoding {
                line: 3,
                encoding: "UTF-8"
            }
        );
    }

    #[test]
    fn refuses_empty_files_and_excel_workbooks() {
        assert_eq!(decode(b"").unwrap_err(), BatchError::Empty);
        assert_eq!(decode(b" \r\n\n").unwrap_err(), BatchError::Empty);
        assert_eq!(
            decode(b"PK\x03\x04rest of a zip").unwrap_err(),
            BatchError::Spreadsheet
        );
        assert_eq!(
            decode(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap_err(),
            BatchError::Spreadsheet
        );
    }
}
