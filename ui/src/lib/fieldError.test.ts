import { describe, expect, it } from 'vitest';
import { translate, type MessageKey, type Params } from '$i18n/index.svelte';
import {
  charLength,
  describeFieldRule,
  parseFieldError,
  PHONE_PATTERN,
  ZIPCODE_PATTERN,
  type FieldRule,
} from '$lib/fieldError';

const ja = (key: MessageKey, params?: Params) => translate('ja', key, params);
const en = (key: MessageKey, params?: Params) => translate('en', key, params);

function rule(message: string): FieldRule {
  const parsed = parseFieldError(message);
  if (!parsed) throw new Error(`not parsed: ${message}`);
  return parsed.rule;
}

describe('parseFieldError', () => {
  it('reads every rule the API prints (crates/diaq/src/validation.rs)', () => {
    expect(parseFieldError('store_name: is required')).toEqual({
      field: 'store_name',
      rule: { kind: 'required' },
      ruleText: 'is required',
    });
    expect(parseFieldError('store_phone: must be at most 13 characters')).toEqual({
      field: 'store_phone',
      rule: { kind: 'tooLong', max: 13 },
      ruleText: 'must be at most 13 characters',
    });
    expect(rule('store_type: must be one of standalone_store, in_mall_store, consolidation_store')).toEqual({
      kind: 'oneOf',
      allowed: ['standalone_store', 'in_mall_store', 'consolidation_store'],
    });
    expect(rule('id_alias: must be a string')).toEqual({ kind: 'type', expected: 'string' });
    expect(rule('body: must be a JSON object')).toEqual({ kind: 'type', expected: 'JSON object' });
    expect(rule('delivery_proof: must be "signature"')).toEqual({ kind: 'fixed', value: 'signature' });
  });

  it('recognises the zipcode and phone patterns, with or without the slashes', () => {
    const zip = parseFieldError(`store_address_zipcode: must match ${ZIPCODE_PATTERN}`);
    expect(zip).toEqual({
      field: 'store_address_zipcode',
      rule: { kind: 'pattern', pattern: String.raw`/\A\d{3}[-]\d{4}\z/`, format: 'zipcode' },
      ruleText: String.raw`must match /\A\d{3}[-]\d{4}\z/`,
    });
    expect(rule(String.raw`store_address_zipcode: must match \A\d{3}[-]\d{4}\z`)).toMatchObject({
      format: 'zipcode',
    });
    expect(rule(`store_phone: must match ${PHONE_PATTERN}`)).toEqual({
      kind: 'pattern',
      pattern: String.raw`/(\A0\d{1,3}-\d{2,4}-\d{3,4}\Z)|(\A0\d{9,10}\Z)/`,
      format: 'phone',
    });
    expect(rule('opening_time: must match /\\A\\d\\d:\\d\\d\\z/')).toMatchObject({ kind: 'pattern', format: null });
  });

  it('returns null for any other shape', () => {
    expect(parseFieldError('')).toBeNull();
    expect(parseFieldError('connection refused')).toBeNull();
    expect(parseFieldError('id: store not found')).toBeNull(); // a field, but no known rule
    expect(parseFieldError('時間枠の違反: x')).toBeNull(); // not a field name
    expect(parseFieldError(': is required')).toBeNull();
    expect(parseFieldError('store_name: is required now')).toBeNull();
  });
});

describe('describeFieldRule', () => {
  it('says each rule in Japanese', () => {
    expect(describeFieldRule({ kind: 'required' }, ja)).toBe('必須項目です');
    expect(describeFieldRule({ kind: 'tooLong', max: 100 }, ja, 101)).toBe(
      '100文字以内で入力してください（現在 101 文字）',
    );
    expect(describeFieldRule({ kind: 'tooLong', max: 100 }, ja)).toBe('100文字以内で入力してください');
    expect(describeFieldRule(rule(`store_address_zipcode: must match ${ZIPCODE_PATTERN}`), ja)).toBe(
      '「123-4567」の形式（半角数字とハイフン）で入力してください',
    );
    expect(describeFieldRule(rule(`store_phone: must match ${PHONE_PATTERN}`), ja)).toBe(
      '「03-1234-5678」または「0312345678」の形式で入力してください',
    );
    expect(describeFieldRule({ kind: 'pattern', pattern: '/x/', format: null }, ja)).toBe('入力の形式が正しくありません');
    expect(describeFieldRule({ kind: 'oneOf', allowed: ['a', 'b', 'c'] }, ja)).toBe(
      '次のいずれかを指定してください: a、b、c',
    );
    expect(describeFieldRule({ kind: 'type', expected: 'string' }, ja)).toBe('値の種類が正しくありません');
    expect(describeFieldRule({ kind: 'fixed', value: 'signature' }, ja)).toBe('「signature」のみ指定できます');
  });

  it('says each rule in English', () => {
    expect(describeFieldRule({ kind: 'required' }, en)).toBe('Required');
    expect(describeFieldRule({ kind: 'tooLong', max: 13 }, en, 14)).toBe('Use at most 13 characters (now 14)');
    expect(describeFieldRule(rule(`store_address_zipcode: must match ${ZIPCODE_PATTERN}`), en)).toBe(
      'Use the form 123-4567 (digits and a hyphen)',
    );
    expect(describeFieldRule({ kind: 'oneOf', allowed: ['a', 'b'] }, en)).toBe('Use one of: a, b');
  });

  it('leaves the current length out when it is not over the limit (unknown or stale)', () => {
    expect(describeFieldRule({ kind: 'tooLong', max: 100 }, ja, 100)).toBe('100文字以内で入力してください');
  });
});

describe('charLength', () => {
  it('counts characters as the API does, not UTF-16 units', () => {
    expect(charLength('渋谷店')).toBe(3);
    expect(charLength('𠮷野家')).toBe(3);
    expect(charLength('')).toBe(0);
  });
});
