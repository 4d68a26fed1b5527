// CalendarState (calendar.svelte.ts) over a mocked IPC: the list of holds, the re-read when a
// hold lapses, a refusal that is not "sold out", and a queued reservation the API refuses when
// it is finally sent. The page's wording of those (whyText) with it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return { ...actual, listTimeZones: vi.fn(), slotGrid: vi.fn(), outboxRows: vi.fn(), reserveWindow: vi.fn() };
});

import {
  listTimeZones,
  outboxRows,
  reserveWindow,
  slotGrid,
  type AnytimeCell,
  type CommandError,
  type GridDay,
  type Hold,
  type OutboxRow,
  type OutboxState,
  type SlotCell,
  type SlotGrid,
} from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import { CalendarState, refusesAsSoldOut, slotKey } from '$features/calendar/calendar.svelte';
import { whyText } from '$features/calendar/whyText';
import CalendarPage from '$features/calendar/CalendarPage.svelte';

const grids = vi.mocked(slotGrid);
const zones = vi.mocked(listTimeZones);
const outbox = vi.mocked(outboxRows);
const reserve = vi.mocked(reserveWindow);

const STORE = '8117ba12-ece6-462e-884a-8df46225fa73';
const NOON = 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3';
const ONE = '0b1d3c3e-4f21-4a8e-9f5e-2a7c1d9e6b01';
const ANYTIME = '5a0c2f9e-1111-4b6f-8d8e-3c9b7a6d5e4f';
const NOW = Date.parse('2026-12-07T10:20:00+09:00');
const DAY1 = '2026-12-08';
const DAY2 = '2026-12-09';
const iso = (at: number) => new Date(at).toISOString();

function slot(zoneId: string, date: string, starts: number, over: Partial<SlotCell> = {}): SlotCell {
  const hh = String(starts).padStart(2, '0');
  return {
    time_zone_id: zoneId,
    starts_at: `${date}T${hh}:00:00+09:00`,
    ends_at: `${date}T${String(starts + 1).padStart(2, '0')}:00:00+09:00`,
    past: false,
    sold_out: false,
    known_as_of: null,
    stale: false,
    extra_charge: false,
    held: 0,
    held_expires_at: null,
    hold_ids: [],
    booked: 0,
    ...over,
  };
}

const anytime = (over: Partial<AnytimeCell> = {}): AnytimeCell => ({ past: false, held: 0, held_expires_at: null, hold_ids: [], booked: 0, ...over });

/** A cell held by us: `ids` unused holds, the soonest lapsing at `expires`. */
const held = (ids: string[], expires: number) => ({ held: ids.length, hold_ids: ids, held_expires_at: iso(expires) });

function day(date: string, noon: Partial<SlotCell> = {}, one: Partial<SlotCell> = {}, any: Partial<AnytimeCell> = {}): GridDay {
  return { date, anytime: anytime(any), cells: [slot(NOON, date, 12, noon), slot(ONE, date, 13, one)] };
}

function grid(...days: GridDay[]): SlotGrid {
  return {
    store_id: STORE,
    start_date: days[0]?.date ?? DAY1,
    now: iso(NOW),
    columns: [
      { time_zone_id: NOON, starts: 12, ends: 13, is_extra_charge: false },
      { time_zone_id: ONE, starts: 13, ends: 14, is_extra_charge: false },
    ],
    anytime_zone_id: ANYTIME,
    days,
  };
}

function row(client_id: string, state: OutboxState, date: string, zone: string, over: Partial<OutboxRow> = {}): OutboxRow {
  return {
    seq: 1,
    client_id,
    kind: 'reserve_window',
    payload: { write: 'reserve_window', store_id: { id: STORE }, reserve_date: date, time_zone_id: zone },
    payload_hash: 'h',
    revision: 0,
    request: null,
    state,
    attempts: 1,
    last_error: null,
    last_error_code: null,
    server_id: null,
    response: null,
    created_at: '2026-12-07T10:19:00+09:00',
    updated_at: '2026-12-07T10:19:00+09:00',
    endpoint: 'http://127.0.0.1:9',
    key_fingerprint: 'f',
    held: false,
    ...over,
  };
}

