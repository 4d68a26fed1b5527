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
      why: { kind: 'unavailable' },
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
    // Why, in the window's language; the keyring's own words in the tooltip.
    expect(file.textContent).toContain('キーリングが使えない理由: OS のキーリング（Secret Service）が応答しません');
    expect(file.textContent).not.toContain('no session bus');
    expect(screen.getByTestId('settings-secrets-why').title).toBe('the OS keyring: no session bus');
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
    test_.mockResolvedValueOnce({
      outcome: 'tested',
      check: { reachable: true, key_accepted: true, latency_ms: 42, field: null, failure: null, message: null },
    });
    test_.mockResolvedValueOnce({
      outcome: 'tested',
      check: {
        reachable: true,
        key_accepted: false,
        latency_ms: 40,
        field: 'diaq_api_key',
        failure: { kind: 'key_refused' },
        message: 'unauthorized: check the API key',
      },
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

  it('says an unreachable host and a refused test at their fields in the window language, the English in the tooltip', async () => {
    read.mockResolvedValue(state());
    test_.mockResolvedValueOnce({
      outcome: 'tested',
      check: {
        reachable: false,
        key_accepted: null,
        latency_ms: null,
        field: 'diaq_url',
        failure: { kind: 'refused', host: '127.0.0.1', port: 9 },
        message: 'could not reach the API: error sending request',
      },
    });
    test_.mockResolvedValueOnce({
      outcome: 'refused',
      issues: [
        {
          field: 'diaq_url',
          rule: 'not_a_url',
          message: 'must start with https:// (a URL like https://api.example.com)',
        },
      ],
    });
    render(SettingsPage, { params: {} });
    await screen.findByTestId('settings-diaq_url');
    await fireEvent.click(screen.getByTestId('settings-test-diaq'));
    const down = await screen.findByTestId('settings-issue-diaq_url');
    expect(down.textContent).toBe('127.0.0.1:9 に接続を拒否されました。サービスが動いているか、ポートを確かめてください');
    expect(down.title).toBe('could not reach the API: error sending request');
    expect(screen.getByTestId('settings-check-diaq').textContent).toContain('接続できません');
    await fireEvent.click(screen.getByTestId('settings-test-diaq'));
    await waitFor(() =>
      expect(screen.getByTestId('settings-issue-diaq_url').textContent).toBe(
        'https:// で始まる URL を入力してください（例: https://api.example.com）',
      ),
    );
    // The language switch rewords what is already shown.
    setLang('en');
    await waitFor(() =>
      expect(screen.getByTestId('settings-issue-diaq_url').textContent).toBe(
        'Enter a URL starting with https:// (like https://api.example.com)',
      ),
    );
  });

  it('a refused save names its fields; a save says the app is connected with it', async () => {
    read.mockResolvedValue(state());
    save.mockResolvedValueOnce({
      outcome: 'refused',
      issues: [
        {
          field: 'diaq_url',
          rule: 'plain_http',
          host: 'x',
          message: 'must start with https:// for x (plain http:// only for this computer: localhost, 127.0.0.1, ::1)',
        },
        { field: 'demo_speed', rule: 'out_of_range', min: 0, max: 1000, message: 'must be a number from 0 to 1000' },
      ],
      checks: {},
    });
    save.mockResolvedValueOnce({ outcome: 'saved', state: state() });
    render(SettingsPage, { params: {} });
    const url = await screen.findByTestId('settings-diaq_url');
    await fireEvent.input(url, { target: { value: 'http://x' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-issue-diaq_url')).textContent).toBe(
      'x には https:// が必要です（http:// はこのコンピューター（localhost・127.0.0.1・::1）だけ）',
    );
    expect(screen.getByTestId('settings-issue-demo_speed').textContent).toBe('0 から 1000 までの数を入力してください');
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
      part: 'embedded_sandbox',
      reason: 'the embedded sandbox: /data/sandbox/diaq.db: unable to open',
    });
    render(SettingsPage, { params: {} });
    await screen.findByTestId('settings-diaq_url');
    await fireEvent.click(screen.getByTestId('settings-save'));
    const said = (await screen.findByTestId('settings-not-connected')).textContent ?? '';
    expect(said).toContain('保存しましたが');
    expect(said).toContain('（内蔵サンドボックスを起動できません）');
    expect(said).not.toContain('the embedded sandbox');
    expect(screen.getByTestId('settings-not-connected').title).toBe(
      'the embedded sandbox: /data/sandbox/diaq.db: unable to open',
    );
    expect(said).toContain('以前の設定のまま');
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });
});
