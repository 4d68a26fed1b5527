// The 枠カレンダー's data for one store: the grid from the cache (14 days from a start date),
// the time zones, the reservations waiting in the outbox, and what reserving taught us (a
// refusal as sold out, the exact expiry of the holds we made). Re-read when orders, stores or
// the outbox move, and when a hold lapses.
import {
  listTimeZones,
  outboxRows,
  reserveWindow,
  slotGrid,
  type CommandError,
  type CommandErrorCode,
  type GridColumn,
  type GridDay,
  type Hold,
  type OutboxRow,
  type SlotGrid,
  type TimeZone,
} from '$lib/ipc';
import { addDays, todayInTokyo } from '$lib/time';
import { anytimeFacts, cellView, timeSlotFacts, type CellView, type LocalFacts } from '$features/calendar/cellState';

export const DAYS = 14;

/** A row of the grid: the anytime zone (時間指定なし) or one hourly zone. */
export interface ZoneRow {
  id: string;
  anytime: boolean;
  starts: number;
  ends: number;
  extraCharge: boolean;
}

export interface HoldEntry {
  id: string;
  date: string;
  zone: ZoneRow;
  expiresAt: number;
}

/** Why the API (or the app) said no: the code and field the view words, the English beside
 *  them for support. A refusal kept in the outbox before codes were kept has none. */
export interface Why {
  code: CommandErrorCode | null;
  field: string | null;
  message: string;
}

export type Outcome =
  | { kind: 'held'; date: string; zone: ZoneRow; hold: Hold }
  | { kind: 'queued'; date: string; zone: ZoneRow; clientId: string; why: Why }
  /** A queued reservation left the outbox: held now, or not — refused (`why`, `soldOut` when
   *  the slot turned sold out), or gone without a refusal kept (discarded). */
  | { kind: 'sent'; date: string; zone: ZoneRow; held: boolean; soldOut: boolean; why: Why | null }
  | { kind: 'refused'; date: string; zone: ZoneRow; reason: 'sold_out' | 'past' | 'pending'; why: Why | null }
  | { kind: 'failed'; date: string; zone: ZoneRow; why: Why };

export const slotKey = (date: string, zoneId: string): string => `${date}|${zoneId}`;

/** A reservation the API refuses with 404 (指定した時間枠が予約できない場合, the DIAq document):
 *  the slot is sold out. Whether the refusal came at once or when a queued reservation was sent. */
export const refusesAsSoldOut = (code: CommandErrorCode | null): boolean => code === 'not_found';

const whyOf = (e: CommandError): Why => ({ code: e.code, field: e.field, message: e.message });

/** The reservation a queued row of the outbox makes: its store and slot. */
function reservationOf(row: OutboxRow): { storeId: string; key: string } | null {
  const p = row.payload as { store_id?: { id?: string }; reserve_date?: string; time_zone_id?: string } | null;
  if (row.kind !== 'reserve_window' || !p?.store_id?.id || !p.reserve_date || !p.time_zone_id) return null;
  return { storeId: p.store_id.id, key: slotKey(p.reserve_date, p.time_zone_id) };
}

/** The hourly zones in order (from `GET /v1/time_zones` as cached), else the grid's columns. */
export function zoneRows(zones: TimeZone[], columns: GridColumn[], anytimeId: string): ZoneRow[] {
  const hourly: ZoneRow[] = zones
    .filter((z) => z.status === 'time')
    .sort((a, b) => a.starts - b.starts)
    .map((z) => ({ id: z.id, anytime: false, starts: z.starts, ends: z.ends, extraCharge: z.is_extra_charge }));
  const rows =
    hourly.length > 0
      ? hourly
      : columns.map((c) => ({ id: c.time_zone_id, anytime: false, starts: c.starts, ends: c.ends, extraCharge: c.is_extra_charge }));
  const anytime = zones.find((z) => z.status === 'anytime');
  return [{ id: anytime?.id ?? anytimeId, anytime: true, starts: 0, ends: 0, extraCharge: false }, ...rows];
}

