// Why a reservation was refused or queued, worded from the error's code (and field) in the
// view's language; the API's or the app's own (English) words stay beside it for support.
import { t, type MessageKey } from '$i18n/index.svelte';
import type { Why } from '$features/calendar/calendar.svelte';

/** The fields of a reservation (`POST /v1/reserve_windows`) a 400 may name. */
const FIELDS = ['store_id', 'reserve_date', 'time_zone_id'] as const;

function fieldName(field: string): string {
  return (FIELDS as readonly string[]).includes(field) ? t(`calendar.field.${field}` as MessageKey) : field;
}

export function whyText(why: Why): string {
  // Kept before the outbox kept codes: its words are in the pending writes list.
  if (why.code === null) return t('calendar.why.unknown');
  if (why.code === 'bad_request' && why.field) return t('calendar.why.bad_requestField', { field: fieldName(why.field) });
  return t(`calendar.why.${why.code}`);
}
