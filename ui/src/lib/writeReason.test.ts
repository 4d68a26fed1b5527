import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '$i18n/index.svelte';
import { writeReason } from '$lib/writeReason';
import { PHONE_PATTERN } from '$lib/fieldError';
import { COMMAND_ERROR_CODES } from '$lib/ipc';

afterEach(() => setLang('ja'));

describe("why a write waits or was refused", () => {
  it("reads a DIAq 400 with the forms' parser, in either language", () => {
    const row = { last_error: `store_phone: must match ${PHONE_PATTERN}`, last_error_code: 'bad_request' as const };
    setLang('ja');
    expect(writeReason(row.last_error, row.last_error_code)).toBe('API が store_phone を受け付けませんでした：「03-1234-5678」または「0312345678」の形式で入力してください');
    setLang('en');
    expect(writeReason(row.last_error, row.last_error_code)).toBe('The API did not accept store_phone: Use the form 03-1234-5678 or 0312345678');
  });

  it('words every code, and a 400 it cannot read by its code', () => {
    setLang('en');
    expect(writeReason('bad body', 'bad_request')).toBe('The API did not accept the change');
    expect(writeReason('', 'transport')).toBeNull();
    for (const code of COMMAND_ERROR_CODES) {
      const text = writeReason('x', code);
      expect(text, code).not.toMatch(/^outbox\./);
      expect(text, code).not.toBe('x');
    }
    setLang('ja');
    expect(writeReason('error sending request', 'transport')).toBe('API に接続できません。接続が戻ると送信します');
  });

  it('shows the words as sent for a row kept before codes were', () => {
    expect(writeReason('HTTP 500: boom', null)).toBe('HTTP 500: boom');
    expect(writeReason(null, null)).toBeNull();
  });
});
