// The live map's controller: a reading reaches the map as the drivers that changed, never the
// whole layer; fixes that cannot be right are not drawn (logged once); freshness is re-judged
// with the clock; follow mode pans to the selected driver's new fix.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CachedDriver } from '$lib/ipc';

interface FakeLayer {
  opts: {
    rank: number;
    onlayout?: () => void;
    onstackclick?: (points: unknown[], at: { lat: number; lng: number }) => void;
    tooltip?: (p: unknown) => string | null;
  };
  upserts: { id: number }[][];
  removals: unknown[][];
  stack: unknown[];
}
const layers: FakeLayer[] = [];

vi.mock('$lib/map/pointLayer', () => ({
  PointLayer: class {
    opts: { rank: number };
    upserts: unknown[][] = [];
    removals: unknown[][] = [];
    stack: unknown[] = [];
    constructor(_map: unknown, opts: { rank: number }) {
      this.opts = opts;
      layers.push(this as unknown as FakeLayer);
    }
    upsert(points: unknown[]) {
      if (points.length) this.upserts.push(points);
    }
    remove(ids: unknown[]) {
      if (ids.length) this.removals.push(ids);
    }
    set() {}
    select() {}
    setVisible() {}
    restyle() {}
    destroy() {}
    get() {
      return undefined;
    }
    stackOf() {
      return this.stack;
    }
    all() {
      return [][Symbol.iterator]();
    }
  },
}));
vi.mock('$lib/map/lineLayer', () => ({
  LineLayer: class {
    set() {}
    setAll() {}
    delete() {}
    destroy() {}
  },
}));
vi.mock('$lib/map/pointCanvas', () => ({
  PointCanvas: class {
    renderer = {};
    pane = 'points';
    destroy() {}
  },
}));
vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  driverTrail: vi.fn().mockResolvedValue([]),
  listDrivers: vi.fn().mockResolvedValue([]),
  driversByIds: vi.fn().mockResolvedValue([]),
  listOrders: vi.fn().mockResolvedValue([]),
}));
vi.mock('$lib/ipc/board', () => ({
  orderPage: vi.fn().mockResolvedValue({ total: 0, offset: 0, rows: [] }),
}));

const { LiveMap } = await import('$features/map/liveMap.svelte');
const { ChangedIds } = await import('$lib/ipc/events.svelte');
const ipc = await import('$lib/ipc');

const NOW = Date.parse('2026-12-07T10:00:00+09:00');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

function driver(id: number, over: Partial<CachedDriver> = {}): CachedDriver {
  return {
    id,
    name: `ドライバー${id}`,
    phone: null,
    vehicle_type: null,
    lat: 35.6 + id / 100,
    lng: 139.7,
    located_at: at(10_000),
    job: { kind: 'delivery', id: `d${id}`, status: 'delivering' },
    fetched_at: at(0),
    ...over,
  };
}

function fakeMap() {
  return {
    on: vi.fn(),
    off: vi.fn(),
    getZoom: () => 12,
    panTo: vi.fn(),
    getBounds: () => ({ pad: () => ({ contains: () => true }) }),
  };
}

function setup(watch: InstanceType<typeof ChangedIds> | null = null) {
  layers.length = 0;
  const live = new LiveMap({ age: (a) => `${a.n}${a.unit}` }, watch);
  const map = fakeMap();
  live.attach(map as never);
  const drivers = layers.find((l) => l.opts.rank === 3)!;
  return { live, map, drivers };
}

