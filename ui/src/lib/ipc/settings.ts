// 設定's commands: the saved settings, a connection test, a save. Types are the generated ones
// (Rust is their one source).
import { call } from './call';
import type { SaveOutcome, Service, ServiceCheck, SettingIssue, SettingsForm, SettingsState } from './generated';

export type { SaveOutcome, Service, ServiceCheck, SettingIssue, SettingsForm, SettingsState };

export function settingsRead(): Promise<SettingsState> {
  return call<SettingsState>('settings_read');
}

/** A field the form cannot be tested with is a `bad_request` naming it. */
export function settingsTest(form: SettingsForm, service: Service): Promise<ServiceCheck> {
  return call<ServiceCheck>('settings_test', { form, service });
}

export function settingsSave(form: SettingsForm): Promise<SaveOutcome> {
  return call<SaveOutcome>('settings_save', { form });
}
