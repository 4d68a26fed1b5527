import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import Timeline from './Timeline.svelte';
import type { TimelineLock, TimelineMove } from './events';
import { file, fleet, key, plan, S1, S2, S3, S4, S5 } from './fixture';

// jsdom lays nothing out: give the scroller a size and a place, so the timeline draws its rows
// and its drops can be judged (rows from y = 24 under the axis, 40 px each; lanes from x = 188).
const WIDTH = 1188;
const HEIGHT = 400;

// jsdom has no ResizeObserver (bind:clientWidth uses one): report each element once, as observed.
class OnceResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    this.callback([{ target } as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve(): void {}
  disconnect(): void {}
}

beforeEach(() => {
  vi.stubGlobal('ResizeObserver', OnceResizeObserver);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('scroller') ? WIDTH : 0;
  });
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('scroller') ? HEIGHT : 0;
  });
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    if (this.classList.contains('scroller')) return new DOMRect(0, 0, WIDTH, HEIGHT);
    if (this.getAttribute('data-testid') === 'timeline-tray') return new DOMRect(0, 420, WIDTH, 100);
    return new DOMRect(0, 0, 0, 0);
  });
});
afterEach(() => cleanup());

function setup(extra: Record<string, unknown> = {}) {
  const moves: TimelineMove[] = [];
  const locks: TimelineLock[] = [];
  const selected: string[] = [];
  const result = render(Timeline, {
    props: {
      plan: plan(),
      fleet,
      now: new Date('2026-12-07T01:30:00Z'),
      onmove: (m: TimelineMove) => moves.push(m),
      onlock: (l: TimelineLock) => locks.push(l),
      onselect: (k: string) => selected.push(k),
      ...extra,
    },
  });
  return { ...result, moves, locks, selected };
}

const block = (source: typeof S1): HTMLElement =>
  document.querySelector<HTMLElement>(`[data-testid="timeline-stop"][data-stop-id="${key(source)}"]`)!;

