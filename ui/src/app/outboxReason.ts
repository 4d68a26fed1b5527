// Why a queued or refused write is where it is, in the window's language. The outbox keeps the
// API's (or the app's) words and, since migration 15, the error's code: the code picks the
// sentence, and a DIAq 400 (`<field>: <rule>`) is read by the same parser the forms use, so
// 「store_phone: 電話番号の形式…」 instead of the API's English. Rows kept before the code
// existed show their words as sent. Pure: no Svelte, no state.
import { t, type MessageKey } from '$i18n/index.svelte';
import type { OutboxRow } from '$lib/ipc';
import { describeFieldRule, parseFieldError } from '$lib/fieldError';

export function outboxReason(row: Pick<OutboxRow, 'last_error' | 'last_error_code'>): string | null {
  const words = row.last_error;
  if (words === null || words === '') return null;
  const code = row.last_error_code;
  if (code === null) return words;
  if (code === 'bad_request') {
    const parsed = parseFieldError(words);
    if (parsed) return t('outbox.why.field', { field: parsed.field, rule: describeFieldRule(parsed.rule, t) });
  }
  return t(`outbox.why.${code}` as MessageKey);
}
