// Where an API refusal lands in the new-order form, and what it says there.
// The API names one field per message, `<field>: <rule>`, with nested paths
// (`customer.phone`, `packages[1].boxes`); $lib/fieldError reads the common rules, this file
// adds the paths and the order-specific rules (ranges, the 14-day horizon, expired holds …).
import type { CommandError } from '$lib/ipc';
import { describeFieldRule, parseFieldError, type FieldRule } from '$lib/fieldError';
import type { MessageKey } from '$i18n/ja';
import { CUSTOMER_FIELDS, PACKAGE_FIELDS } from './draft';

/**
 * The form's own name for a place an error can land: `store_id`, `ready_by` (also a fetch's
 * `deliver_by`), `window` (the window id), `hint` (until/after), `customer.<field>`,
 * `packages`, `packages[<i>].<field>`, `pickup_comments`, `destination_comments`, `reserve`.
 */
export type FieldKey = string;

/** An API field path → the form's field, or null when the form has no such input. */
export function fieldKeyOf(field: string | null): FieldKey | null {
  if (!field) return null;
  const f = field.trim();
  if (f === 'store_id') return 'store_id';
  if (f === 'ready_by' || f === 'deliver_by') return 'ready_by';
  if (f === 'delivery_window_id' || f === 'fetch_window_id') return 'window';
  if (f === 'until' || f === 'after') return 'hint';
  if (f === 'pickup_comments' || f === 'destination_comments' || f === 'packages') return f;
  if (f === 'reserve_date' || f === 'time_zone_id') return 'reserve';
  // postal_lookup / normalize_address name the customer's properties without the prefix.
  const bare = f.startsWith('customer.') ? f.slice('customer.'.length) : f;
  if ((CUSTOMER_FIELDS as readonly string[]).includes(bare)) return `customer.${bare}`;
  if (f === 'customer') return 'customer.address_zipcode';
  const m = /^packages\[(\d+)\](?:\.(\w+))?$/.exec(f);
  if (m) {
    const index = Number(m[1]);
    const prop = m[2];
    if (prop && (PACKAGE_FIELDS as readonly string[]).includes(prop)) return `packages[${index}].${prop}`;
    return `packages[${index}].service_brand`;
  }
  return null;
}

/** Rules this form says in its own words (besides $lib/fieldError's). */
export type OrderRule =
  | { kind: 'range'; min: number; max: number }
  | { kind: 'nonEmpty' }
  | { kind: 'timestamp' }
  | { kind: 'horizon' }
  | { kind: 'negative' }
  | { kind: 'zipMalformed' }
  | { kind: 'zipUnknown' }
  | { kind: 'windowExpired' }
  | { kind: 'anytimeOnly' }
  | { kind: 'noCapacity' }
  | { kind: 'addressUnknown' }
  | { kind: 'email' }
  | { kind: 'hhmm' }
  | { kind: 'common'; rule: FieldRule };

export interface FieldErrorView {
  /** The API's message, whole. */
  message: string;
  /** The API's rule text (the message without `<field>: `). */
  ruleText: string;
  /** What the rule is, when this UI knows it; null: only the API's text is shown. */
  rule: OrderRule | null;
}

function orderRule(ruleText: string): OrderRule | null {
  const text = ruleText.trim();
  let m = /^must be an integer from (-?\d+) to (-?\d+)$/.exec(text);
  if (m) return { kind: 'range', min: Number(m[1]), max: Number(m[2]) };
  if (text === 'must not be empty') return { kind: 'nonEmpty' };
  if (text.startsWith('must be an ISO 8601 timestamp')) return { kind: 'timestamp' };
  if (text.startsWith('must be at most 14 days ahead')) return { kind: 'horizon' };
  if (text === 'must not be negative') return { kind: 'negative' };
  if (text.startsWith('must be 7 digits')) return { kind: 'zipMalformed' };
  if (/is not a Japanese postal code$/.test(text)) return { kind: 'zipUnknown' };
  if (text.startsWith('window expired')) return { kind: 'windowExpired' };
  if (/only (allowed )?with an AnytimeWindow/.test(text)) return { kind: 'anytimeOnly' };
  if (text.startsWith('no window with capacity')) return { kind: 'noCapacity' };
  if (text.startsWith('address not recognised')) return { kind: 'addressUnknown' };
  m = /^must match (.+)$/s.exec(text);
  if (m) {
    if (m[1]!.includes('@')) return { kind: 'email' };
    if (m[1]!.includes('[01][0-9]|2[0-3]')) return { kind: 'hhmm' };
  }
  const common = parseFieldError(`field: ${text}`);
  return common ? { kind: 'common', rule: common.rule } : null;
}

/** The API's message as the form keeps it. */
export function fieldErrorView(error: CommandError): FieldErrorView {
  const message = error.message;
  let ruleText = message;
  const field = error.field;
  if (field && message.startsWith(`${field}: `)) ruleText = message.slice(field.length + 2);
  else {
    const sep = message.indexOf(': ');
    if (sep > 0 && /^[\w.[\]]+$/.test(message.slice(0, sep))) ruleText = message.slice(sep + 2);
  }
  return { message, ruleText, rule: orderRule(ruleText) };
}

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The sentence shown under the input in the UI's language; null when only the API's text is known. */
export function describeOrderRule(view: FieldErrorView, t: Translate, length?: number): string | null {
  const rule = view.rule;
  if (!rule) return null;
  switch (rule.kind) {
    case 'range':
      return t('newOrder.rule.range', { min: rule.min, max: rule.max });
    case 'nonEmpty':
      return t('newOrder.rule.nonEmpty');
    case 'timestamp':
      return t('newOrder.rule.timestamp');
    case 'horizon':
      return t('newOrder.rule.horizon');
    case 'negative':
      return t('newOrder.rule.negative');
    case 'zipMalformed':
      return t('newOrder.rule.zipMalformed');
    case 'zipUnknown':
      return t('newOrder.rule.zipUnknown');
    case 'windowExpired':
      return t('newOrder.rule.windowExpired');
    case 'anytimeOnly':
      return t('newOrder.rule.anytimeOnly');
    case 'noCapacity':
      return t('newOrder.rule.noCapacity');
    case 'addressUnknown':
      return t('newOrder.rule.addressUnknown');
    case 'email':
      return t('newOrder.rule.email');
    case 'hhmm':
      return t('newOrder.rule.hhmm');
    case 'common':
      return describeFieldRule(rule.rule, t, length);
  }
}