/** The outbox as `outboxRows(states)` reads it: the rows in those states. */
function outboxOf(rows: () => OutboxRow[]) {
  outbox.mockImplementation(async (states) => rows().filter((r) => states.includes(r.state)));
}

const refusal = (code: CommandError['code'], message: string, field: string | null = null): CommandError => ({ code, message, field });

beforeEach(() => {
  for (const mock of [grids, zones, outbox, reserve]) mock.mockReset();
  setLang('ja');
  zones.mockResolvedValue([]);
  outboxOf(() => []);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the holds of the window calendar', () => {
  it('lists live holds only, soonest expiry first, with the exact expiry of the ones made here', async () => {
    grids.mockResolvedValue(
      grid(
        // A cell's soonest expiry stands for each of its holds unless this page made one.
        day(DAY1, held(['late', 'made-here'], NOW + 20 * 60_000), held(['gone'], NOW - 1000)),
        day(DAY2, held(['soon'], NOW + 5 * 60_000), held(['at-now'], NOW), held(['anytime'], NOW + 10 * 60_000)),
      ),
    );
    const cal = new CalendarState();
    await cal.open(STORE);
    const made: Hold = { id: 'made-here', starts_at: `${DAY1}T12:00:00+09:00`, ends_at: `${DAY1}T13:00:00+09:00`, expires_at: iso(NOW + 25 * 60_000) };
    cal.made = new Map([[made.id, made]]);

    const holds = cal.holds(NOW);
    // Expired a second ago, or expiring at now (gone, as the server sees it): not listed.
    expect(holds.map((h) => h.id)).toEqual(['soon', 'anytime', 'late', 'made-here']);
    expect(holds.map((h) => h.expiresAt)).toEqual([NOW + 5 * 60_000, NOW + 10 * 60_000, NOW + 20 * 60_000, NOW + 25 * 60_000]);
    expect(holds[1]).toMatchObject({ date: DAY2, zone: { anytime: true, id: ANYTIME } });
    expect(holds[0]).toMatchObject({ date: DAY2, zone: { id: NOON, starts: 12 } });

    // Later, the soonest lapses and drops out without a re-read.
    expect(cal.holds(NOW + 5 * 60_000).map((h) => h.id)).toEqual(['anytime', 'late', 'made-here']);
    expect(cal.holds(NOW + 30 * 60_000)).toEqual([]);
  });

  it('is empty before the grid is read', () => {
    expect(new CalendarState().holds(NOW)).toEqual([]);
  });
});

describe('the re-read when a hold lapses', () => {
  it('reads the grid again a second after the soonest hold expires, and the hold is gone', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const soon = NOW + 60_000;
    grids.mockResolvedValueOnce(grid(day(DAY1, held(['h1'], soon), held(['h2'], NOW + 10 * 60_000))));
    grids.mockResolvedValueOnce(grid(day(DAY1, {}, held(['h2'], NOW + 10 * 60_000))));
    const cal = new CalendarState();
    await cal.open(STORE);
    expect(grids).toHaveBeenCalledTimes(1);
    expect(cal.holds(Date.now()).map((h) => h.id)).toEqual(['h1', 'h2']);

    await vi.advanceTimersByTimeAsync(60_999);
    expect(grids).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(grids).toHaveBeenCalledTimes(2);
    expect(grids).toHaveBeenLastCalledWith(STORE, cal.start);
    expect(cal.holds(Date.now()).map((h) => h.id)).toEqual(['h2']);
    cal.dispose();
  });

  it('sets no timer without a live hold, and none survives dispose', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    grids.mockResolvedValue(grid(day(DAY1, held(['old'], NOW - 1000))));
    const cal = new CalendarState();
    await cal.open(STORE);
    expect(vi.getTimerCount()).toBe(0);

    grids.mockResolvedValue(grid(day(DAY1, held(['h1'], NOW + 60_000))));
    await cal.reload();
    expect(vi.getTimerCount()).toBe(1);
    // A re-read replaces the timer rather than adding one.
    await cal.reload();
    expect(vi.getTimerCount()).toBe(1);
    cal.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(grids).toHaveBeenCalledTimes(3);
  });
});

