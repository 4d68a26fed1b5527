import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import type { OutsourceItem, OutsourceReport } from '$lib/ipc/generated';
import { setLang } from '$i18n/index.svelte';
import { key, plan, S1, S5 } from '$features/planning/timeline/fixture';

// The command's boundary: answered here, its channel driven by the test.
const outsourceStops = vi.fn();
vi.mock('$lib/ipc/planning', async (original) => ({
  ...(await original<typeof import('$lib/ipc/planning')>()),
  outsourceStops: (...args: unknown[]) => outsourceStops(...args),
}));

const { PlanView } = await import('$features/planning/planView.svelte');
const { default: OutsourceDialog } = await import('$features/planning/OutsourceDialog.svelte');

const created = (stopId: string, code: string): OutsourceItem => ({
  stop_id: stopId,
  source: { kind: 'file', line: 1, external_stop_id: stopId },
  order_reference: 'HK0',
  outcome: 'created',
  delivery_id: `d-${stopId}`,
  tracking_code: code,
  window: { id: 'h', starts_at: '2026-12-08T19:00:00+09:00', ends_at: '2026-12-08T20:00:00+09:00', expires_at: '2026-12-08T18:00:00+09:00' },
});

const texts = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.textContent?.replace(/\s+/g, ' ').trim());

/** The dialog over a plan with one stop on a route (selected) and one unassigned: both ticked. */
function open() {
  const view = new PlanView();
  view.plan = plan();
  let each: (i: OutsourceItem) => void = () => {};
  let answer: (r: OutsourceReport) => void = () => {};
  let refuse: (e: unknown) => void = () => {};
  outsourceStops.mockImplementation((_plan: string, _stops: string[], onItem: (i: OutsourceItem) => void) => {
    each = onItem;
    return new Promise<OutsourceReport>((resolve, reject) => ((answer = resolve), (refuse = reject)));
  });
  render(OutsourceDialog, { props: { view, selected: key(S1), onclose: () => {} } });
  return { view, item: (i: OutsourceItem) => each(i), answer: (r: OutsourceReport) => answer(r), refuse: (e: unknown) => refuse(e) };
}

beforeEach(() => {
  setLang('ja');
  outsourceStops.mockReset();
});
afterEach(() => cleanup());

