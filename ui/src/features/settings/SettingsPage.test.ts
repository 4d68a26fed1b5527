import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

vi.mock('$lib/ipc/settings', () => ({ settingsRead: vi.fn(), settingsTest: vi.fn(), settingsSave: vi.fn() }));

import { settingsRead, settingsSave, settingsTest, type SettingsState } from '$lib/ipc/settings';
import { setLang } from '$i18n/index.svelte';
import SettingsPage from './SettingsPage.svelte';

const read = vi.mocked(settingsRead);
const test_ = vi.mocked(settingsTest);
const save = vi.mocked(settingsSave);

function state(from_env: Record<string, string> = {}): SettingsState {
  return {
    form: {
      diaq_url: 'https://api.dia-9.com',
      diaq_api_key: null,
      routemate_url: '',
      routemate_client_id: '',
      routemate_client_secret: null,
      osrm_url: '',
      demo_speed: 10,
    },
    diaq_api_key_saved: true,
    routemate_client_secret_saved: false,
    from_env,
    secrets: {
      kind: 'file',
      path: '/home/u/.config/hakobu/secrets.json',
      reason: 'the OS keyring: no session bus',
    },
  };
}

describe('SettingsPage', () => {
  beforeEach(() => {
    setLang('ja');
    read.mockReset();
    test_.mockReset();
    save.mockReset();
  });

  it('shows the saved settings, a saved key only as saved, and which fields the environment overrides', async () => {
    read.mockResolvedValue(state({ osrm_url: 'HAKOBU_OSRM_URL' }));
    render(SettingsPage, { params: {} });
    const url = (await screen.findByTestId('settings-diaq_url')) as HTMLInputElement;
    await waitFor(() => expect(url.value).toBe('https://api.dia-9.com'));
    const key = screen.getByTestId('settings-diaq_api_key') as HTMLInputElement;
    expect(key.value).toBe('');
    expect(key.placeholder).toContain('保存済み');
    expect(screen.getByTestId('settings-env-osrm_url').textContent).toContain('HAKOBU_OSRM_URL');
    expect((screen.getByTestId('settings-osrm_url') as HTMLInputElement).disabled).toBe(true);
  });

  it('says where the secrets are: the OS keyring, or the 0600 file and why no keyring', async () => {
    read.mockResolvedValue(state());
    const { unmount } = render(SettingsPage, { params: {} });
    const file = await screen.findByTestId('settings-secrets');
    expect(file.textContent).toContain('0600');
    expect(file.textContent).toContain('/home/u/.config/hakobu/secrets.json');
    expect(file.textContent).toContain('the OS keyring: no session bus');
    unmount();
    read.mockResolvedValue({ ...state(), secrets: { kind: 'keyring', service: 'hakobu' } });
    render(SettingsPage, { params: {} });
    const keyring = await screen.findByTestId('settings-secrets');
    expect(keyring.textContent).toContain('OS のキーリング');
    expect(keyring.textContent).toContain('hakobu');
    expect(keyring.textContent).not.toContain('0600');
  });

  it('says a test result, and a refused key at its field', async () => {
    read.mockResolvedValue(state());
    test_.mockResolvedValueOnce({ reachable: true, key_accepted: true, latency_ms: 42, field: null, message: null });
    test_.mockResolvedValueOnce({
      reachable: true,
      key_accepted: false,
      latency_ms: 40,
      field: 'diaq_api_key',
      message: 'unauthorized: check the API key',
    });
    render(SettingsPage, { params: {} });
    await screen.findByTestId('settings-diaq_url');
    await fireEvent.click(screen.getByTestId('settings-test-diaq'));
    const check = await screen.findByTestId('settings-check-diaq');
    expect(check.textContent).toContain('接続できました');
    expect(check.textContent).toContain('キーは有効です');
    expect(check.textContent).toContain('42 ms');
    await fireEvent.click(screen.getByTestId('settings-test-diaq'));
    await waitFor(() => expect(screen.getByTestId('settings-check-diaq').textContent).toContain('キーが拒否されました'));
    expect(screen.getByTestId('settings-issue-diaq_api_key').textContent).toBe(
      'このキーは受け付けられませんでした。キーを確かめてください',
    );
    // An empty key box is sent as "keep the saved one".
    expect(test_.mock.calls[0]![0].diaq_api_key).toBeNull();
  });

  it('a refused save names its fields; a save says the app is connected with it', async () => {
    read.mockResolvedValue(state());
    save.mockResolvedValueOnce({
      outcome: 'refused',
      issues: [{ field: 'diaq_url', rule: 'must start with https:// for x' }],
      checks: {},
    });
    save.mockResolvedValueOnce({ outcome: 'saved', state: state() });
    render(SettingsPage, { params: {} });
    const url = await screen.findByTestId('settings-diaq_url');
    await fireEvent.input(url, { target: { value: 'http://x' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-issue-diaq_url')).textContent).toContain('https://');
    expect(screen.getByTestId('settings-refused')).toBeTruthy();
    expect(save.mock.calls[0]![0].diaq_url).toBe('http://x');
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-saved')).textContent).toBe('保存して接続しました');
    expect(screen.queryByTestId('settings-issue-diaq_url')).toBeNull();
  });

  it('a save the app could not switch to says so, with the reason, and that the old one runs on', async () => {
    read.mockResolvedValue(state());
    save.mockResolvedValueOnce({
      outcome: 'saved_not_connected',
      state: state(),
      reason: 'the embedded sandbox: /data/sandbox/diaq.db: unable to open',
    });
    render(SettingsPage, { params: {} });
    await screen.findByTestId('settings-diaq_url');
    await fireEvent.click(screen.getByTestId('settings-save'));
    const said = (await screen.findByTestId('settings-not-connected')).textContent ?? '';
    expect(said).toContain('保存しましたが');
    expect(said).toContain('the embedded sandbox: /data/sandbox/diaq.db: unable to open');
    expect(said).toContain('以前の設定のまま');
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });
});
