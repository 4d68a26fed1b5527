// 設定's commands: the saved settings, a connection test, a save. Types are the generated ones
// (Rust is their one source).
import { call } from './call';
import type {
  CheckFailure,
  KeyringFailure,
  SaveOutcome,
  Service,
  ServiceCheck,
  SettingIssue,
  SettingRule,
  SettingsForm,
  SettingsState,
  TestOutcome,
  WiringPart,
} from './generated';

export type {
  CheckFailure,
  KeyringFailure,
  SaveOutcome,
  Service,
  ServiceCheck,
  SettingIssue,
  SettingRule,
  SettingsForm,
  SettingsState,
  TestOutcome,
  WiringPart,
};

export function settingsRead(): Promise<SettingsState> {
  return call<SettingsState>('settings_read');
}

/** Tested, or refused at the fields the form cannot be tested with (each with its rule). */
export function settingsTest(form: SettingsForm, service: Service): Promise<TestOutcome> {
  return call<TestOutcome>('settings_test', { form, service });
}

export function settingsSave(form: SettingsForm): Promise<SaveOutcome> {
  return call<SaveOutcome>('settings_save', { form });
}
