import { describe, expect, it } from 'vitest';
import type { CheckFailure, KeyringFailure, SettingIssue, SettingRule, WiringPart } from '$lib/ipc/generated';
import { checkText, failureText, issueText, keyringText, partText, ruleText } from './settingText';

const LANGS = ['ja', 'en'] as const;

/** One of each failure kind the backend sends (CheckFailure). */
const FAILURES: CheckFailure[] = [
  { kind: 'malformed_url' },
  { kind: 'unknown_host', host: 'api.exmaple.com' },
  { kind: 'refused', host: '127.0.0.1', port: 9 },
  { kind: 'unreachable', host: '10.0.0.9' },
  { kind: 'timeout', seconds: 10 },
  { kind: 'no_answer' },
  { kind: 'key_refused' },
  { kind: 'not_found' },
  { kind: 'redirected' },
  { kind: 'status', status: 503 },
  { kind: 'unexpected_answer' },
  { kind: 'outside_map' },
];

/** One of each rule (SettingRule), with the field it is sent for. */
const RULES: [string, SettingRule][] = [
  ['diaq_url', { rule: 'not_a_url' }],
  ['diaq_url', { rule: 'scheme', scheme: 'ftp' }],
  ['diaq_url', { rule: 'plain_http', host: 'api.dia-9.com' }],
  ['osrm_url', { rule: 'not_http_url' }],
  ['diaq_api_key', { rule: 'required_with', with: ['diaq_url'] }],
  ['diaq_url', { rule: 'required_with', with: ['diaq_api_key'] }],
  ['routemate_url', { rule: 'required_with', with: ['routemate_client_id', 'routemate_client_secret'] }],
  ['demo_speed', { rule: 'out_of_range', min: 0, max: 1000 }],
  ['osrm_url', { rule: 'nothing_to_test' }],
  ['diaq_url', { rule: 'sandbox_needs_no_test' }],
  ['diaq_url', { rule: 'check_failed', failure: { kind: 'timeout', seconds: 10 } }],
  ['settings', { rule: 'unreadable' }],
];

const KEYRING: KeyringFailure[] = [
  { kind: 'unavailable' },
  { kind: 'locked' },
  { kind: 'failed' },
  { kind: 'no_answer', seconds: 5 },
  { kind: 'unfaithful' },
  { kind: 'not_asked' },
];

const PARTS: WiringPart[] = ['settings', 'cache', 'osrm', 'diaq', 'embedded_sandbox'];

