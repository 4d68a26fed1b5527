import { describe, expect, it } from 'vitest';
import type { CommandError } from '$lib/ipc';
import type { PlanProblem } from '$lib/ipc/planning';
import type { BatchError } from '$lib/ipc/generated';
import { editEffectText, jobErrorText, problemsText, problemText, refusalText, sendErrorText } from './problemText';

const problem = (over: Partial<PlanProblem>): PlanProblem => ({
  rule: 'window',
  driver_email: 'sato@hakobu.test',
  driver_name: '佐藤 一郎',
  stop_id: 'line-7',
  stop: { kind: 'file', line: 7, external_stop_id: 'HK-1007' },
  over: 720,
  amount: 12,
  window: [14 * 3600, 16 * 3600],
  capacity: null,
  detail: null,
  ...over,
});

describe('problemText', () => {
  it('words a late stop with its driver, its code and its window, in Japanese and English', () => {
    expect(problemText(problem({}), 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00）');
    expect(problemText(problem({}), 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late (time window 14:00–16:00)');
    const order = problem({ stop: { kind: 'order', order_kind: 'delivery', id: '42', tracking_code: '100000000042' } });
    expect(problemText(order, 'en')).toContain('100000000042 is 12 min late');
    // A version kept before problems carried the window: no 00:00–00:00.
    expect(problemText(problem({ window: null }), 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます');
    expect(problemText(problem({ window: null }), 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late');
  });

  it('words the shift, the working time and the capacity', () => {
    const shift = problem({ rule: 'shift', stop_id: null, stop: null, window: null, amount: 35 });
    expect(problemText(shift, 'ja')).toBe('佐藤 一郎: 勤務終了を35分超過します');
    expect(problemText(shift, 'en')).toBe('佐藤 一郎: 35 min past the end of the shift');
    const long = problem({ rule: 'max_duration', stop_id: null, stop: null, window: null, amount: 5 });
    expect(problemText(long, 'ja')).toBe('佐藤 一郎: 最大運行時間を5分超過します');
    expect(problemText(long, 'en')).toBe('佐藤 一郎: 5 min over the maximum working time');
    const heavy = problem({ rule: 'capacity', stop_id: null, stop: null, window: null, amount: 3, capacity: 20 });
    expect(problemText(heavy, 'ja')).toBe('佐藤 一郎: 積載量を3個超過します（20個まで）');
    expect(problemText(heavy, 'en')).toBe('佐藤 一郎: 3 parcels over the vehicle’s capacity (20 at most)');
    expect(problemText({ ...heavy, amount: 1 }, 'en')).toBe('佐藤 一郎: 1 parcel over the vehicle’s capacity (20 at most)');
  });

  it('names the driver by login when the name is missing, and joins several problems', () => {
    const shift = problem({ rule: 'shift', driver_name: null, amount: 1 });
    expect(problemText(shift, 'en')).toBe('sato@hakobu.test: 1 min past the end of the shift');
    expect(problemsText([problem({}), shift], 'ja')).toBe(
      '佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00） / sato@hakobu.test: 勤務終了を1分超過します',
    );
    const other = problem({ rule: 'other', detail: 'UnknownJob { job: 9 }' });
    expect(problemText(other, 'ja')).toBe('計画に食い違いがあります（UnknownJob { job: 9 }）');
    expect(problemText(other, 'en')).toBe('The plan does not add up (UnknownJob { job: 9 })');
  });
});

describe('refusalText', () => {
  const refused = (detail: CommandError['detail'], message = 'edit: (English)'): CommandError => ({
    code: 'bad_request',
    message,
    field: 'edit',
    detail,
  });

  it('words a move that would break a rule as the problem it would be', () => {
    const late = refused({ rule: 'plan_problem', problem: problem({}) });
    expect(refusalText(late, 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00）');
    expect(refusalText(late, 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late (time window 14:00–16:00)');
  });

  it('words a locked route, nothing to undo or redo, and a stop already in the tray', () => {
    const locked = refused({ rule: 'route_locked', driver_email: 'sato@hakobu.test', driver_name: '佐藤 一郎' });
    expect(refusalText(locked, 'ja')).toBe('佐藤 一郎 のルートは固定中です（変更するには固定を解除してください）');
    expect(refusalText(locked, 'en')).toBe('佐藤 一郎’s route is locked (unlock it to change it)');
    const nameless = refused({ rule: 'route_locked', driver_email: 'sato@hakobu.test', driver_name: '' });
    expect(refusalText(nameless, 'en')).toBe('sato@hakobu.test’s route is locked (unlock it to change it)');
    expect(refusalText(refused({ rule: 'nothing_to_undo' }), 'ja')).toBe('元に戻す変更がありません');
    expect(refusalText(refused({ rule: 'nothing_to_undo' }), 'en')).toBe('Nothing to undo');
    expect(refusalText(refused({ rule: 'nothing_to_redo' }), 'ja')).toBe('やり直す変更がありません');
    expect(refusalText(refused({ rule: 'nothing_to_redo' }), 'en')).toBe('Nothing to redo');
    const tray = refused({
      rule: 'already_unassigned',
      stop_id: 'line-7',
      stop: { kind: 'file', line: 7, external_stop_id: 'HK-1007' },
    });
    expect(refusalText(tray, 'ja')).toBe('HK-1007 はすでに未割当です');
    expect(refusalText(tray, 'en')).toBe('HK-1007 is already unassigned');
    expect(refusalText(refused({ rule: 'already_unassigned', stop_id: 'line-7', stop: null }), 'en')).toBe(
      'line-7 is already unassigned',
    );
  });

  it('shows the message as sent without facts, or with facts it does not know', () => {
    const plain: CommandError = { code: 'bad_request', message: 'stop_id: "x" is on no route', field: 'stop_id' };
    expect(refusalText(plain, 'ja')).toBe('stop_id: "x" is on no route');
    expect(refusalText({ ...plain, detail: null }, 'ja')).toBe('stop_id: "x" is on no route');
    const newer = refused({ rule: 'on_the_moon' } as unknown as CommandError['detail'], 'edit: on the Moon');
    expect(refusalText(newer, 'ja')).toBe('edit: on the Moon');
    const newerProblem = refused(
      { rule: 'plan_problem', problem: problem({ rule: 'gravity' as PlanProblem['rule'] }) },
      'edit: gravity: too strong',
    );
    expect(refusalText(newerProblem, 'en')).toBe('edit: gravity: too strong');
  });
});

describe('refusalText: the plan’s start, the fleet, the send and a whole file', () => {
  type Detail = NonNullable<CommandError['detail']>;
  const cases: [Detail, string, string][] = [
    [{ rule: 'time_limit', max: 600 }, '計算時間は1〜600秒にしてください', 'The time limit must be 1 to 600 seconds'],
    [{ rule: 'date_form', got: '12/8' }, '配送日「12/8」を読めません（YYYY-MM-DD の形で指定してください）', 'The date “12/8” cannot be read (use YYYY-MM-DD)'],
    [{ rule: 'not_in_fleet', email: 'x@rm.test' }, 'x@rm.test はドライバー一覧にいません', 'x@rm.test is not one of the drivers'],
    [{ rule: 'no_drivers' }, '計画するドライバーがいません（ドライバー一覧に追加してください）', 'There is no driver to plan for (add one to the drivers)'],
    [{ rule: 'nothing_to_plan' }, '計画する配送先がありません', 'There are no stops to plan'],
    [
      { rule: 'stop_window', line: 4, start: '12:00', end: '10:00' },
      '4行目: 時間指定 12:00–10:00 は終わりが始まりより後ではありません',
      'Line 4: the time window 12:00–10:00 does not end after it starts',
    ],
    [{ rule: 'stop_unplaced', line: 5 }, '5行目の配送先に地図上の位置がありません', 'The stop on line 5 has no position on the map'],
    [{ rule: 'order_not_cached', order_kind: 'fetch', id: 'f-1' }, '回収 f-1 がキャッシュにありません', 'Fetch f-1 is not in the cache'],
    [{ rule: 'order_unplaced', tracking_code: 'DQ-1' }, 'DQ-1 の住所に地図上の位置がありません', 'The address of DQ-1 has no position on the map'],
    [{ rule: 'order_window', tracking_code: 'DQ-2' }, 'DQ-2 の時間指定を読めません', 'The time window of DQ-2 cannot be read'],
    [{ rule: 'no_store', store_id: 'st-9' }, '店舗 st-9 がありません', 'There is no store st-9'],
    [{ rule: 'store_unplaced', store_id: 'st-9' }, '店舗 st-9 に地図上の位置がありません', 'Store st-9 has no position on the map'],
    [{ rule: 'store_gone', store_id: 'st-9' }, '店舗 st-9 がなくなったか、地図上の位置がありません', 'Store st-9 is gone or has no position on the map'],
    [
      { rule: 'not_a_login', got: 'sato' },
      '「sato」は RouteMate のログインではありません（name@example.com のようなメールアドレス）',
      '“sato” is not a RouteMate login (an email like name@example.com)',
    ],
    [{ rule: 'name_length', max: 100 }, '1〜100文字で入力してください', 'Must be 1 to 100 characters'],
    [
      { rule: 'shift_form', got: 'nine', example: '09:00' },
      '「nine」を時刻として読めません（09:00 のように HH:MM で入力してください）',
      '“nine” is not a time (use HH:MM, like 09:00)',
    ],
    [{ rule: 'shift_order', start: '09:00', end: '08:00' }, 'シフト開始 09:00 より後にしてください', 'Must be after the shift’s start 09:00'],
    [{ rule: 'no_capacity' }, '1個以上積めるようにしてください', 'A driver must carry at least one parcel'],
    [{ rule: 'not_in_japan', lat: 139.7, lng: 35.6 }, '139.7, 35.6 は日本国内の地点ではありません', '139.7, 35.6 is not a point in Japan'],
    [{ rule: 'no_gazetteer' }, '住所から位置を求められません（地名辞書がありません）', 'Addresses cannot be placed (no gazetteer)'],
    [
      { rule: 'address_unplaced', address: 'どこか', reason: { rule: 'not_recognised', address: 'どこか' } },
      '「どこか」の位置を求められません: ',
      '“どこか” could not be placed: ',
    ],
    [{ rule: 'no_fleet_driver', email: 'x@rm.test' }, 'x@rm.test はドライバー一覧にいません', 'x@rm.test is not one of the drivers'],
    [{ rule: 'stop_not_in_plan', stop_id: 'file:9' }, '配送先 file:9 はこの計画にありません（画面が古い可能性があります。開き直してください）', 'Stop file:9 is not in this plan (the view may be out of date: open it again)'],
    [{ rule: 'no_stops_picked' }, '委託する配送先を1件以上選んでください', 'Pick at least one stop to hand over'],
    [
      { rule: 'routemate_not_configured' },
      'RouteMate が設定されていません（設定で URL、クライアント ID、シークレットを入力してください）',
      'RouteMate is not set up (enter its URL, client ID and secret in the settings)',
    ],
    [{ rule: 'no_address_to_send', line: 3, external_stop_id: 'A-3' }, '3行目（A-3）に送る住所がありません', 'Line 3 (A-3) has no address to send'],
    [{ rule: 'order_gone', tracking_code: 'DQ-3' }, 'DQ-3 はもうキャッシュにありません', 'DQ-3 is no longer in the cache'],
    [
      { rule: 'unknown_to_routemate', driver_email: 'x@rm.test', said: 'driver_email: no driver with this email' },
      'x@rm.test は RouteMate にドライバーとして登録されていません',
      'x@rm.test is not a driver RouteMate knows',
    ],
  ];
  const error = (detail: Detail): CommandError => ({ code: 'bad_request', message: '(English)', field: 'f', detail });

  it.each(cases)('words %o in Japanese and English', (detail, ja, en) => {
    // The geocoder's reason is worded by the batch check's rule (issueText), after the colon.
    const check = (got: string, want: string) => (want.endsWith(': ') ? expect(got.startsWith(want) && got.length > want.length).toBe(true) : expect(got).toBe(want));
    check(refusalText(error(detail), 'ja'), ja);
    check(refusalText(error(detail), 'en'), en);
  });

  it('names a store by the caller’s directory where it knows it', () => {
    const e = error({ rule: 'no_store', store_id: 'st-9' });
    expect(refusalText(e, 'ja', (id) => (id === 'st-9' ? '麻布十番店' : null))).toBe('店舗 麻布十番店 がありません');
  });

  it('falls back to the message for a geocoder reason or a file rule it does not know', () => {
    const reason = error({ rule: 'address_unplaced', address: 'x', reason: { rule: 'on_the_moon' } as never });
    expect(refusalText(reason, 'ja')).toBe('(English)');
    const file = error({ rule: 'batch_file', refusal: { rule: 'on_the_moon' } as never });
    expect(refusalText(file, 'en')).toBe('(English)');
  });

  const MB = 1024 * 1024;
  const files: [BatchError, string, string][] = [
    [{ rule: 'empty' }, 'ファイルが空です', 'The file is empty'],
    [
      { rule: 'too_large', bytes: 11 * MB, max: 10 * MB },
      'ファイルは 11.0 MB あります。読み込めるのは 10.0 MB までです（複数のファイルに分けてください）',
      'The file is 11.0 MB; at most 10.0 MB can be imported (split it into several files)',
    ],
    [
      { rule: 'not_batch_file', name: 'a.pdf' },
      'a.pdf は CSV でも JSON でもありません（.csv、.tsv、.txt、.json のファイルを読み込んでください）',
      'a.pdf is not a CSV or JSON file (import a .csv, .tsv, .txt or .json file)',
    ],
    [
      { rule: 'folder', name: '配達' },
      '配達 はフォルダーです（.csv、.tsv、.txt、.json のファイルを読み込んでください）',
      '配達 is a folder (import a .csv, .tsv, .txt or .json file)',
    ],
    [
      { rule: 'spreadsheet' },
      'Excel のブックです。先に CSV（UTF-8 か Shift_JIS）で保存してください',
      'This is an Excel workbook; save it as CSV (UTF-8 or Shift_JIS) first',
    ],
    [
      { rule: 'encoding', line: 3, encoding: 'UTF-8' },
      '3行目が UTF-8 の文字として読めません。UTF-8 か Shift_JIS で保存し直してください',
      'Line 3 is not valid UTF-8; save the file again as UTF-8 or Shift_JIS',
    ],
    [
      { rule: 'no_address_column', found: '氏名, 電話' },
      '住所の列がありません（住所、お届け先住所、address、または 都道府県/市区町村/町名/番地 の列）。見出し: 氏名, 電話',
      'No address column (住所, お届け先住所, address, or split 都道府県/市区町村/町名/番地 columns); the header has: 氏名, 電話',
    ],
    [
      { rule: 'duplicate_column', column: 'address', first: 1, first_header: '住所', second: 3, second_header: 'address' },
      '1列目（住所）と3列目（address）がどちらも住所の列です。どちらかを消すか名前を変えてください',
      'Columns 1 (住所) and 3 (address) both hold the Address; remove or rename one',
    ],
    [{ rule: 'no_rows' }, '見出しだけで行がありません', 'The file has a header but no rows'],
    [{ rule: 'too_many_rows', max: 5000 }, '5000行を超えています。複数のファイルに分けてください', 'The file has more than 5000 rows; split it into several files'],
    [
      { rule: 'json', line: 1, column: 12, message: 'EOF while parsing a list' },
      'JSON として読めません（1行12列: EOF while parsing a list）',
      'Not valid JSON (line 1, column 12: EOF while parsing a list)',
    ],
    [
      { rule: 'not_a_body' },
      'RouteMate の取り込み形式（stops 配列を持つ JSON オブジェクト）ではありません',
      'Not a RouteMate import (a JSON object with a stops array)',
    ],
    [{ rule: 'no_stops' }, 'stops（配送先の配列）がありません', 'There is no stops array'],
    [{ rule: 'stops_not_array' }, 'stops が配列ではありません', 'stops is not an array'],
    [
      { rule: 'unreadable', path: '/x/a.csv', reason: 'No such file' },
      '/x/a.csv を読めません（No such file）',
      '/x/a.csv cannot be read (No such file)',
    ],
  ];

  it.each(files)('words the file refusal %o in Japanese and English', (refusal, ja, en) => {
    expect(refusalText(error({ rule: 'batch_file', refusal }), 'ja')).toBe(ja);
    expect(refusalText(error({ rule: 'batch_file', refusal }), 'en')).toBe(en);
  });
});

describe('sendErrorText and jobErrorText', () => {
  it('words our own refusal, says RouteMate is unreachable, and puts RouteMate’s own words in a sentence', () => {
    const unknown: CommandError = {
      code: 'bad_request',
      message: 'driver_email: no driver with this email',
      field: 'driver_email',
      detail: { rule: 'unknown_to_routemate', driver_email: 'x@rm.test', said: 'driver_email: no driver with this email' },
    };
    expect(sendErrorText(unknown, 'ja')).toBe('x@rm.test は RouteMate にドライバーとして登録されていません');
    const offline: CommandError = { code: 'transport', message: 'RouteMate: transport error: refused', field: null };
    expect(sendErrorText(offline, 'ja')).toBe('RouteMate に接続できませんでした');
    expect(sendErrorText(offline, 'en')).toBe('Could not reach RouteMate');
    const said: CommandError = { code: 'bad_request', message: 'stops[0].address: is required', field: 'stops' };
    expect(sendErrorText(said, 'ja')).toBe('RouteMate が受け付けませんでした: stops[0].address: is required');
    expect(sendErrorText(said, 'en')).toBe('RouteMate refused it: stops[0].address: is required');
    // Not RouteMate's refusal, without facts: as sent.
    expect(sendErrorText({ code: 'internal', message: 'plan date "x"', field: null }, 'ja')).toBe('plan date "x"');
    expect(jobErrorText('address: line 3 (A-3) has no address to send', { rule: 'no_address_to_send', line: 3, external_stop_id: 'A-3' }, 'ja')).toBe(
      '3行目（A-3）に送る住所がありません',
    );
    expect(jobErrorText('RouteMate: server error 503', null, 'en')).toBe('RouteMate refused it: RouteMate: server error 503');
  });
});

describe('editEffectText', () => {
  it('says the distance an edit added and the minutes late, in Japanese and English', () => {
    expect(editEffectText({ added_m: 1234, lateness_s: 7 * 60 }, 'ja')).toBe('この編集: +1.2 km・遅延 計7分');
    expect(editEffectText({ added_m: 1234, lateness_s: 7 * 60 }, 'en')).toBe('This edit: +1.2 km · 7 min late in all');
  });

  it('signs a saving with a minus, says nothing late as such, and rounds lateness up to the minute', () => {
    expect(editEffectText({ added_m: -850, lateness_s: 0 }, 'ja')).toBe('この編集: −0.9 km・遅延なし');
    expect(editEffectText({ added_m: -850, lateness_s: 0 }, 'en')).toBe('This edit: −0.9 km · none late');
    expect(editEffectText({ added_m: 0, lateness_s: 61 }, 'en')).toBe('This edit: ±0.0 km · 2 min late in all');
    // Less than 50 m either way is no change at one decimal, not −0.0.
    expect(editEffectText({ added_m: -40, lateness_s: 0 }, 'ja')).toBe('この編集: ±0.0 km・遅延なし');
  });
});
