import { describe, expect, it } from 'vitest';
import type { AnytimeCell, SlotCell } from '$lib/ipc';
import {
  anytimeFacts,
  cellView,
  countdown,
  endOfTokyoDay,
  heat,
  KNOWLEDGE_FRESH_MS,
  timeSlotFacts,
} from '$features/calendar/cellState';

const NOW = Date.parse('2026-12-07T10:20:00+09:00');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

function cell(over: Partial<SlotCell> = {}): SlotCell {
  return {
    time_zone_id: 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3',
    starts_at: '2026-12-07T12:00:00+09:00',
    ends_at: '2026-12-07T13:00:00+09:00',
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

const view = (over: Partial<SlotCell> = {}, local = { pending: false, refusedAt: null as number | null }, now = NOW) =>
  cellView(timeSlotFacts(cell(over)), now, local);

describe('a cell of the window calendar', () => {
  it('is unknown when no estimate spoke for it, and a click asks the API', () => {
    expect(view()).toMatchObject({ state: 'unknown', action: 'reserve', refusal: null });
  });

  it('is free when an estimate spoke for it without listing it', () => {
    expect(view({ known_as_of: iso(-60_000) })).toMatchObject({ state: 'free', action: 'reserve', knownAt: NOW - 60_000 });
  });

  it('is sold out with when that was known; fresh knowledge refuses a click with the reason', () => {
    const v = view({ sold_out: true, known_as_of: iso(-5 * 60_000) });
    expect(v).toMatchObject({ state: 'sold_out', action: 'refuse', refusal: 'sold_out', stale: false, knownAt: NOW - 5 * 60_000 });
  });

  it('doubts stale sold-out knowledge (30 minutes, or the cache says so): a click asks the API', () => {
    expect(view({ sold_out: true, known_as_of: iso(-KNOWLEDGE_FRESH_MS) })).toMatchObject({ state: 'sold_out', stale: true, action: 'reserve', refusal: null });
    expect(view({ sold_out: true, known_as_of: iso(-60_000), stale: true })).toMatchObject({ stale: true, action: 'reserve' });
  });

  it('turns sold out when the API refused a reservation, until a newer estimate says otherwise', () => {
    expect(view({}, { pending: false, refusedAt: NOW - 1000 })).toMatchObject({ state: 'sold_out', action: 'refuse', refusal: 'sold_out', knownAt: NOW - 1000 });
    expect(view({ known_as_of: iso(-60_000) }, { pending: false, refusedAt: NOW - 1000 })).toMatchObject({ state: 'sold_out' });
    expect(view({ known_as_of: iso(-500) }, { pending: false, refusedAt: NOW - 1000 })).toMatchObject({ state: 'free' });
  });

  it('is held while one of our holds lives, counting down to its expiry', () => {
    const v = view({ held: 1, held_expires_at: iso(28 * 60_000 + 4_500), hold_ids: ['h1'] });
    expect(v).toMatchObject({ state: 'held', action: 'open', held: 1, expiresIn: 28 * 60 + 5 });
    expect(countdown(v.expiresIn!)).toBe('28:05');
  });

  it('forgets a hold at its expiry by itself (the slot is what it was under it)', () => {
    expect(view({ held: 1, held_expires_at: iso(0), known_as_of: iso(-60_000) })).toMatchObject({ state: 'free', held: 0, expiresIn: null });
    expect(view({ held: 1, held_expires_at: iso(-1) })).toMatchObject({ state: 'unknown' });
  });

  it('holds before sold out: our hold is ours even in a full slot', () => {
    expect(view({ held: 2, held_expires_at: iso(60_000), sold_out: true, known_as_of: iso(-1000) })).toMatchObject({ state: 'held', held: 2 });
  });

  it('is queued while a reservation of it waits in the outbox', () => {
    expect(view({ known_as_of: iso(-1000) }, { pending: true, refusedAt: null })).toMatchObject({ state: 'pending', action: 'refuse', refusal: 'pending' });
  });

  it('is past once the slot starts, whatever else is true, and keeps its bookings', () => {
    expect(view({ past: true, held: 1, held_expires_at: iso(60_000), booked: 2 })).toMatchObject({ state: 'past', refusal: 'past', booked: 2 });
    // The clock moved past the start since the grid was read.
    expect(view({}, undefined, Date.parse('2026-12-07T12:00:00+09:00'))).toMatchObject({ state: 'past' });
    expect(view({}, undefined, Date.parse('2026-12-07T11:59:59+09:00'))).toMatchObject({ state: 'unknown' });
  });

  it('shows our bookings and the extra charge in any state', () => {
    expect(view({ booked: 3, extra_charge: true, sold_out: true, known_as_of: iso(-1000) })).toMatchObject({ booked: 3, extraCharge: true, state: 'sold_out' });
    expect(view({ booked: 1 })).toMatchObject({ booked: 1, state: 'unknown' });
    expect([0, 1, 2, 3, 7].map(heat)).toEqual([0, 1, 2, 3, 3]);
  });
});

describe('the anytime cell of a day', () => {
  const any = (over: Partial<AnytimeCell> = {}): AnytimeCell => ({ past: false, held: 0, held_expires_at: null, hold_ids: [], booked: 0, ...over });

  it('closes at the midnight (Japan time) that ends its date', () => {
    expect(new Date(endOfTokyoDay('2026-12-07')).toISOString()).toBe('2026-12-07T15:00:00.000Z');
    expect(cellView(anytimeFacts('2026-12-07', any()), Date.parse('2026-12-07T23:59:00+09:00')).state).toBe('unknown');
    expect(cellView(anytimeFacts('2026-12-07', any()), Date.parse('2026-12-08T00:00:00+09:00')).state).toBe('past');
  });

  it('is held, booked or past like a time slot; never sold out by an estimate, never extra', () => {
    expect(cellView(anytimeFacts('2026-12-07', any({ held: 1, held_expires_at: iso(60_000) })), NOW).state).toBe('held');
    expect(cellView(anytimeFacts('2026-12-07', any({ booked: 4 })), NOW)).toMatchObject({ booked: 4, extraCharge: false });
    expect(cellView(anytimeFacts('2026-12-06', any({ past: true })), NOW).state).toBe('past');
  });
});
