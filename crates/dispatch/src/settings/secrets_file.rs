//! Secrets (the DIAq API key, the RouteMate client secret) kept apart from `settings.json`, in
//! a file only the user can read (0600), written whole or not at all. This is the fallback for
//! where no OS keyring serves ([`super::secret_store`] chooses); the settings view says which
//! one holds them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Beside `settings.json` in the app's config directory.
pub const SECRETS_FILE: &str = "secrets.json";

/// The secrets file of a config directory.
pub fn path(config_dir: &Path) -> PathBuf {
    config_dir.join(SECRETS_FILE)
}

/// Every secret in the file; none when there is no file.
pub fn read(config_dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let path = path(config_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes `secrets` as the whole file: to a temporary file created 0600 in the same directory,
/// flushed, then renamed over the old one, so a crash leaves the old file or the new, and the
/// secret is never readable by others, not even for a moment.
pub fn write(config_dir: &Path, secrets: &BTreeMap<String, String>) -> Result<(), String> {
    let path = path(config_dir);
    let text = serde_json::to_string_pretty(secrets).map_err(|e| e.to_string())?;
    write_private(&path, text.as_bytes())
}

/// `bytes` as `path`, created 0600 (on Unix) and swapped in with a rename.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().ok_or("no directory")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let fail = |e: std::io::Error| format!("{}: {e}", tmp.display());
    let mut file = options.open(&tmp).map_err(fail)?;
    // A leftover temporary file from before keeps its old mode: make sure.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::secret_store::DIAQ_API_KEY;

    #[test]
    fn secrets_are_written_readable_only_by_the_user_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_empty(), "no file: no secrets");
        let mut secrets = BTreeMap::new();
        secrets.insert(DIAQ_API_KEY.to_owned(), "prod_secret".to_owned());
        write(dir.path(), &secrets).unwrap();
        assert_eq!(read(dir.path()).unwrap(), secrets);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
            // A stale temporary file left readable by others is not reused as it was.
            let tmp = path(dir.path()).with_extension("tmp");
            std::fs::write(&tmp, "old").unwrap();
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).unwrap();
            write(dir.path(), &secrets).unwrap();
            let mode = std::fs::metadata(path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        std::fs::write(path(dir.path()), "{not json").unwrap();
        let e = read(dir.path()).unwrap_err();
        assert!(e.contains(SECRETS_FILE), "{e}");
    }
}
