// Why a write to the API waits or was refused, in the window's language: the 送信待ち panel's
// rows and the DIAq hand-over's queued and refused stops. The error's code picks the sentence,
// and a DIAq 400 (`<field>: <rule>`) is read by the same parser the forms use, so
// 「store_phone: 電話番号の形式…」 instead of the API's English; the caller keeps the words for
// a tooltip. An outbox row kept before the code was stored (migration 15) shows its words as
// sent. Pure: no Svelte, no state.
import { t, type MessageKey } from '$i18n/index.svelte';
import type { CommandErrorCode } from '$lib/ipc';
import { describeFieldRule, parseFieldError } from '$lib/fieldError';

export function writeReason(words: string | null, code: CommandErrorCode | null): string | null {
  if (words === null || words === '') return null;
  if (code === null) return words;
  if (code === 'bad_request') {
    const parsed = parseFieldError(words);
    if (parsed) return t('outbox.why.field', { field: parsed.field, rule: describeFieldRule(parsed.rule, t) });
  }
  return t(`outbox.why.${code}` as MessageKey);
}
