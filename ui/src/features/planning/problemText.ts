// What breaks a rule in an edited or re-optimised plan, in the UI's language: composed from the
// checker's facts (rule, driver, stop, minutes or parcels over, the stop's window), so an
// English window does not show Japanese and the backend keeps no sentences of its own.
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type { CommandError } from '$lib/ipc';
import type { BatchError, ErrorDetail } from '$lib/ipc/generated';
import type { PlanEvaluation, PlanProblem } from '$lib/ipc/planning';
import { fieldText, ruleText } from './issueText';
import { clock } from './kpis';
import { stopLabel } from './timeline/layout';

export function problemText(p: PlanProblem, lang: Lang): string {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  const name = p.driver_name ?? p.driver_email ?? '?';
  switch (p.rule) {
    case 'window': {
      const stop = p.stop ? stopLabel(p.stop) : (p.stop_id ?? '?');
      // A version kept before problems carried the window says only how late.
      if (!p.window) return t('plan.problem.late', { name, stop, minutes: p.amount });
      const [from, to] = p.window;
      return t('plan.problem.window', { name, stop, minutes: p.amount, from: clock(from), to: clock(to) });
    }
    case 'shift':
    case 'max_duration':
      return t(`plan.problem.${p.rule}`, { name, minutes: p.amount });
    case 'capacity':
      return t(p.amount === 1 ? 'plan.problem.capacityOne' : 'plan.problem.capacity', {
        name,
        count: p.amount,
        capacity: p.capacity ?? '?',
      });
    case 'other':
      return t('plan.problem.other', { detail: p.detail ?? '' });
  }
}

/** Every problem of a version, in one line. */
export function problemsText(problems: readonly PlanProblem[], lang: Lang): string {
  return problems.map((p) => problemText(p, lang)).join(translate(lang, 'plan.problem.separator'));
}

/** Why a command of the 計画 view was refused, in the UI's language, from the refusal's facts
 *  (`detail`): an edit (a rule it would break is worded as the problem it would be), a plan's
 *  start, a fleet field, a send, a whole batch file. An error without facts this UI knows (not a
 *  refusal, or from another build) shows its message as sent. A store is named by `storeName`
 *  where the caller knows it (else its id). */
export function refusalText(
  error: CommandError,
  lang: Lang,
  storeName: (storeId: string) => string | null | undefined = () => null,
): string {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  const d = error.detail;
  switch (d?.rule) {
    case 'plan_problem':
      // `problemText` knows every rule this build sends; one from another build is not worded.
      return (problemText(d.problem, lang) as string | undefined) ?? error.message;
    case 'route_locked':
      return t('plan.refusal.route_locked', { name: d.driver_name || d.driver_email });
    case 'nothing_to_undo':
    case 'nothing_to_redo':
    case 'no_drivers':
    case 'nothing_to_plan':
    case 'no_capacity':
    case 'no_gazetteer':
    case 'routemate_not_configured':
      return t(`plan.refusal.${d.rule}`);
    case 'already_unassigned':
      return t('plan.refusal.already_unassigned', { stop: d.stop ? stopLabel(d.stop) : d.stop_id });
    case 'time_limit':
    case 'name_length':
      return t(`plan.refusal.${d.rule}`, { max: d.max });
    case 'date_form':
    case 'not_a_login':
      return t(`plan.refusal.${d.rule}`, { got: d.got });
    case 'not_in_fleet':
    case 'no_fleet_driver':
      return t(`plan.refusal.${d.rule}`, { email: d.email });
    case 'stop_not_in_plan':
      return t('plan.refusal.stop_not_in_plan', { stop: d.stop_id });
    case 'no_stops_picked':
      return t('plan.refusal.no_stops_picked');
    case 'stop_window':
      return t('plan.refusal.stop_window', { line: d.line, start: d.start, end: d.end });
    case 'stop_unplaced':
      return t('plan.refusal.stop_unplaced', { line: d.line });
    case 'order_not_cached':
      return t('plan.refusal.order_not_cached', { kind: t(`plan.refusal.kind.${d.order_kind}`), id: d.id });
    case 'order_unplaced':
    case 'order_window':
    case 'order_gone':
      return t(`plan.refusal.${d.rule}`, { code: d.tracking_code });
    case 'no_store':
    case 'store_unplaced':
    case 'store_gone':
      return t(`plan.refusal.${d.rule}`, { store: storeName(d.store_id) ?? d.store_id });
    case 'shift_form':
      return t('plan.refusal.shift_form', { got: d.got, example: d.example });
    case 'shift_order':
      return t('plan.refusal.shift_order', { start: d.start, end: d.end });
    case 'not_in_japan':
      return t('plan.refusal.not_in_japan', { lat: d.lat, lng: d.lng });
    case 'address_unplaced': {
      // The geocoder's reason is the batch check's rule; one this UI does not know: as sent.
      const reason = ruleText(d.reason, lang);
      return reason === null ? error.message : t('plan.refusal.address_unplaced', { address: d.address, reason });
    }
    case 'no_address_to_send':
      return t('plan.refusal.no_address_to_send', { line: d.line, stop: d.external_stop_id });
    case 'unknown_to_routemate':
      return t('plan.refusal.unknown_to_routemate', { email: d.driver_email });
    case 'batch_file':
      return batchRefusalText(d.refusal, lang) ?? error.message;
    default:
      return error.message;
  }
}

