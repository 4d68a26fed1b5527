// What a cell of the 枠カレンダー shows and what a click on it does, as one pure rule (tested in
// cellState.test.ts). In order of precedence:
// - past: the slot has started (an anytime cell: its date is over) — nothing can be reserved;
// - pending: a reservation of it waits in the outbox (offline) — shown as queued;
// - held: we hold it (unused, unexpired) — the expiry counts down; a click opens the hold;
// - sold out: an estimate said so (with how old that knowledge is: stale after 30 minutes,
//   when a click may try again), or the API refused a reservation of it just now;
// - free: an estimate's answer spoke for the slot and did not list it as sold out;
// - unknown: nothing has spoken for it — a click asks the API.
// Booked (our orders in the slot) and extra charge (¥330 a package) are shown in any state.
import type { AnytimeCell, SlotCell } from '$lib/ipc';

export type CellState = 'past' | 'pending' | 'held' | 'sold_out' | 'free' | 'unknown';
export type CellAction = 'reserve' | 'open' | 'refuse';
export type Refusal = 'past' | 'sold_out' | 'pending';

/** Sold-out knowledge older than this is stale (the default hold length: the holds that
 *  filled the slot may have lapsed since). Mirrors the cache's KNOWLEDGE_FRESH_SECS. */
export const KNOWLEDGE_FRESH_MS = 30 * 60_000;

/** The extra charge per package in an extra-charge time zone (早朝・深夜), yen. */
export const EXTRA_CHARGE_YEN = 330;

/** A time cell or an anytime cell, as the rule reads it. */
export interface SlotFacts {
  /** When the slot stops being reservable (a time slot: its start; anytime: the midnight after
   *  its date), ms since the epoch. */
  closesAt: number;
  past: boolean;
  soldOut: boolean;
  knownAsOf: string | null;
  stale: boolean;
  extraCharge: boolean;
  held: number;
  heldExpiresAt: string | null;
  booked: number;
}

/** What the page knows that the cache does not (yet). */
export interface LocalFacts {
  /** A reservation of this slot is queued in the outbox. */
  pending: boolean;
  /** The API refused a reservation of it as sold out at this time (ms). */
  refusedAt: number | null;
}

export const NO_LOCAL: LocalFacts = { pending: false, refusedAt: null };

export interface CellView {
  state: CellState;
  action: CellAction;
  refusal: Refusal | null;
  /** Sold out: when that was learnt (ms), and whether it is old enough to doubt. */
  knownAt: number | null;
  stale: boolean;
  held: number;
  /** Whole seconds until the soonest hold lapses. */
  expiresIn: number | null;
  booked: number;
  extraCharge: boolean;
}

function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

export function timeSlotFacts(cell: SlotCell): SlotFacts {
  return {
    closesAt: ms(cell.starts_at) ?? Number.NEGATIVE_INFINITY,
    past: cell.past,
    soldOut: cell.sold_out,
    knownAsOf: cell.known_as_of,
    stale: cell.stale,
    extraCharge: cell.extra_charge,
    held: cell.held,
    heldExpiresAt: cell.held_expires_at,
    booked: cell.booked,
  };
}

/** The midnight (Japan time) that ends `date` ("YYYY-MM-DD"). */
export function endOfTokyoDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d! + 1) - 9 * 3600_000;
}

export function anytimeFacts(date: string, cell: AnytimeCell): SlotFacts {
  return {
    closesAt: endOfTokyoDay(date),
    past: cell.past,
    soldOut: false,
    knownAsOf: null,
    stale: false,
    extraCharge: false,
    held: cell.held,
    heldExpiresAt: cell.held_expires_at,
    booked: cell.booked,
  };
}

export function cellView(facts: SlotFacts, now: number, local: LocalFacts = NO_LOCAL): CellView {
  const base = { booked: facts.booked, extraCharge: facts.extraCharge, held: 0, expiresIn: null, knownAt: null, stale: false };
  if (facts.past || now >= facts.closesAt) {
    return { ...base, state: 'past', action: 'refuse', refusal: 'past' };
  }
  if (local.pending) {
    return { ...base, state: 'pending', action: 'refuse', refusal: 'pending' };
  }
  const expires = ms(facts.heldExpiresAt);
  if (facts.held > 0 && expires !== null && expires > now) {
    return { ...base, state: 'held', action: 'open', refusal: null, held: facts.held, expiresIn: Math.ceil((expires - now) / 1000) };
  }
  const known = ms(facts.knownAsOf);
  // A refusal just now speaks louder than an older estimate; a newer estimate than the refusal wins.
  if (local.refusedAt !== null && (known === null || local.refusedAt >= known)) {
    return { ...base, state: 'sold_out', action: 'refuse', refusal: 'sold_out', knownAt: local.refusedAt };
  }
  if (facts.soldOut) {
    const stale = facts.stale || (known !== null && now - known >= KNOWLEDGE_FRESH_MS);
    // Stale knowledge may be wrong by now: a click asks the API rather than refusing.
    return { ...base, state: 'sold_out', action: stale ? 'reserve' : 'refuse', refusal: stale ? null : 'sold_out', knownAt: known, stale };
  }
  if (known !== null) return { ...base, state: 'free', action: 'reserve', refusal: null, knownAt: known };
  return { ...base, state: 'unknown', action: 'reserve', refusal: null };
}

/** 「28:05」: minutes and seconds left. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** How strongly a cell is tinted by our bookings (0 none … 3 three or more). */
export function heat(booked: number): 0 | 1 | 2 | 3 {
  return booked <= 0 ? 0 : booked === 1 ? 1 : booked === 2 ? 2 : 3;
}
