import { describe, expect, it } from 'vitest';
import type { FieldIssue, IssueRule } from '$lib/ipc/generated';
import { fieldText, issueText, ruleText } from './issueText';

const issue = (field: string, rule: IssueRule, message = `${field}: (English)`): FieldIssue => ({ field, message, ...rule });

/** Every rule the batch check sends, with its field, its Japanese and its English. */
const EVERY_RULE: [FieldIssue, string, string][] = [
  [issue('address', { rule: 'required' }), '住所: 入力がありません', 'Address: missing'],
  [issue('label', { rule: 'too_long', max: 200 }), '宛名: 200文字以内にしてください', 'Name: at most 200 characters'],
  [issue('label', { rule: 'not_a_string' }), '宛名: 文字列で指定してください', 'Name: must be a string'],
  [issue('stops[1]', { rule: 'not_an_object' }), '配送先: JSON のオブジェクトで指定してください', 'Stop: must be a JSON object'],
  [
    issue('row', { rule: 'too_many_fields', fields: 4, header: 3 }),
    '行: 項目が4個あります（見出しは3個）。カンマを含む値は "" で囲んでください',
    'Row: 4 fields, the header has 3; a comma inside a value needs "quotes"',
  ],
  [
    issue('row', { rule: 'too_few_fields', fields: 1, header: 3 }),
    '行: 項目が1個しかありません（見出しは3個）',
    'Row: only 1 fields, the header has 3',
  ],
  [issue('external_stop_id', { rule: 'id_made', id: 'row-2' }), 'お届け先ID: 空欄のため row-2 としました', 'Stop ID: empty; named row-2'],
  [
    issue('external_stop_id', { rule: 'duplicate_id', id: 'A', lines: [5, 9] }),
    'お届け先ID: A は5・9行目にもあります（IDは重複できません）',
    'Stop ID: A is also on lines 5, 9 (IDs must be unique)',
  ],
  [
    issue('external_stop_id', { rule: 'duplicate_id', id: 'T-1002', lines: [10] }),
    'お届け先ID: T-1002 は10行目にもあります（IDは重複できません）',
    'Stop ID: T-1002 is also on line 10 (IDs must be unique)',
  ],
  [
    issue('parcel_count', { rule: 'parcel_count', max: 999, got: '0' }),
    '個数: 1〜999の整数にしてください（「0」）',
    'Parcels: must be a whole number from 1 to 999 (got “0”)',
  ],
  [
    issue('parcel_count', { rule: 'parcel_count', max: 999, got: null }),
    '個数: 1〜999の整数（JSON の数値）にしてください',
    'Parcels: must be a whole number from 1 to 999 (a JSON number)',
  ],
  [issue('parcel_count', { rule: 'counted_as_one' }), '個数: 空欄のため1個としました', 'Parcels: empty; counted as 1'],
  [
    issue('phone', { rule: 'odd_phone', got: '1234' }),
    '電話番号: 電話番号に見えません（10桁または11桁、「1234」）',
    'Phone: does not look like a Japanese phone number (10 or 11 digits; got “1234”)',
  ],
  [
    issue('time_window', { rule: 'window_form', got: '夕方' }),
    '時間指定: 「夕方」は読めません（例: 14-16、14:00-16:00、14時～16時、1416、午前中）',
    'Time window: cannot read “夕方” (write e.g. 14-16, 14:00-16:00, 14時～16時, 1416 or 午前中)',
  ],
  [
    issue('time_window', { rule: 'window_time', got: '25-26' }),
    '時間指定: 時は0〜24、分は0〜59にしてください（「25-26」）',
    'Time window: hours must be 0–24 and minutes 0–59 (got “25-26”)',
  ],
  [
    issue('time_window', { rule: 'window_order', got: '16-14' }),
    '時間指定: 終わりは始まりより後にしてください（「16-14」）',
    'Time window: must end after it starts (got “16-14”)',
  ],
  [
    issue('postal_code', { rule: 'postal_malformed' }),
    '郵便番号: 7桁（1234567 または 123-4567）で入力してください',
    'Postal code: must be 7 digits, as 1234567 or 123-4567',
  ],
  [
    issue('postal_code', { rule: 'postal_unknown', code: '999-9999' }),
    '郵便番号: 999-9999 は日本の郵便番号にありません',
    'Postal code: 999-9999 is not a Japanese postal code',
  ],
  [
    issue('postal_code', {
      rule: 'postal_elsewhere',
      code: '100-0005',
      postal_prefecture: '東京都',
      postal_city: '千代田区',
      address_prefecture: '東京都',
      address_city: '中央区',
    }),
    '郵便番号: 100-0005 は東京都千代田区の郵便番号です（住所は東京都中央区）',
    'Postal code: 100-0005 is in 東京都千代田区, the address in 東京都中央区',
  ],
  [
    issue('address', { rule: 'no_gazetteer' }),
    '住所: 住所辞書がないため位置を特定できません（make data で作成してください）',
    'Address: no gazetteer to place addresses (build it with make data)',
  ],
  [issue('address', { rule: 'address_empty' }), '住所: 読み取れる住所がありません', 'Address: nothing of the address could be read'],
  [
    issue('address', { rule: 'not_recognised', address: 'みなと区ろっぽんぎ6-10-1' }),
    '住所: 「みなと区ろっぽんぎ6-10-1」に都道府県・市区町村が見つかりません',
    'Address: no prefecture or municipality recognised in “みなと区ろっぽんぎ6-10-1”',
  ],
  [
    issue('address', { rule: 'ambiguous_city', city: '府中市', prefectures: ['東京都', '広島県'] }),
    '住所: 府中市 は東京都・広島県にあります。都道府県を書き加えてください',
    'Address: 府中市 exists in 東京都, 広島県; add the prefecture to choose',
  ],
  [
    issue('address', { rule: 'no_block_number', town: '六本木六丁目' }),
    '住所: 六本木六丁目 の後に番地がないため、町の中心に配置しました',
    'Address: no block number (番地) after 六本木六丁目; placed at its centre',
  ],
  [
    issue('address', { rule: 'city_only', city: '港区' }),
    '住所: 市区町村（港区）までしか特定できません',
    'Address: only the municipality (港区) was recognised',
  ],
  [
    issue('address', { rule: 'placed_at_city', city: '渋谷区' }),
    '住所: 市区町村（渋谷区）までしか特定できないため、その中心に配置しました',
    'Address: only the municipality (渋谷区) was recognised; placed at its centre',
  ],
  [
    issue('address', { rule: 'prefecture_only', prefecture: '東京都' }),
    '住所: 都道府県（東京都）までしか特定できません',
    'Address: only the prefecture (東京都) was recognised',
  ],
  [
    issue('address', { rule: 'placed_at_postal', code: '106-0032', reason: { rule: 'city_only', city: '港区' } }),
    '住所: 市区町村（港区）までしか特定できません。郵便番号 106-0032 の中心に配置しました',
    'Address: only the municipality (港区) was recognised; placed at the centre of postal code 106-0032',
  ],
  [
    issue('address', {
      rule: 'placed_at_postal',
      code: '106-0032',
      reason: { rule: 'not_recognised', address: '火星市1-2-3' },
    }),
    '住所: 「火星市1-2-3」に都道府県・市区町村が見つかりません。郵便番号 106-0032 の中心に配置しました',
    'Address: no prefecture or municipality recognised in “火星市1-2-3”; placed at the centre of postal code 106-0032',
  ],
];