describe('reserving a window', () => {
  it('a refusal other than 404 is a failure: the slot is not called sold out, and the reason is kept', async () => {
    grids.mockResolvedValue(grid(day(DAY1)));
    reserve.mockRejectedValue(refusal('bad_request', 'reserve_date: is beyond the horizon', 'reserve_date'));
    const cal = new CalendarState();
    await cal.open(STORE);
    const zone = cal.rows[1]!;
    const outcome = await cal.reserve(DAY1, zone);
    expect(outcome).toMatchObject({ kind: 'failed', date: DAY1, why: { code: 'bad_request', field: 'reserve_date', message: 'reserve_date: is beyond the horizon' } });
    expect(cal.outcome).toEqual(outcome);
    expect(cal.refused.size).toBe(0);
    expect(cal.view(cal.grid!.days[0]!, zone, NOW).state).toBe('unknown');
    expect(cal.busy).toBeNull();
  });

  it('a 404 turns the slot sold out at once', async () => {
    grids.mockResolvedValue(grid(day(DAY1)));
    reserve.mockRejectedValue(refusal('not_found', 'window unavailable'));
    const cal = new CalendarState();
    await cal.open(STORE);
    const zone = cal.rows[1]!;
    expect(await cal.reserve(DAY1, zone)).toMatchObject({ kind: 'refused', reason: 'sold_out', why: { code: 'not_found' } });
    expect(cal.view(cal.grid!.days[0]!, zone, Date.now())).toMatchObject({ state: 'sold_out', action: 'refuse' });
  });

  it('only a 404 refuses as sold out', () => {
    expect(refusesAsSoldOut('not_found')).toBe(true);
    for (const code of ['bad_request', 'conflict', 'unauthorized', 'transport', 'internal', null] as const) {
      expect(refusesAsSoldOut(code)).toBe(false);
    }
  });
});