export class CalendarState {
  storeId = $state<string | null>(null);
  start = $state(todayInTokyo());
  grid = $state.raw<SlotGrid | null>(null);
  zones = $state.raw<TimeZone[]>([]);
  error = $state<CommandError | null>(null);
  loading = $state(false);
  /** Slots with a reservation waiting in the outbox. */
  pending = $state.raw<Set<string>>(new Set());
  /** Slots the API refused as sold out, and when. */
  refused = $state.raw<Map<string, number>>(new Map());
  /** Holds we made here: their own expiry (the grid gives each slot's soonest only). */
  made = $state.raw<Map<string, Hold>>(new Map());
  busy = $state<string | null>(null);
  outcome = $state.raw<Outcome | null>(null);
  #seq = 0;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** This store's reservations seen waiting in the outbox, by client id: their slot. One that
   *  leaves the queue was sent; its row says whether the API refused it. */
  #waiting = new Map<string, string>();

  rows = $derived(this.grid ? zoneRows(this.zones, this.grid.columns, this.grid.anytime_zone_id) : []);

  async open(storeId: string): Promise<void> {
    if (storeId !== this.storeId) {
      this.storeId = storeId;
      this.grid = null;
      this.refused = new Map();
      this.outcome = null;
      this.#waiting = new Map();
    }
    await this.reload();
  }

  setStart(date: string): void {
    this.start = date;
    void this.reload();
  }

  async loadZones(): Promise<void> {
    try {
      this.zones = await listTimeZones();
    } catch {
      // The grid's own columns stand in.
    }
  }