describe('Timeline', () => {
  it('draws a row per driver, the stops at their minutes, windows, waits, the now-line and the tray', async () => {
    setup();
    await tick();
    const rows = screen.getAllByTestId('timeline-row');
    expect(rows.map((r) => r.dataset.driver)).toEqual(['a@hakobu.test', 'b@hakobu.test', 'c@hakobu.test']);
    expect(rows[0]!.textContent).toContain('佐藤');
    expect(rows[2]!.textContent).toContain('ルートなし');
    // 08:00–20:00 in 1000 px: 1000/720 px a minute; S1 starts at 09:30.
    const ppm = (WIDTH - 188 - 2) / 720;
    expect(parseFloat(block(S1).style.left)).toBeCloseTo(90 * ppm, 3);
    expect(block(S3).classList.contains('late')).toBe(true);
    expect(block(S3).getAttribute('aria-label')).toContain('15分遅れ');
    expect(rows[0]!.querySelectorAll('.bracket')).toHaveLength(3);
    expect(rows[0]!.querySelectorAll('.wait')).toHaveLength(1);
    expect(rows[0]!.querySelectorAll('.store')).toHaveLength(1);
    const now = screen.getByTestId('timeline-now');
    expect(parseFloat(now.style.left)).toBeCloseTo(188 + 150 * ppm, 3);
    const tray = screen.getAllByTestId('timeline-tray-item');
    expect(tray.map((i) => i.dataset.stopId)).toEqual([key(S5)]);
    expect(tray[0]!.textContent).toContain('時間指定に間に合うドライバーがいません（最も近い: 鈴木、25分遅れ）');
    expect(tray[0]!.textContent).toContain('19:00〜19:30');
  });

  it('the tray counts the stops handed to DIAq apart, as the KPI strip leaves them out', async () => {
    const p = plan();
    p.unassigned.push({ ...p.unassigned[0]!, stop_id: 'handed', source: file(7, 'S6'), diaq_tracking_code: '011859274907' });
    setup({ plan: p });
    await tick();
    expect(screen.getByTestId('timeline-tray-count').textContent).toBe('未割当 1 件・DIAq に委託済み 1 件');
    expect(screen.getAllByTestId('timeline-tray-item')).toHaveLength(2);
  });

  it('後へ in a stop\'s menu moves it one place later', async () => {
    const { moves, selected } = setup();
    await tick();
    await fireEvent.click(block(S1));
    expect(selected).toEqual([key(S1)]);
    const menu = screen.getByTestId('timeline-menu');
    expect(menu.dataset.stopId).toBe(key(S1));
    expect(screen.getByTestId<HTMLButtonElement>('timeline-menu-earlier').disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('timeline-menu-later'));
    expect(moves).toEqual([{ stopId: key(S1), source: S1, fromDriver: 'a@hakobu.test', toDriver: 'a@hakobu.test', position: 1 }]);
    expect(screen.queryByTestId('timeline-menu')).toBeNull();
  });

  it('ドライバーを変更… lists the other drivers and moves the stop to the one picked', async () => {
    const { moves } = setup({ plan: plan({ locked: ['b@hakobu.test'] }) });
    await tick();
    await fireEvent.click(block(S3));
    await fireEvent.click(screen.getByTestId('timeline-menu-driver'));
    const options = screen.getAllByTestId<HTMLButtonElement>('timeline-driver-option');
    expect(options.map((o) => [o.dataset.driver, o.disabled])).toEqual([
      ['b@hakobu.test', true],
      ['c@hakobu.test', false],
    ]);
    await fireEvent.click(options[1]!);
    expect(moves).toEqual([{ stopId: key(S3), source: S3, fromDriver: 'a@hakobu.test', toDriver: 'c@hakobu.test', position: 0 }]);
  });

  it('割り当て… in the tray opens the driver list with the closest driver first', async () => {
    const { moves } = setup();
    await tick();
    await fireEvent.click(screen.getByTestId('timeline-tray-assign'));
    const options = screen.getAllByTestId('timeline-driver-option');
    expect(options.map((o) => o.dataset.driver)).toEqual(['b@hakobu.test', 'a@hakobu.test', 'c@hakobu.test']);
    expect(options[0]!.textContent).toContain('最も近い');
    await fireEvent.click(options[1]!);
    expect(moves).toEqual([{ stopId: key(S5), source: S5, fromDriver: null, toDriver: 'a@hakobu.test', position: 3 }]);
  });

  it('the lock toggles a route and the menu fixes a stop', async () => {
    const { locks } = setup({ plan: plan({ locked: ['b@hakobu.test'] }) });
    await tick();
    const buttons = screen.getAllByTestId<HTMLButtonElement>('timeline-lock');
    expect(buttons.map((b) => [b.getAttribute('aria-pressed'), b.disabled])).toEqual([
      ['false', false],
      ['true', false],
      ['false', true],
    ]);
    await fireEvent.click(buttons[0]!);
    await fireEvent.click(buttons[1]!);
    await fireEvent.click(block(S2));
    await fireEvent.click(screen.getByTestId('timeline-menu-fix'));
    expect(locks).toEqual([
      { kind: 'route', driver: 'a@hakobu.test', locked: true },
      { kind: 'route', driver: 'b@hakobu.test', locked: false },
      { kind: 'stop', stopId: key(S2), source: S2, fixed: true },
    ]);
  });

  it('a stop of a locked route cannot be moved from its menu', async () => {
    setup({ plan: plan({ locked: ['b@hakobu.test'] }) });
    await tick();
    await fireEvent.click(block(S4));
    expect(screen.getByTestId<HTMLButtonElement>('timeline-menu-driver').disabled).toBe(true);
    expect(screen.getByTestId<HTMLButtonElement>('timeline-menu-unassign').disabled).toBe(true);
  });

  it('is usable from the keyboard: arrows walk the stops, Enter opens the menu, Esc closes it', async () => {
    const { moves } = setup();
    await tick();
    expect(block(S1).tabIndex).toBe(0);
    expect(block(S2).tabIndex).toBe(-1);
    block(S1).focus();
    await fireEvent.keyDown(block(S1), { key: 'ArrowRight' });
    await tick();
    expect(document.activeElement).toBe(block(S2));
    await fireEvent.keyDown(block(S2), { key: 'ArrowDown' });
    await tick();
    expect(document.activeElement).toBe(block(S4));
    // Up: the nearest in time on the row above (S4 at 10:40 → S3 at 10:30, not S2 at 10:00).
    await fireEvent.keyDown(block(S4), { key: 'ArrowUp' });
    await tick();
    expect(document.activeElement).toBe(block(S3));
    await fireEvent.keyDown(block(S3), { key: 'Enter' });
    await tick();
    const menu = screen.getByTestId('timeline-menu');
    expect(menu.dataset.stopId).toBe(key(S3));
    expect(document.activeElement).toBe(screen.getByTestId('timeline-menu-driver'));
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId('timeline-menu-earlier'));
    await fireEvent.keyDown(menu, { key: 'Escape' });
    await tick();
    expect(screen.queryByTestId('timeline-menu')).toBeNull();
    expect(document.activeElement).toBe(block(S3));
    expect(moves).toEqual([]);
  });

  it('a pointer drag ending over another row moves the stop there', async () => {
    const { moves } = setup();
    await tick();
    const ppm = (WIDTH - 188 - 2) / 720;
    const xAt = (min: number) => 188 + (min - 480) * ppm;
    const s2 = block(S2);
    await fireEvent.pointerDown(s2, { button: 0, pointerId: 1, clientX: xAt(600), clientY: 24 + 20 });
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: xAt(620), clientY: 24 + 40 + 20 });
    expect(screen.getByTestId('timeline-insert')).toBeTruthy();
    await fireEvent.pointerUp(window, { pointerId: 1, clientX: xAt(660), clientY: 24 + 40 + 20 });
    expect(moves).toEqual([{ stopId: key(S2), source: S2, fromDriver: 'a@hakobu.test', toDriver: 'b@hakobu.test', position: 1 }]);
    // The click that ends a drag opens no menu; the next press and click does.
    await fireEvent.click(s2);
    expect(screen.queryByTestId('timeline-menu')).toBeNull();
    await fireEvent.pointerDown(s2, { button: 0, pointerId: 1, clientX: xAt(600), clientY: 24 + 20 });
    await fireEvent.pointerUp(window, { pointerId: 1, clientX: xAt(600), clientY: 24 + 20 });
    await fireEvent.click(s2);
    expect(screen.getByTestId('timeline-menu').dataset.stopId).toBe(key(S2));
  });

  it('a drag near the bottom edge of the rows scrolls them', async () => {
    setup();
    await tick();
    const scroller = document.querySelector<HTMLElement>('.scroller')!;
    await fireEvent.pointerDown(block(S1), { button: 0, pointerId: 9, clientX: 300, clientY: 44 });
    await fireEvent.pointerMove(window, { pointerId: 9, clientX: 500, clientY: 200 });
    expect(scroller.scrollTop).toBe(0);
    await fireEvent.pointerMove(window, { pointerId: 9, clientX: 500, clientY: HEIGHT - 5 });
    expect(scroller.scrollTop).toBe(20);
    await fireEvent.pointerCancel(window, { pointerId: 9 });
  });

  it('a stop dragged from the tray onto a row is assigned; from a row onto the tray, unassigned', async () => {
    const { moves } = setup();
    await tick();
    const grip = screen.getByTestId('timeline-tray-item').querySelector('.grip')!;
    await fireEvent.pointerDown(grip, { button: 0, pointerId: 3, clientX: 50, clientY: 450 });
    await fireEvent.pointerMove(window, { pointerId: 3, clientX: 400, clientY: 24 + 80 + 10 });
    await fireEvent.pointerUp(window, { pointerId: 3, clientX: 400, clientY: 24 + 80 + 10 });
    await fireEvent.pointerDown(block(S4), { button: 0, pointerId: 4, clientX: 500, clientY: 24 + 60 });
    await fireEvent.pointerMove(window, { pointerId: 4, clientX: 300, clientY: 460 });
    expect(screen.getByTestId('timeline-tray').classList.contains('dropping')).toBe(true);
    await fireEvent.pointerUp(window, { pointerId: 4, clientX: 300, clientY: 460 });
    expect(moves).toMatchObject([
      { stopId: key(S5), fromDriver: null, toDriver: 'c@hakobu.test', position: 0 },
      { stopId: key(S4), fromDriver: 'b@hakobu.test', toDriver: null },
    ]);
    // Those drags ended off their stops (no click came): the next press and click opens a menu.
    await fireEvent.pointerDown(block(S1), { button: 0, pointerId: 5, clientX: 300, clientY: 44 });
    await fireEvent.pointerUp(window, { pointerId: 5, clientX: 300, clientY: 44 });
    await fireEvent.click(block(S1));
    expect(screen.getByTestId('timeline-menu').dataset.stopId).toBe(key(S1));
  });

  it('disabled (an edit in flight), it opens no menu and starts no drag, but still selects', async () => {
    const { moves, selected } = setup({ disabled: true });
    await tick();
    await fireEvent.click(block(S1));
    expect(selected).toEqual([key(S1)]);
    expect(screen.queryByTestId('timeline-menu')).toBeNull();
    await fireEvent.pointerDown(block(S2), { button: 0, pointerId: 1, clientX: 300, clientY: 44 });
    await fireEvent.pointerMove(window, { pointerId: 1, clientX: 400, clientY: 84 });
    await fireEvent.pointerUp(window, { pointerId: 1, clientX: 400, clientY: 84 });
    expect(moves).toEqual([]);
    expect(screen.getAllByTestId<HTMLButtonElement>('timeline-lock').every((b) => b.disabled)).toBe(true);
  });

  it('without drivers it says so, and an empty tray says it is empty', async () => {
    setup({ plan: null, fleet: [] });
    await tick();
    expect(screen.getByTestId('timeline-empty').textContent).toContain('ドライバーがいません');
    expect(screen.getByTestId('timeline-tray').textContent).toContain('未割当の配達先はありません');
  });
});