describe('issueText', () => {
  it('words every rule of the batch check in Japanese and English, with its field', () => {
    for (const [i, ja, en] of EVERY_RULE) {
      expect(issueText(i, 'ja'), i.rule).toBe(ja);
      expect(issueText(i, 'en'), i.rule).toBe(en);
    }
  });

  it('has a case for every rule the backend sends', () => {
    // The rules of IssueRule: one left out here would fail the type check of `Record`.
    const every: Record<IssueRule['rule'], true> = {
      required: true,
      too_long: true,
      not_a_string: true,
      not_an_object: true,
      too_many_fields: true,
      too_few_fields: true,
      id_made: true,
      duplicate_id: true,
      parcel_count: true,
      counted_as_one: true,
      odd_phone: true,
      window_form: true,
      window_time: true,
      window_order: true,
      postal_malformed: true,
      postal_unknown: true,
      postal_elsewhere: true,
      no_gazetteer: true,
      address_empty: true,
      not_recognised: true,
      ambiguous_city: true,
      no_block_number: true,
      city_only: true,
      placed_at_city: true,
      prefecture_only: true,
      placed_at_postal: true,
    };
    const tested = new Set(EVERY_RULE.map(([i]) => i.rule));
    expect([...tested].sort()).toEqual(Object.keys(every).sort());
  });

  it('shows the message as sent for a rule it does not know, or an issue without one', () => {
    const newer = { field: 'address', rule: 'on_the_moon', message: 'address: is on the Moon' } as unknown as FieldIssue;
    expect(issueText(newer, 'ja')).toBe('address: is on the Moon');
    // A report kept before issues carried their rule.
    const older = { field: 'phone', message: 'phone: does not look like a Japanese phone number' } as unknown as FieldIssue;
    expect(issueText(older, 'ja')).toBe('phone: does not look like a Japanese phone number');
    // Placed at a postal code for a reason not known here: the whole message, not half a sentence.
    const reason = { rule: 'on_the_moon' } as unknown as IssueRule;
    const placed = issue('address', { rule: 'placed_at_postal', code: '106-0032', reason }, 'address: as sent');
    expect(issueText(placed, 'en')).toBe('address: as sent');
    expect(ruleText(reason, 'en')).toBeNull();
  });

  it('keeps the wire name of a field it does not know', () => {
    expect(fieldText('colour', 'ja')).toBe('colour');
    expect(fieldText('stops[12]', 'en')).toBe('Stop');
    expect(fieldText('notes', 'ja')).toBe('備考');
  });
});