describe('the live map controller', () => {
  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  it('puts every driver on the map once, then only those that changed', () => {
    const { live, drivers } = setup();
    const fleet = Array.from({ length: 50 }, (_, i) => driver(i + 1));
    live.apply(fleet, NOW);
    expect(drivers.upserts).toHaveLength(1);
    expect(drivers.upserts[0]).toHaveLength(50);
    expect(live.total).toBe(50);
    expect(live.counts.delivering).toBe(50);
    expect(live.roster).toHaveLength(50);

    // The same reading again: nothing moves on the map.
    live.apply(fleet.map((d) => ({ ...d, fetched_at: at(-1000) })), NOW);
    expect(drivers.upserts).toHaveLength(1);

    // Two moved, one changed job: three points, no others.
    const next = fleet.map((d) => ({ ...d }));
    next[4] = { ...next[4]!, lat: 35.7, located_at: at(0) };
    next[9] = { ...next[9]!, lng: 139.8, located_at: at(0) };
    next[20] = { ...next[20]!, job: { kind: 'delivery', id: 'd21', status: 'returning' } };
    live.apply(next, NOW);
    expect(drivers.upserts).toHaveLength(2);
    expect(drivers.upserts[1]!.map((p) => p.id).sort((a, b) => a - b)).toEqual([5, 10, 21]);
    expect(live.counts.returning).toBe(1);
    expect(live.newestFix).toBe(at(0));
  });

  it('takes a driver off the map when the cache no longer has it', () => {
    const { live, drivers } = setup();
    live.apply([driver(1), driver(2)], NOW);
    live.apply([driver(1)], NOW);
    expect(drivers.removals).toEqual([[2]]);
    expect(live.total).toBe(1);
    expect(live.roster.map((r) => r.id)).toEqual([1]);
  });

  it('never draws a fix that cannot be right, and says so once', () => {
    const { live, drivers } = setup();
    const warn = vi.mocked(console.warn);
    live.apply([driver(1, { lat: 135.2 }), driver(2, { located_at: new Date(NOW + 10 * 60_000).toISOString() })], NOW);
    live.apply([driver(1, { lat: 135.2 }), driver(2, { located_at: new Date(NOW + 10 * 60_000).toISOString() })], NOW + 1000);
    expect(drivers.upserts).toHaveLength(0);
    expect(live.total).toBe(0);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('keeps the position on screen when an older fix comes, but takes its news', () => {
    const { live, drivers } = setup();
    live.apply([driver(1, { located_at: at(0) })], NOW);
    live.apply([driver(1, { lat: 30, located_at: at(60_000), job: null })], NOW);
    const last = drivers.upserts.at(-1)!;
    expect(last).toHaveLength(1);
    expect(live.driver(1)).toMatchObject({ lat: 35.61, activity: 'idle' });
  });

  it('restyles only the drivers whose fix crossed a threshold as the clock moves', () => {
    const { live, drivers } = setup();
    live.apply([driver(1, { located_at: at(90_000) }), driver(2, { located_at: at(0) }), driver(3, { located_at: at(9 * 60_000) })], NOW);
    expect(live.counts).toMatchObject({ fresh: 2, stale: 1, lost: 0 });
    live.tick(NOW + 60_000);
    // 1: 2.5 min → stale; 2: 1 min, still fresh; 3: 10 min, still stale.
    expect(drivers.upserts.at(-1)!.map((p) => p.id)).toEqual([1]);
    live.tick(NOW + 2 * 60_000);
    // 3 is lost now (11 min), labelled with its age; 2 stale (2 min).
    expect(drivers.upserts.at(-1)!.map((p) => p.id).sort()).toEqual([2, 3]);
    expect(live.driver(3)).toMatchObject({ freshness: 'lost', age: { unit: 'minutes', n: 11 } });
    live.tick(NOW + 2 * 60_000 + 10_000);
    expect(drivers.upserts).toHaveLength(3); // nothing crossed anything: no upsert
  });

  it('follows the selected driver to each new fix until told not to', () => {
    const { live, map } = setup();
    live.apply([driver(1)], NOW);
    live.selectDriver(1);
    live.setFollow(true);
    map.panTo.mockClear();
    live.apply([driver(1, { lat: 35.7, located_at: at(0) })], NOW);
    expect(map.panTo).toHaveBeenCalledWith([35.7, 139.7]);
    expect(live.selected?.lat).toBe(35.7);
    live.setFollow(false);
    map.panTo.mockClear();
    live.apply([driver(1, { lat: 35.8, located_at: at(-1000) })], NOW);
    expect(map.panTo).not.toHaveBeenCalled();
  });
});

describe('reading only the drivers a change named', () => {
  it('takes a driver asked for and not found off the map; leaves the others', () => {
    const { live, drivers } = setup();
    live.apply([driver(1), driver(2), driver(3)], NOW);
    live.apply([driver(2, { lat: 35.9, located_at: at(0) })], NOW, [2, 3]);
    expect(drivers.upserts.at(-1)!.map((p) => p.id)).toEqual([2]);
    expect(drivers.removals).toEqual([[3]]);
    expect(live.total).toBe(2);
  });
});

describe('moves the events carried', () => {
  it('draws the rows an event carried without reading them; reads only the ids named without one', async () => {
    const watch = new ChangedIds();
    const { live, drivers } = setup(watch);
    const listDrivers = vi.mocked(ipc.listDrivers);
    const driversByIds = vi.mocked(ipc.driversByIds);
    listDrivers.mockResolvedValueOnce([driver(1), driver(2), driver(3)]);
    live.requestDrivers();
    await vi.waitFor(() => expect(live.total).toBe(3)); // the first take: the whole fleet
    driversByIds.mockClear();

    // A batch of moves, each with its row: drawn as carried, nothing read.
    watch.add([1, 2], [driver(1, { lat: 35.9, located_at: new Date().toISOString() }), driver(2, { lat: 35.95, located_at: new Date().toISOString() })]);
    live.requestDrivers();
    await vi.waitFor(() => expect(live.driver(2)?.lat).toBe(35.95));
    expect(live.driver(1)?.lat).toBe(35.9);
    expect(driversByIds).not.toHaveBeenCalled();
    expect(drivers.upserts.at(-1)!.map((p) => p.id).sort()).toEqual([1, 2]);

    // A row carried, then the same driver named again without one (a job change a sync saw):
    // that one is read, the other comes as carried.
    driversByIds.mockResolvedValueOnce([driver(3, { job: null })]);
    watch.add([1], [driver(1, { lat: 35.91, located_at: new Date(Date.now() + 1).toISOString() })]);
    watch.add([3]);
    watch.add([3, 1], [driver(1, { lat: 35.92, located_at: new Date(Date.now() + 2).toISOString() })]);
    live.requestDrivers();
    await vi.waitFor(() => expect(live.driver(3)?.activity).toBe('idle'));
    expect(driversByIds).toHaveBeenCalledExactlyOnceWith([3]);
    expect(live.driver(1)?.lat).toBe(35.92);
  });
});

describe('drivers drawn on one spot', () => {
  it('lists them all when the spot is clicked, to choose one', () => {
    const { live, drivers } = setup();
    live.apply([driver(1), driver(2)], NOW);
    drivers.opts.onstackclick!([live.driver(2), live.driver(1)], { lat: 35.61, lng: 139.7 });
    expect(live.panel).toEqual({ kind: 'cluster', ids: [2, 1], at: { lat: 35.61, lng: 139.7 }, stack: true });
    live.selectDriver(1);
    expect(live.panel).toEqual({ kind: 'driver', id: 1 });
  });

  it("says who else is on the selected driver's spot, and opens the same list from its panel", () => {
    const { live, drivers } = setup();
    live.apply([driver(1), driver(2), driver(3)], NOW);
    live.selectDriver(1);
    drivers.stack = [live.driver(1), live.driver(3)];
    drivers.opts.onlayout!();
    expect(live.stack).toEqual([3]);
    live.openStack();
    expect(live.panel).toMatchObject({ kind: 'cluster', ids: [1, 3], stack: true });
    // The list is not a selection: nothing is stacked on a driver that is not selected.
    drivers.opts.onlayout!();
    expect(live.stack).toEqual([]);
    live.openStack();
    expect(live.panel).toMatchObject({ kind: 'cluster', ids: [1, 3] });
  });

  it('has nothing to list when the selected driver is alone', () => {
    const { live, drivers } = setup();
    live.apply([driver(1)], NOW);
    live.selectDriver(1);
    drivers.stack = [live.driver(1)];
    drivers.opts.onlayout!();
    expect(live.stack).toEqual([]);
    live.openStack();
    expect(live.panel).toEqual({ kind: 'driver', id: 1 });
  });
});

describe("a driver's tooltip", () => {
  it('is what the page words it as, at the time it is shown', () => {
    layers.length = 0;
    const tip = vi.fn((p: { driver: { name: string } }, now: number) => `${p.driver.name} @${now}`);
    const live = new LiveMap({ age: () => '', tip });
    live.attach(fakeMap() as never);
    live.apply([driver(1)], NOW);
    const drivers = layers.find((l) => l.opts.rank === 3)!;
    vi.spyOn(Date, 'now').mockReturnValue(NOW + 5000);
    expect(drivers.opts.tooltip!(live.driver(1))).toBe(`ドライバー1 @${NOW + 5000}`);
  });
});
