// 設定's refusals and failures in the UI's language, composed from the backend's facts (a
// SettingIssue's `rule`, a ServiceCheck's `failure`, the keyring's and a switch's cause): one
// home for each one's wording. The English the backend sends beside them (`message`,
// `reason`) is shown as sent only for a fact this UI does not know, and stays in the
// tooltip for support.
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type {
  CheckFailure,
  KeyringFailure,
  ServiceCheck,
  SettingIssue,
  SettingRule,
  WiringPart,
} from '$lib/ipc/generated';

const NAMED = [
  'diaq_url',
  'diaq_api_key',
  'routemate_url',
  'routemate_client_id',
  'routemate_client_secret',
] as const;

type Named = (typeof NAMED)[number];

function isNamed(field: string): field is Named {
  return (NAMED as readonly string[]).includes(field);
}

/** A form field as a rule names it beside another ("API キー", "an API key"). */
export function nameText(field: string, lang: Lang): string {
  return isNamed(field) ? translate(lang, `settings.name.${field}`) : field;
}

/** Why a connection test failed, or null for a failure this UI does not know. */
export function failureText(failure: CheckFailure, lang: Lang): string | null {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  switch (failure.kind) {
    case 'malformed_url':
    case 'no_answer':
    case 'not_found':
    case 'redirected':
    case 'unexpected_answer':
    case 'outside_map':
      return t(`settings.failure.${failure.kind}`);
    case 'key_refused':
      return t('settings.keyRefusedField');
    case 'unknown_host':
    case 'unreachable':
      return t(`settings.failure.${failure.kind}`, { host: failure.host });
    case 'refused':
      return t('settings.failure.refused', { host: failure.host, port: failure.port });
    case 'timeout':
      return t('settings.failure.timeout', { seconds: failure.seconds });
    case 'status':
      return t('settings.failure.status', { status: failure.status });
    default:
      return null;
  }
}

/** The rule `field` breaks, or null for a rule this UI does not know. */
export function ruleText(rule: SettingRule, field: string, lang: Lang): string | null {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  switch (rule.rule) {
    case 'not_a_url':
    case 'not_http_url':
    case 'nothing_to_test':
    case 'sandbox_needs_no_test':
    case 'unreadable':
      return t(`settings.rule.${rule.rule}`);
    case 'scheme':
      return t('settings.rule.scheme', { scheme: rule.scheme });
    case 'plain_http':
      return t('settings.rule.plain_http', { host: rule.host });
    case 'required_with': {
      const names = rule.with.map((f) => nameText(f, lang)).join(t('settings.name.or'));
      // An empty DIAq URL is the embedded sandbox: said where a key makes it required.
      return t(field === 'diaq_url' ? 'settings.rule.required_withSandbox' : 'settings.rule.required_with', {
        with: names,
      });
    }
    case 'out_of_range':
      return t('settings.rule.out_of_range', { min: rule.min, max: rule.max });
    case 'check_failed':
      return failureText(rule.failure, lang);
    default:
      return null;
  }
}

/** What is wrong with an issue's field; its message as sent for a rule not known here. */
export function issueText(issue: SettingIssue, lang: Lang): string {
  return ruleText(issue, issue.field, lang) ?? issue.message;
}

/** What a failed test says at its field; the service's words as sent for a failure not known
 *  here (or a check from a build that sent none). */
export function checkText(check: ServiceCheck, lang: Lang): string {
  const known = check.failure ? failureText(check.failure, lang) : null;
  return known ?? check.message ?? '';
}

/** Why no OS keyring is used; the keyring's words as sent for a cause not known here. */
export function keyringText(why: KeyringFailure | undefined, reason: string, lang: Lang): string {
  switch (why?.kind) {
    case 'unavailable':
    case 'locked':
    case 'failed':
    case 'unfaithful':
    case 'not_asked':
      return translate(lang, `settings.keyring.${why.kind}`);
    case 'no_answer':
      return translate(lang, 'settings.keyring.no_answer', { seconds: why.seconds });
    default:
      return reason;
  }
}

/** The part a switch to the saved settings failed at; the reason as sent for one not known. */
export function partText(part: WiringPart | undefined, reason: string, lang: Lang): string {
  switch (part) {
    case 'settings':
    case 'cache':
    case 'osrm':
    case 'diaq':
    case 'embedded_sandbox':
      return translate(lang, `settings.part.${part}`);
    default:
      return reason;
  }
}
