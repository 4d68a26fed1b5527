//! 設定's commands: read the saved settings, test a service, save. Thin: the rules and the
//! files are `hakobu_dispatch::settings`'s, the switch is `hakobu_dispatch::wiring`'s. A save
//! takes effect at once: the running app switches to it, and keeps its previous configuration
//! when the new one does not start.

use hakobu_dispatch::settings::{self, SaveOutcome, Service, TestOutcome};
use hakobu_dispatch::settings::{SettingsForm, SettingsState};
use hakobu_dispatch::{CommandError, ErrorCode};
use tauri::{AppHandle, Manager, State};

use crate::backend::Backend;

type Reply<T> = Result<T, CommandError>;

fn config_dir(app: &AppHandle) -> Reply<std::path::PathBuf> {
    app.path()
        .app_config_dir()
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("no config directory: {e}")))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn internal(message: String) -> CommandError {
    CommandError::new(ErrorCode::Internal, message)
}

#[tauri::command]
pub async fn settings_read(app: AppHandle) -> Reply<SettingsState> {
    let dir = config_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || settings::read(&dir, env))
        .await
        .map_err(|e| internal(e.to_string()))?
        .map_err(internal)
}

/// Tested, or refused at the fields the form cannot be tested with (each with its rule, for
/// the view to word).
#[tauri::command]
pub async fn settings_test(
    app: AppHandle,
    form: SettingsForm,
    service: Service,
) -> Reply<TestOutcome> {
    let dir = config_dir(&app)?;
    Ok(match settings::test(&dir, &form, service).await {
        Ok(check) => TestOutcome::Tested { check },
        Err(issues) => TestOutcome::Refused { issues },
    })
}

#[tauri::command]
pub async fn settings_save(
    app: AppHandle,
    backend: State<'_, Backend>,
    form: SettingsForm,
) -> Reply<SaveOutcome> {
    let dir = config_dir(&app)?;
    let outcome = settings::save(&dir, &form, env).await.map_err(internal)?;
    let SaveOutcome::Saved { state } = outcome else {
        return Ok(outcome);
    };
    Ok(match backend.apply_saved(&app).await {
        Ok(_) => SaveOutcome::Saved { state },
        Err(error) => SaveOutcome::SavedNotConnected {
            state,
            part: error.part,
            reason: error.to_string(),
        },
    })
}