describe('a reservation queued offline', () => {
  /** Queues a reservation of DAY1 12時 and returns the state and the outbox it sees. */
  async function queued() {
    const rows: OutboxRow[] = [];
    outboxOf(() => rows);
    grids.mockResolvedValue(grid(day(DAY1)));
    reserve.mockImplementation(async () => {
      rows.push(row('c-1', 'pending', DAY1, NOON, { last_error: 'could not reach the API: connection refused', last_error_code: 'transport' }));
      return { state: 'queued', client_id: 'c-1', reason: refusal('transport', 'could not reach the API: connection refused') };
    });
    const cal = new CalendarState();
    await cal.open(STORE);
    const zone = cal.rows[1]!;
    const outcome = await cal.reserve(DAY1, zone);
    expect(outcome).toMatchObject({ kind: 'queued', clientId: 'c-1', why: { code: 'transport' } });
    expect(cal.view(cal.grid!.days[0]!, zone, NOW).state).toBe('pending');
    return { cal, zone, rows };
  }

  it('refused as unavailable when finally sent, turns its slot sold out and says so', async () => {
    const { cal, zone, rows } = await queued();
    const refusedAt = '2026-12-07T10:25:00+09:00';
    rows[0] = { ...rows[0]!, state: 'failed', last_error: 'window unavailable', last_error_code: 'not_found', updated_at: refusedAt };
    await cal.reload();
    expect(cal.pending.size).toBe(0);
    expect(cal.refused.get(slotKey(DAY1, NOON))).toBe(Date.parse(refusedAt));
    expect(cal.view(cal.grid!.days[0]!, zone, Date.parse(refusedAt) + 1000)).toMatchObject({ state: 'sold_out', action: 'refuse', knownAt: Date.parse(refusedAt) });
    expect(cal.outcome).toMatchObject({ kind: 'sent', held: false, soldOut: true, why: { code: 'not_found', message: 'window unavailable' } });
  });

  it('refused for another reason, is said refused with that reason, and the slot is not called sold out', async () => {
    const { cal, zone, rows } = await queued();
    rows[0] = { ...rows[0]!, state: 'failed', last_error: 'store_id: unknown store', last_error_code: 'bad_request' };
    await cal.reload();
    expect(cal.refused.size).toBe(0);
    expect(cal.view(cal.grid!.days[0]!, zone, NOW).state).toBe('unknown');
    expect(cal.outcome).toMatchObject({ kind: 'sent', held: false, soldOut: false, why: { code: 'bad_request' } });
  });

  it('held when sent, is said held', async () => {
    const { cal, rows } = await queued();
    rows[0] = { ...rows[0]!, state: 'acked', last_error: null, last_error_code: null };
    grids.mockResolvedValue(grid(day(DAY1, held(['h1'], NOW + 30 * 60_000))));
    await cal.reload();
    expect(cal.outcome).toMatchObject({ kind: 'sent', held: true, soldOut: false, why: null });
  });

  it('a reservation queued before the page opened, refused as unavailable, turns its slot sold out too', async () => {
    const rows = [row('c-old', 'pending', DAY1, ONE)];
    outboxOf(() => rows);
    grids.mockResolvedValue(grid(day(DAY1)));
    const cal = new CalendarState();
    await cal.open(STORE);
    expect([...cal.pending]).toEqual([slotKey(DAY1, ONE)]);
    rows[0] = { ...rows[0]!, state: 'failed', last_error: '', last_error_code: 'not_found' };
    await cal.reload();
    expect(cal.refused.has(slotKey(DAY1, ONE))).toBe(true);
    expect(cal.outcome).toBeNull();
  });

  it('keeps what waits when the outbox cannot be read', async () => {
    const { cal } = await queued();
    outbox.mockRejectedValue(refusal('cache', 'database is locked'));
    await cal.reload();
    expect([...cal.pending]).toEqual([slotKey(DAY1, NOON)]);
    expect(cal.outcome).toMatchObject({ kind: 'queued' });
  });
});

describe('the reasons, worded from their code', () => {
  it('says each code in Japanese and English, and names a reservation field', () => {
    expect(whyText({ code: 'not_found', field: null, message: 'window unavailable' })).toBe('API の回答：この時間枠は予約できません。');
    expect(whyText({ code: 'transport', field: null, message: 'could not reach the API' })).toBe('API に接続できません。');
    expect(whyText({ code: 'bad_request', field: 'reserve_date', message: 'reserve_date: bad' })).toBe('API が予約日を受け付けませんでした。');
    expect(whyText({ code: 'bad_request', field: 'other_field', message: 'other_field: bad' })).toBe('API がother_fieldを受け付けませんでした。');
    expect(whyText({ code: null, field: null, message: 'refused' })).toBe('理由は保存待ちの一覧にあります。');
    setLang('en');
    expect(whyText({ code: 'not_found', field: null, message: '' })).toBe('The API answered: this window cannot be reserved.');
    expect(whyText({ code: 'bad_request', field: 'time_zone_id', message: '' })).toBe('The API did not accept the time window.');
  });
});