/** Megabytes with one decimal, as the backend's English has them. */
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

/** A whole file's refusal, or null for a rule this UI does not know. */
function batchRefusalText(r: BatchError, lang: Lang): string | null {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  switch (r.rule) {
    case 'empty':
    case 'spreadsheet':
    case 'no_rows':
    case 'not_a_body':
    case 'no_stops':
    case 'stops_not_array':
      return t(`plan.refusal.batch.${r.rule}`);
    case 'too_large':
      return t('plan.refusal.batch.too_large', { mb: mb(r.bytes), max: mb(r.max) });
    case 'not_batch_file':
    case 'folder':
      return t(`plan.refusal.batch.${r.rule}`, { name: r.name });
    case 'encoding':
      return t('plan.refusal.batch.encoding', { line: r.line, encoding: r.encoding });
    case 'no_address_column':
      return t('plan.refusal.batch.no_address_column', { found: r.found });
    case 'duplicate_column':
      return t('plan.refusal.batch.duplicate_column', {
        column: fieldText(r.column, lang),
        first: r.first,
        firstHeader: r.first_header,
        second: r.second,
        secondHeader: r.second_header,
      });
    case 'too_many_rows':
      return t('plan.refusal.batch.too_many_rows', { max: r.max });
    case 'json':
      // serde_json's own words, inside the sentence.
      return t('plan.refusal.batch.json', { line: r.line, column: r.column, message: r.message });
    case 'unreadable':
      return t('plan.refusal.batch.unreadable', { path: r.path, reason: r.reason });
    default:
      return null;
  }
}

/** Why a route was not sent: our own refusal worded from its facts; RouteMate unreachable said
 *  so; RouteMate's own refusal (its words, not ours) inside a sentence that says whose they are. */
export function sendErrorText(error: CommandError, lang: Lang): string {
  if (error.detail) return refusalText(error, lang);
  switch (error.code) {
    case 'transport':
      return translate(lang, 'plan.send.offline');
    case 'bad_request':
    case 'not_found':
    case 'conflict':
    case 'unauthorized':
      return translate(lang, 'plan.send.routemateSaid', { said: error.message });
    default:
      // Not RouteMate's refusal and no facts (another build, a bug): as sent.
      return error.message;
  }
}

/** A route's job as last read: why it cannot be sent (facts), else RouteMate's words. */
export function jobErrorText(error: string, detail: ErrorDetail | null | undefined, lang: Lang): string {
  if (detail) return refusalText({ code: 'bad_request', message: error, field: null, detail }, lang);
  return translate(lang, 'plan.send.routemateSaid', { said: error });
}

/** What an edit did, from its evaluation: the distance it added (negative: saved) and the
 *  minutes this version is late for windows in all (an edit that would add lateness is
 *  refused, so this is what was late already). */
export function editEffectText(e: Pick<PlanEvaluation, 'added_m' | 'lateness_s'>, lang: Lang): string {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  const km = Math.abs(e.added_m) / 1000;
  // Rounded first, so -40 m is ±0.0 km, not −0.0 km.
  const shown = (Math.round(km * 10) / 10).toFixed(1);
  const sign = shown === '0.0' ? '±' : e.added_m > 0 ? '+' : '−';
  const minutes = Math.ceil(e.lateness_s / 60);
  return t('plan.editEffect', {
    km: t('plan.editEffect.km', { sign, km: shown }),
    late: minutes > 0 ? t('plan.editEffect.late', { minutes }) : t('plan.editEffect.onTime'),
  });
}
