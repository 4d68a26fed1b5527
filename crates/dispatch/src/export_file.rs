//! Saving what the UI exports (a CSV it built) as a file: a plain name in the export
//! directory, never over an existing file. Which directory is the shell's to say (the
//! environment, the OS's download folder); the rules about the name are here.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::{CommandError, ErrorCode};

/// Environment variable naming the export directory, ahead of the OS's download folder.
pub const EXPORT_DIR_ENV: &str = "HAKOBU_EXPORT_DIR";

/// Most bytes a file name may have: the common file-system limit.
const NAME_MAX_BYTES: usize = 255;

/// Tries of ` (2)`, ` (3)` … before giving up: a folder holding that many is not normal.
const MAX_NUMBERED: u32 = 9_999;

/// A file name the UI may save under: one plain name, not a path. `bad_request` naming
/// `file_name` otherwise.
pub fn check_export_name(file_name: &str) -> Result<(), CommandError> {
    let refuse = |rule: &str| CommandError::bad_field("file_name", format!("file_name: {rule}"));
    if file_name.trim().is_empty() {
        return Err(refuse("is required"));
    }
    if file_name.contains(['/', '\\']) {
        return Err(refuse("must be a file name, without a path separator"));
    }
    if file_name.contains("..") {
        return Err(refuse("must not contain \"..\""));
    }
    if file_name.contains('\0') || file_name.chars().any(char::is_control) {
        return Err(refuse("must not contain control characters"));
    }
    if file_name.len() > NAME_MAX_BYTES {
        return Err(refuse(&format!("must be at most {NAME_MAX_BYTES} bytes")));
    }
    Ok(())
}

/// The `n`-th name tried for `file_name`: itself, then `配送一覧 (2).csv`, `配送一覧 (3).csv` …
/// (the number before the extension, as file managers do).
pub fn numbered_name(file_name: &str, n: u32) -> String {
    if n <= 1 {
        return file_name.to_owned();
    }
    match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{file_name} ({n})"),
    }
}

/// Writes `contents` (UTF-8) as `file_name` in `dir`, or as the first numbered name not
/// taken; returns the path written. Never replaces a file: each name is created only if it
/// does not exist, so two saves at once cannot take the same one.
pub fn save_export(dir: &Path, file_name: &str, contents: &str) -> Result<PathBuf, CommandError> {
    save_numbered(dir, file_name, contents, MAX_NUMBERED)
}

fn save_numbered(
    dir: &Path,
    file_name: &str,
    contents: &str,
    max_numbered: u32,
) -> Result<PathBuf, CommandError> {
    check_export_name(file_name)?;
    let io = |e: std::io::Error, what: &Path| {
        CommandError::new(
            ErrorCode::Internal,
            format!("export: cannot write {}: {e}", what.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| io(e, dir))?;
    for n in 1..=max_numbered {
        let path = dir.join(numbered_name(file_name, n));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(contents.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| io(e, &path))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(e, &path)),
        }
    }
    Err(CommandError::bad_field(
        "file_name",
        format!("file_name: {max_numbered} files named {file_name} exist already"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_taken() {
        for ok in [
            "配送一覧_2026-11-24.csv",
            "a.csv",
            "no extension",
            ".hidden.csv",
        ] {
            assert_eq!(check_export_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "  ",
            "../a.csv",
            "..",
            "a..csv",
            "dir/a.csv",
            "/etc/passwd",
            "C:\\a.csv",
            "a\nb.csv",
            "a\0.csv",
        ] {
            let e = check_export_name(bad).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (ErrorCode::BadRequest, Some("file_name")),
                "{bad:?}"
            );
            assert!(e.message.starts_with("file_name: "), "{}", e.message);
        }
        let long = "あ".repeat(86); // 258 bytes
        assert!(
            check_export_name(&long)
                .unwrap_err()
                .message
                .contains("255 bytes")
        );
    }

    #[test]
    fn numbers_go_before_the_extension() {
        assert_eq!(numbered_name("配送一覧.csv", 1), "配送一覧.csv");
        assert_eq!(numbered_name("配送一覧.csv", 2), "配送一覧 (2).csv");
        assert_eq!(numbered_name("a.tar.gz", 3), "a.tar (3).gz");
        assert_eq!(numbered_name("README", 2), "README (2)");
        assert_eq!(numbered_name(".csv", 2), ".csv (2)");
    }

    #[test]
    fn a_save_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("exports");
        let first = save_export(&out, "一覧.csv", "id,名前\n1,吉沢\n").unwrap();
        assert_eq!(first, out.join("一覧.csv"));
        let second = save_export(&out, "一覧.csv", "2\n").unwrap();
        let third = save_export(&out, "一覧.csv", "3\n").unwrap();
        assert_eq!(second, out.join("一覧 (2).csv"));
        assert_eq!(third, out.join("一覧 (3).csv"));
        assert_eq!(
            std::fs::read_to_string(&first).unwrap(),
            "id,名前\n1,吉沢\n"
        );
        assert_eq!(std::fs::read_to_string(&third).unwrap(), "3\n");
        let e = save_export(&out, "../escape.csv", "x").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("file_name"));
        assert!(!dir.path().join("escape.csv").exists());
        // Every name taken: refused, nothing replaced.
        let e = save_numbered(&out, "一覧.csv", "4\n", 3).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("file_name"));
        assert!(
            e.message.contains("3 files named 一覧.csv"),
            "{}",
            e.message
        );
        assert_eq!(std::fs::read_to_string(&third).unwrap(), "3\n");
        // A directory that cannot be made (a file is in the way) is an error, not a panic.
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        assert_eq!(
            save_export(&blocked.join("sub"), "a.csv", "x")
                .unwrap_err()
                .code,
            ErrorCode::Internal
        );
    }
}