describe('the page', () => {
  it('shows a failure in the page language, the API words in the tooltip only', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    grids.mockResolvedValue(grid(day(DAY1)));
    reserve.mockRejectedValue(refusal('bad_request', 'reserve_date: is beyond the horizon', 'reserve_date'));
    const { container } = render(CalendarPage, { params: { storeId: STORE } });
    await waitFor(() => expect(container.querySelectorAll('[data-testid="calendar-cell"]').length).toBe(3));
    container.querySelector<HTMLElement>(`[data-testid="calendar-cell"][data-date="${DAY1}"][data-zone="${NOON}"]`)!.click();
    const outcome = await screen.findByTestId('calendar-outcome');
    await waitFor(() => expect(outcome.dataset.kind).toBe('failed'));
    expect(outcome.dataset.code).toBe('bad_request');
    expect(outcome.textContent).toContain('を確保できませんでした。');
    const why = screen.getByTestId('calendar-outcome-why');
    expect(why.textContent).toBe('API が予約日を受け付けませんでした。');
    expect(why.title).toBe('reserve_date: is beyond the horizon');
    expect(outcome.textContent).not.toContain('beyond the horizon');
  });

  it('says a refusal of the first seconds happened just now, and older knowledge with its age', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    grids.mockResolvedValue(grid(day(DAY1, {}, { sold_out: true, known_as_of: iso(NOW - 3 * 60_000) })));
    reserve.mockRejectedValue(refusal('not_found', 'window unavailable'));
    const { container } = render(CalendarPage, { params: { storeId: STORE } });
    const cell = (zone: string) => container.querySelector<HTMLElement>(`[data-testid="calendar-cell"][data-date="${DAY1}"][data-zone="${zone}"]`)!;
    await waitFor(() => expect(cell(ONE).dataset.state).toBe('sold_out'));
    cell(ONE).focus();
    await waitFor(() => expect(screen.getByTestId('calendar-detail-learnt').textContent).toBe('3分前の見積による'));
    cell(NOON).click();
    await waitFor(() => expect(cell(NOON).dataset.state).toBe('sold_out'));
    expect(screen.getByTestId('calendar-detail-learnt').textContent).toBe('たった今、確保を断られました');
    expect(screen.getByTestId('calendar-outcome-why').textContent).toBe('API の回答：この時間枠は予約できません。');
    setLang('en');
    await waitFor(() => expect(screen.getByTestId('calendar-detail-learnt').textContent).toBe('A reservation was refused just now'));
  });

  it('says a grid it cannot read in the page language, the app words in the tooltip only', async () => {
    grids.mockRejectedValue(refusal('cache', 'cache: database is locked'));
    render(CalendarPage, { params: { storeId: STORE } });
    const error = await screen.findByTestId('calendar-error');
    expect(error.textContent).toContain('枠を読み込めませんでした');
    expect(error.textContent).toContain('ローカルのキャッシュから読めませんでした。');
    expect(error.textContent).not.toContain('database');
    expect(error.closest<HTMLElement>('[title]')?.title).toBe('cache: database is locked');
    cleanup();
    grids.mockRejectedValue(refusal('not_found', 'store 8117ba12 is not cached'));
    render(CalendarPage, { params: { storeId: STORE } });
    expect((await screen.findByTestId('calendar-error')).textContent).toContain('店舗画面で同期するか、ほかの店舗を選んでください。');
  });

  it('joins the parts of a cell label with the language separator', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    grids.mockResolvedValue(grid(day(DAY1, { ...held(['h1'], NOW + 10 * 60_000), booked: 2, extra_charge: true })));
    const { container } = render(CalendarPage, { params: { storeId: STORE } });
    const cell = () => container.querySelector<HTMLElement>(`[data-testid="calendar-cell"][data-date="${DAY1}"][data-zone="${NOON}"]`);
    await waitFor(() => expect(cell()?.dataset.state).toBe('held'));
    expect(cell()!.getAttribute('aria-label')).toMatch(/：確保中・残り 10:00・依頼 2 件・割増$/);
    setLang('en');
    await waitFor(() => expect(cell()!.getAttribute('aria-label')).toMatch(/: Held, 10:00 left, 2 booked, Extra$/));
  });
});