  async reload(): Promise<void> {
    const storeId = this.storeId;
    if (!storeId) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const [grid, rows] = await Promise.all([slotGrid(storeId, this.start), outboxRows(['pending', 'in_flight']).catch(() => null)]);
      if (seq !== this.#seq) return;
      // The outbox unreadable: what waits is not known; keep what was.
      const waiting = rows === null ? this.#waiting : new Map<string, string>();
      for (const row of rows ?? []) {
        const r = reservationOf(row);
        if (r?.storeId === storeId) waiting.set(row.client_id, r.key);
      }
      const sent = [...this.#waiting].filter(([id]) => !waiting.has(id));
      const settled = sent.length > 0 ? await outboxRows(['failed', 'conflict']).catch(() => []) : [];
      if (seq !== this.#seq) return;
      this.grid = grid;
      this.error = null;
      this.#waiting = waiting;
      this.pending = new Set(waiting.values());
      this.#settle(grid, sent, settled);
      this.#scheduleExpiry(grid);
    } catch (error) {
      if (seq === this.#seq) this.error = error as CommandError;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Reservations that left the outbox: one the API refused as unavailable turns its slot sold
   *  out, as a refusal at once does; the outcome of one queued here says how it went. */
  #settle(grid: SlotGrid, sent: [string, string][], settled: OutboxRow[]): void {
    let refused: Map<string, number> | null = null;
    const o = this.outcome;
    for (const [id, key] of sent) {
      const row = settled.find((r) => r.client_id === id);
      const why: Why | null = row ? { code: row.last_error_code, field: null, message: row.last_error ?? '' } : null;
      const soldOut = why !== null && refusesAsSoldOut(why.code);
      if (soldOut) {
        const at = Date.parse(row!.updated_at);
        (refused ??= new Map(this.refused)).set(key, Number.isNaN(at) ? Date.now() : at);
      }
      if (o?.kind === 'queued' && o.clientId === id) {
        const day = grid.days.find((d) => d.date === o.date);
        const cell = o.zone.anytime ? day?.anytime : day?.cells.find((c) => c.time_zone_id === o.zone.id);
        const held = !why && (cell?.held ?? 0) > 0;
        this.outcome = { kind: 'sent', date: o.date, zone: o.zone, held, soldOut, why };
      }
    }
    if (refused) this.refused = refused;
  }

  /** Re-read just after the soonest hold lapses, so the grid's counts follow. */
  #scheduleExpiry(grid: SlotGrid): void {
    clearTimeout(this.#expiryTimer);
    const now = Date.now();
    let soonest = Infinity;
    for (const day of grid.days) {
      for (const c of [day.anytime, ...day.cells]) {
        const at = c.held_expires_at ? Date.parse(c.held_expires_at) : NaN;
        if (at > now && at < soonest) soonest = at;
      }
    }
    if (Number.isFinite(soonest)) this.#expiryTimer = setTimeout(() => void this.reload(), soonest - now + 1000);
  }

  dispose(): void {
    clearTimeout(this.#expiryTimer);
    this.#seq++;
  }

  local(date: string, zoneId: string): LocalFacts {
    const k = slotKey(date, zoneId);
    return { pending: this.pending.has(k), refusedAt: this.refused.get(k) ?? null };
  }

  /** The view of a cell at `now`. */
  view(day: GridDay, zone: ZoneRow, now: number): CellView {
    if (zone.anytime) return cellView(anytimeFacts(day.date, day.anytime), now, this.local(day.date, zone.id));
    const cell = day.cells.find((c) => c.time_zone_id === zone.id);
    if (!cell) return cellView({ closesAt: -Infinity, past: true, soldOut: false, knownAsOf: null, stale: false, extraCharge: zone.extraCharge, held: 0, heldExpiresAt: null, booked: 0 }, now);
    return cellView(timeSlotFacts(cell), now, this.local(day.date, zone.id));
  }

  holdIds(day: GridDay, zone: ZoneRow): string[] {
    if (zone.anytime) return day.anytime.hold_ids;
    return day.cells.find((c) => c.time_zone_id === zone.id)?.hold_ids ?? [];
  }

  /** Every live hold of ours, soonest expiry first. */
  holds(now: number): HoldEntry[] {
    const grid = this.grid;
    if (!grid) return [];
    const out: HoldEntry[] = [];
    for (const day of grid.days) {
      for (const zone of this.rows) {
        const cell = zone.anytime ? day.anytime : day.cells.find((c) => c.time_zone_id === zone.id);
        if (!cell || cell.held === 0 || !cell.held_expires_at) continue;
        for (const id of cell.hold_ids) {
          const exact = this.made.get(id)?.expires_at;
          const expiresAt = Date.parse(exact ?? cell.held_expires_at);
          if (expiresAt > now) out.push({ id, date: day.date, zone, expiresAt });
        }
      }
    }
    return out.sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /** Asks the API to hold a slot: held, queued (offline) or refused (sold out meanwhile). */
  async reserve(date: string, zone: ZoneRow): Promise<Outcome | null> {
    const storeId = this.storeId;
    if (!storeId || this.busy) return null;
    const k = slotKey(date, zone.id);
    this.busy = k;
    let outcome: Outcome;
    try {
      const written = await reserveWindow(storeId, date, zone.id);
      if (written.state === 'applied') {
        this.made = new Map(this.made).set(written.value.id, written.value);
        const refused = new Map(this.refused);
        refused.delete(k);
        this.refused = refused;
        outcome = { kind: 'held', date, zone, hold: written.value };
      } else {
        this.pending = new Set(this.pending).add(k);
        this.#waiting.set(written.client_id, k);
        outcome = { kind: 'queued', date, zone, clientId: written.client_id, why: whyOf(written.reason) };
      }
    } catch (e) {
      const error = e as CommandError;
      if (refusesAsSoldOut(error.code)) {
        this.refused = new Map(this.refused).set(k, Date.now());
        outcome = { kind: 'refused', date, zone, reason: 'sold_out', why: whyOf(error) };
      } else {
        outcome = { kind: 'failed', date, zone, why: whyOf(error) };
      }
    } finally {
      this.busy = null;
    }
    this.outcome = outcome;
    await this.reload();
    return outcome;
  }

  /** A click that the cell's own state refuses, said as an outcome. */
  refuse(date: string, zone: ZoneRow, reason: 'sold_out' | 'past' | 'pending'): void {
    this.outcome = { kind: 'refused', date, zone, reason, why: null };
  }

  shiftWeeks(n: number): void {
    this.setStart(addDays(this.start, 7 * n));
  }
}

