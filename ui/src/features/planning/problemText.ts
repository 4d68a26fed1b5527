// What breaks a rule in an edited or re-optimised plan, in the UI's language: composed from the
// checker's facts (rule, driver, stop, minutes or parcels over, the stop's window), so an
// English window does not show Japanese and the backend keeps no sentences of its own.
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type { CommandError } from '$lib/ipc';
import type { PlanProblem } from '$lib/ipc/planning';
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

/** Why an edit was refused, in the UI's language, from the refusal's facts (`detail`): a rule
 *  it would break is worded as the problem it would be. An error without facts this UI knows
 *  (not a refusal, or from another build) shows its message as sent. */
export function refusalText(error: CommandError, lang: Lang): string {
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
      return t(`plan.refusal.${d.rule}`);
    case 'already_unassigned':
      return t('plan.refusal.already_unassigned', { stop: d.stop ? stopLabel(d.stop) : d.stop_id });
    default:
      return error.message;
  }
}
