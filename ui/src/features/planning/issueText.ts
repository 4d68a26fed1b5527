// The batch check's row issues in the UI's language, composed from the check's facts (a
// `rule` and its parameters, beside the `field` it is about): one home for each rule's
// wording. The English `message` the backend sends with them is shown as sent only for a rule
// this UI does not know (a report from another build, an issue without a rule).
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type { FieldIssue, IssueRule } from '$lib/ipc/generated';

/** The fields a row issue names, each worded as the file's column. */
const FIELDS = [
  'external_stop_id',
  'address',
  'postal_code',
  'label',
  'phone',
  'parcel_count',
  'notes',
  'time_window',
  'row',
] as const;

type Field = (typeof FIELDS)[number];

function isField(field: string): field is Field {
  return (FIELDS as readonly string[]).includes(field);
}

/** A field's name in `lang`: a RouteMate JSON's `stops[3]` is the stop itself; a field this UI
 *  does not know keeps its wire name. */
export function fieldText(field: string, lang: Lang): string {
  if (isField(field)) return translate(lang, `plan.issue.field.${field}`);
  if (/^stops\[\d+\]$/.test(field)) return translate(lang, 'plan.issue.field.stop');
  return field;
}

/** The rule's sentence in `lang`, or null for a rule this UI does not know. */
export function ruleText(rule: IssueRule, lang: Lang): string | null {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  switch (rule.rule) {
    case 'required':
    case 'not_a_string':
    case 'not_an_object':
    case 'counted_as_one':
    case 'postal_malformed':
    case 'no_gazetteer':
    case 'address_empty':
      return t(`plan.issue.${rule.rule}`);
    case 'too_long':
      return t('plan.issue.too_long', { max: rule.max });
    case 'too_many_fields':
    case 'too_few_fields':
      return t(`plan.issue.${rule.rule}`, { fields: rule.fields, header: rule.header });
    case 'id_made':
      return t('plan.issue.id_made', { id: rule.id });
    case 'duplicate_id':
      return t(rule.lines.length === 1 ? 'plan.issue.duplicate_idOne' : 'plan.issue.duplicate_id', {
        id: rule.id,
        lines: rule.lines.join(t('plan.issue.lineSeparator')),
      });
    case 'parcel_count':
      return rule.got === null
        ? t('plan.issue.parcel_countNotNumber', { max: rule.max })
        : t('plan.issue.parcel_count', { max: rule.max, got: rule.got });
    case 'odd_phone':
    case 'window_form':
    case 'window_time':
    case 'window_order':
      return t(`plan.issue.${rule.rule}`, { got: rule.got });
    case 'postal_unknown':
      return t('plan.issue.postal_unknown', { code: rule.code });
    case 'postal_elsewhere':
      return t('plan.issue.postal_elsewhere', {
        code: rule.code,
        postal: `${rule.postal_prefecture}${rule.postal_city}`,
        address: `${rule.address_prefecture}${rule.address_city}`,
      });
    case 'not_recognised':
      return t('plan.issue.not_recognised', { address: rule.address });
    case 'ambiguous_city':
      return t('plan.issue.ambiguous_city', {
        city: rule.city,
        prefectures: rule.prefectures.join(t('plan.issue.prefectureSeparator')),
      });
    case 'no_block_number':
      return t('plan.issue.no_block_number', { town: rule.town });
    case 'city_only':
    case 'placed_at_city':
      return t(`plan.issue.${rule.rule}`, { city: rule.city });
    case 'prefecture_only':
      return t('plan.issue.prefecture_only', { prefecture: rule.prefecture });
    case 'placed_at_postal': {
      const reason = ruleText(rule.reason, lang);
      return reason === null ? null : t('plan.issue.placed_at_postal', { reason, code: rule.code });
    }
    default:
      return null;
  }
}

/** One issue of a row, `<field>: <sentence>`; the message as sent for a rule not known here. */
export function issueText(issue: FieldIssue, lang: Lang): string {
  const text = ruleText(issue, lang);
  if (text === null) return issue.message;
  return translate(lang, 'plan.issue.line', { field: fieldText(issue.field, lang), text });
}