describe('DIAq へ委託, item by item', () => {
  it('shows n / total and each item as it settles, the rest waiting, then the report', async () => {
    const run = open();
    await fireEvent.click(screen.getByTestId('outsource-confirm'));
    expect(outsourceStops.mock.calls[0]?.[1]).toEqual([key(S1), key(S5)]);
    expect(texts('outsource-progress-count')).toEqual(['処理済み 0 / 2件']);
    expect(texts('outsource-waiting')).toEqual(['S1 待機中', 'S5 待機中']);

    run.item(created(key(S5), '100000000005'));
    await tick();
    expect(texts('outsource-progress-count')).toEqual(['処理済み 1 / 2件']);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    // Settled first, in the order they settle, named as in the ticks.
    expect(texts('outsource-item')).toEqual(['S5 DIAq に委託済み 100000000005（2026/12/08 19:00–20:00）']);
    expect(texts('outsource-waiting')).toEqual(['S1 待機中']);

    run.answer({ plan_id: 'p1', version: 1, items: [created(key(S1), '100000000001'), created(key(S5), '100000000005')], created: 2 });
    await vi.waitFor(() => expect(screen.queryByTestId('outsource-summary')).not.toBeNull());
    expect(screen.getByTestId('outsource-summary').textContent).toMatch(/作成 2件 \/ 2件/);
    expect(screen.queryByTestId('outsource-progress')).toBeNull();
    expect(texts('outsource-item').map((t) => t?.slice(0, 7))).toEqual(['S1 DIAq', 'S5 DIAq']);
    expect(screen.getByTestId('outsource-run').dataset.settled).toBe('1');
  });

  it('keeps the settled items with the error when it fails part-way, the rest not handed over', async () => {
    const run = open();
    await fireEvent.click(screen.getByTestId('outsource-confirm'));
    run.item(created(key(S1), '100000000001'));
    run.refuse({ code: 'transport', message: 'DIAq did not answer', field: null });
    await vi.waitFor(() => expect(screen.queryByTestId('outsource-error')).not.toBeNull());
    expect(screen.getByTestId('outsource-error').textContent).toMatch(/途中で止まりました: DIAq did not answer/);
    expect(texts('outsource-item')).toHaveLength(1);
    expect(texts('outsource-waiting')).toEqual(['S5 未処理']);
    expect(texts('outsource-progress-count')).toEqual(['処理済み 1 / 2件']);
    // Again with the same stops.
    await fireEvent.click(screen.getByTestId('outsource-retry'));
    expect(outsourceStops.mock.calls[1]?.[1]).toEqual([key(S1), key(S5)]);
  });

  it('goes back to the ticks when it fails before anything settled', async () => {
    const run = open();
    await fireEvent.click(screen.getByTestId('outsource-confirm'));
    run.refuse({ code: 'bad_request', message: 'stop_ids: no stop "x" in this plan', field: 'stop_ids' });
    await vi.waitFor(() => expect(screen.queryByTestId('outsource-error')).not.toBeNull());
    expect(screen.getByTestId('outsource-error').textContent).toBe('stop_ids: no stop "x" in this plan');
    expect(screen.getAllByTestId('outsource-candidate')).toHaveLength(2);
    expect(screen.queryByTestId('outsource-run')).toBeNull();
  });

  it('words each stop’s reason and a missing window in the window’s language', async () => {
    const noWindow = (stopId: string, wanted: [number, number], nearest = true): OutsourceItem => ({
      stop_id: stopId,
      source: { kind: 'file', line: 9, external_stop_id: stopId },
      order_reference: 'HK9',
      outcome: 'no_fitting_window',
      nearest: nearest ? { id: 'h', starts_at: '2026-12-08T21:00:00+09:00', ends_at: '2026-12-08T22:00:00+09:00', expires_at: '2026-12-08T18:00:00+09:00' } : null,
      wanted,
    });
    for (const [lang, reason, none, day] of [
      ['ja', '時間指定に間に合うドライバーがいません（最も近い: 鈴木、25分遅れ）', 'S5 19:00–19:30 に収まる DIAq の枠がありません — 最も近い枠 2026/12/08 21:00–22:00', 'S1 この日の DIAq の枠がありません'],
      ['en', 'No driver reaches it within its time window (closest: 鈴木, 25 min late)', 'S5 DIAq has no window within 19:00–19:30 — nearest window', 'S1 DIAq has no window that day'],
    ] as const) {
      setLang(lang);
      const run = open();
      const candidates = texts('outsource-candidate');
      expect(candidates[1]).toContain(reason);
      await fireEvent.click(screen.getByTestId('outsource-confirm'));
      run.item(noWindow(key(S5), [19 * 3600, 19.5 * 3600]));
      run.item(noWindow(key(S1), [0, 24 * 3600], false));
      await tick();
      const items = texts('outsource-item');
      expect(items[0]).toContain(none);
      expect(items[1]).toBe(day);
      cleanup();
    }
  });
  it('words a queued stop’s reason and a refused stop’s DIAq 400 in the window’s language, the API’s words in the tooltip', async () => {
    const phone = 'customer.phone: must match /(\\A0\\d{1,3}-\\d{2,4}-\\d{3,4}\\Z)|(\\A0\\d{9,10}\\Z)/';
    const run = open();
    await fireEvent.click(screen.getByTestId('outsource-confirm'));
    run.item({
      stop_id: key(S1), source: { kind: 'file', line: 1, external_stop_id: 'S1' }, order_reference: 'HK1',
      outcome: 'queued', client_id: 'c1', reason: { code: 'transport', message: 'error sending request', field: null },
    });
    run.item({
      stop_id: key(S5), source: { kind: 'file', line: 6, external_stop_id: 'S5' }, order_reference: 'HK5',
      outcome: 'refused', error: { code: 'bad_request', message: phone, field: 'customer.phone' },
    });
    await tick();
    const items = texts('outsource-item');
    expect(items[0]).toBe('S1 未送信のまま保留: API に接続できません。接続が戻ると送信します');
    expect(items[1]).toBe('S5 拒否: API が customer.phone を受け付けませんでした：「03-1234-5678」または「0312345678」の形式で入力してください');
    const what = screen.getAllByTestId('outsource-item').map((li) => li.querySelector('.what')!.getAttribute('title'));
    expect(what).toEqual(['error sending request', phone]);
  });
});

