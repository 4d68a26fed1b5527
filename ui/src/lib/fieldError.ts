// The API's 400 messages name one field and one broken rule: `<field>: <rule>`
// (crates/diaq/src/validation.rs, `impl Display for Rule`). This module reads them and turns
// them into a sentence from the i18n catalogue. Pure: no Svelte, no state.
import type { MessageKey } from '$i18n/ja';

/** The DIAq document's patterns, as the API prints them (crates/diaq/src/store.rs). */
export const ZIPCODE_PATTERN = String.raw`/\A\d{3}[-]\d{4}\z/`;
export const PHONE_PATTERN = String.raw`/(\A0\d{1,3}-\d{2,4}-\d{3,4}\Z)|(\A0\d{9,10}\Z)/`;

export type PatternFormat = 'zipcode' | 'phone';

export type FieldRule =
  | { kind: 'required' }
  | { kind: 'tooLong'; max: number }
  /** `format` is null for a pattern this UI does not know. */
  | { kind: 'pattern'; pattern: string; format: PatternFormat | null }
  | { kind: 'oneOf'; allowed: string[] }
  | { kind: 'type'; expected: string }
  | { kind: 'fixed'; value: string };

export interface ParsedFieldError {
  field: string;
  rule: FieldRule;
  /** The API's rule text, exactly as sent, without the `field: ` prefix. */
  ruleText: string;
}

const FIELD_NAME = /^[A-Za-z0-9_.]+$/;

/** Strips the `/…/` the API wraps around a pattern, so both spellings compare equal. */
function barePattern(pattern: string): string {
  const p = pattern.trim();
  return p.length >= 2 && p.startsWith('/') && p.endsWith('/') ? p.slice(1, -1) : p;
}

function patternFormat(pattern: string): PatternFormat | null {
  const bare = barePattern(pattern);
  if (bare === barePattern(ZIPCODE_PATTERN)) return 'zipcode';
  if (bare === barePattern(PHONE_PATTERN)) return 'phone';
  return null;
}

function parseRule(text: string): FieldRule | null {
  if (text === 'is required') return { kind: 'required' };
  let m = /^must be at most (\d+) characters?$/.exec(text);
  if (m) return { kind: 'tooLong', max: Number(m[1]) };
  m = /^must match (.+)$/s.exec(text);
  if (m) return { kind: 'pattern', pattern: m[1]!, format: patternFormat(m[1]!) };
  m = /^must be one of (.+)$/s.exec(text);
  if (m) return { kind: 'oneOf', allowed: m[1]!.split(',').map((s) => s.trim()).filter(Boolean) };
  m = /^must be "(.*)"$/s.exec(text);
  if (m) return { kind: 'fixed', value: m[1]! };
  m = /^must be an? (.+)$/s.exec(text);
  if (m) return { kind: 'type', expected: m[1]! };
  return null;
}

/** `"store_phone: must match …"` → its parts; null for any other shape. */
export function parseFieldError(message: string): ParsedFieldError | null {
  const sep = message.indexOf(': ');
  if (sep <= 0) return null;
  const field = message.slice(0, sep);
  if (!FIELD_NAME.test(field)) return null;
  const ruleText = message.slice(sep + 2).trim();
  const rule = parseRule(ruleText);
  return rule ? { field, rule, ruleText } : null;
}

/** Length as the API counts it: Unicode characters (a kanji or an emoji is one). */
export function charLength(value: string): number {
  return [...value].length;
}

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * The sentence shown under the input. `length` is the current length of the value that was
 * sent (for "at most N characters"); omit it when unknown.
 */
export function describeFieldRule(rule: FieldRule, t: Translate, length?: number): string {
  switch (rule.kind) {
    case 'required':
      return t('fieldError.required');
    case 'tooLong':
      return length !== undefined && length > rule.max
        ? t('fieldError.tooLongNow', { max: rule.max, length })
        : t('fieldError.tooLong', { max: rule.max });
    case 'pattern':
      if (rule.format === 'zipcode') return t('fieldError.zipcode');
      if (rule.format === 'phone') return t('fieldError.phone');
      return t('fieldError.pattern');
    case 'oneOf':
      return t('fieldError.oneOf', { allowed: rule.allowed.join(t('fieldError.listSeparator')) });
    case 'type':
      return t('fieldError.type');
    case 'fixed':
      return t('fieldError.fixed', { value: rule.value });
  }
}
