#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cache file: {0}")]
    Io(String),
    #[error("cache schema is version {found}, newer than this app knows ({known}); update Hakobu")]
    NewerSchema { found: usize, known: usize },
}