describe('設定 wording', () => {
  it('words every failure kind in both languages, with its parameters and no placeholder left', () => {
    for (const lang of LANGS) {
      for (const failure of FAILURES) {
        const text = failureText(failure, lang);
        expect(text, `${lang} ${failure.kind}`).toBeTruthy();
        expect(text, `${lang} ${failure.kind}`).not.toMatch(/[{}]/);
      }
    }
    expect(failureText({ kind: 'refused', host: '127.0.0.1', port: 9 }, 'ja')).toBe(
      '127.0.0.1:9 に接続を拒否されました。サービスが動いているか、ポートを確かめてください',
    );
    expect(failureText({ kind: 'refused', host: '127.0.0.1', port: 9 }, 'en')).toBe(
      '127.0.0.1:9 refused the connection: is the service running on that port?',
    );
    expect(failureText({ kind: 'unknown_host', host: 'api.exmaple.com' }, 'ja')).toBe(
      '「api.exmaple.com」というホストが見つかりません。綴りを確かめてください',
    );
    expect(failureText({ kind: 'timeout', seconds: 10 }, 'ja')).toBe('10 秒待っても応答がありません');
    expect(failureText({ kind: 'timeout', seconds: 10 }, 'en')).toBe('No answer within 10 s');
    expect(failureText({ kind: 'status', status: 503 }, 'ja')).toContain('HTTP 503');
    expect(failureText({ kind: 'key_refused' }, 'ja')).toBe('このキーは受け付けられませんでした。キーを確かめてください');
  });

  it('words every rule in both languages, with its parameters', () => {
    for (const lang of LANGS) {
      for (const [field, rule] of RULES) {
        const text = ruleText(rule, field, lang);
        expect(text, `${lang} ${rule.rule}`).toBeTruthy();
        expect(text, `${lang} ${rule.rule}`).not.toMatch(/[{}]/);
      }
    }
    const ja = (field: string, rule: SettingRule) => ruleText(rule, field, 'ja');
    const en = (field: string, rule: SettingRule) => ruleText(rule, field, 'en');
    expect(ja('diaq_url', { rule: 'not_a_url' })).toBe('https:// で始まる URL を入力してください（例: https://api.example.com）');
    expect(ja('diaq_url', { rule: 'scheme', scheme: 'ftp' })).toBe('ftp:// ではなく https:// で始まる URL にしてください');
    expect(ja('diaq_url', { rule: 'plain_http', host: 'api.dia-9.com' })).toContain('api.dia-9.com には https:// が必要です');
    expect(en('diaq_url', { rule: 'plain_http', host: 'api.dia-9.com' })).toBe(
      'Must start with https:// for api.dia-9.com (plain http:// only for this computer: localhost, 127.0.0.1, ::1)',
    );
    expect(ja('diaq_api_key', { rule: 'required_with', with: ['diaq_url'] })).toBe('「DIAq の URL」を入れるときは必須です');
    expect(ja('diaq_url', { rule: 'required_with', with: ['diaq_api_key'] })).toBe(
      '「API キー」を入れるときは必須です（どちらも空欄なら内蔵サンドボックスを使います）',
    );
    expect(ja('routemate_url', { rule: 'required_with', with: ['routemate_client_id', 'routemate_client_secret'] })).toBe(
      '「クライアント ID」または「クライアントシークレット」を入れるときは必須です',
    );
    expect(en('routemate_url', { rule: 'required_with', with: ['routemate_client_id', 'routemate_client_secret'] })).toBe(
      'Required with a client ID or a client secret',
    );
    expect(ja('demo_speed', { rule: 'out_of_range', min: 0, max: 1000 })).toBe('0 から 1000 までの数を入力してください');
    expect(en('demo_speed', { rule: 'out_of_range', min: 0, max: 1000 })).toBe('Enter a number from 0 to 1000');
    // A failed test during a save is worded as the test's failure.
    expect(ja('diaq_url', { rule: 'check_failed', failure: { kind: 'timeout', seconds: 10 } })).toBe(
      '10 秒待っても応答がありません',
    );
  });

  it('falls back to the words as sent for a rule, failure, cause or part it does not know', () => {
    const issue = { field: 'diaq_url', rule: 'from_a_newer_build', message: 'must be newer' } as unknown as SettingIssue;
    expect(issueText(issue, 'ja')).toBe('must be newer');
    expect(issueText({ field: 'osrm_url', rule: 'other', message: 'OSRM says no' }, 'ja')).toBe('OSRM says no');
    const unknownFailure = { kind: 'cosmic_rays' } as unknown as CheckFailure;
    expect(issueText({ field: 'diaq_url', rule: 'check_failed', failure: unknownFailure, message: 'bit flip' }, 'en')).toBe(
      'bit flip',
    );
    const check = {
      reachable: false,
      key_accepted: null,
      latency_ms: null,
      field: 'diaq_url',
      failure: unknownFailure,
      message: 'could not reach the API: error sending request',
    };
    expect(checkText(check, 'ja')).toBe('could not reach the API: error sending request');
    expect(checkText({ ...check, failure: null }, 'ja')).toBe('could not reach the API: error sending request');
    expect(checkText({ ...check, failure: { kind: 'refused', host: 'h', port: 1 } }, 'ja')).toContain('h:1 に接続を拒否されました');
    expect(keyringText({ kind: 'new_kind' } as unknown as KeyringFailure, 'the OS keyring: ???', 'ja')).toBe(
      'the OS keyring: ???',
    );
    expect(keyringText(undefined, 'the OS keyring: old build', 'ja')).toBe('the OS keyring: old build');
    expect(partText('new_part' as unknown as WiringPart, 'the thing: broke', 'ja')).toBe('the thing: broke');
  });

  it('says why no keyring is used and which part of a switch failed, in both languages', () => {
    for (const lang of LANGS) {
      for (const why of KEYRING) {
        const text = keyringText(why, 'the OS keyring: x', lang);
        expect(text, `${lang} ${why.kind}`).not.toBe('the OS keyring: x');
        expect(text).not.toMatch(/[{}]/);
      }
      for (const part of PARTS) expect(partText(part, 'x: y', lang), `${lang} ${part}`).not.toBe('x: y');
    }
    expect(keyringText({ kind: 'unavailable' }, 'the OS keyring: Platform secure storage failure', 'ja')).toBe(
      'OS のキーリング（Secret Service）が応答しません',
    );
    expect(keyringText({ kind: 'no_answer', seconds: 5 }, '', 'en')).toBe('the keyring did not answer within 5 s');
    expect(partText('embedded_sandbox', '', 'ja')).toBe('内蔵サンドボックスを起動できません');
    expect(partText('embedded_sandbox', '', 'en')).toBe('the embedded sandbox did not start');
  });
});
