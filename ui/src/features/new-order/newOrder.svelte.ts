// The 新規依頼 (new order) form's state: the draft as typed (kept in localStorage so it survives
// a restart), the postal autofill, the estimate and its held windows with their countdown,
// another slot reserved instead, and the create. Every refusal naming a field lands at its
// input; nothing typed is ever dropped on an error.
import { tick } from 'svelte';
import {
  createOrder,
  estimateOrder,
  isCommandError,
  listStores,
  listTimeZones,
  normaliseError,
  normalizeAddress,
  postalLookup,
  reserveWindow,
  slotGrid,
  type AddressLevel,
  type CachedStore,
  type CommandError,
  type EstimateView,
  type Hold,
  type OrderKind,
  type TimeZone,
} from '$lib/ipc';
import { showToast } from '$lib/ui/toast.svelte';
import { hrefOf } from '$app/routes';
import { addDays, todayInTokyo, tokyoParts } from '$lib/time';
import {
  EXTRA_CHARGE_YEN,
  MAX_PACKAGES,
  asciiZipcode,
  createBody,
  emptyDraft,
  emptyPackage,
  estimateBody,
  estimateKey,
  isBlank,
  isCompleteZipcode,
  readDraft,
  readyDateRange,
  type Draft,
} from './draft';
import { fieldErrorView, fieldKeyOf, type FieldErrorView, type FieldKey } from './errors';

export const DRAFT_KEY_PREFIX = 'hakobu.newOrderDraft.';

export function draftStorageKey(kind: OrderKind): string {
  return `${DRAFT_KEY_PREFIX}${kind}`;
}

/** Which held window the order will use. */
export type WindowPick = 'time' | 'anytime' | 'other';

/** Why another slot could not be held. */
export interface ReserveProblem {
  kind: 'soldOut' | 'queued' | 'error';
  detail: string;
}

/** What is kept in localStorage, per kind. */
interface Saved {
  v: 1;
  draft: Draft;
  city: string;
  towns: string[];
  town: string;
  autofilled: string;
  level: AddressLevel | null | undefined;
  estimate: EstimateView | null;
  estimatedKey: string;
  pick: WindowPick | null;
  other: Hold | null;
  otherExtra: boolean;
}

export interface ControllerOptions {
  /** Where drafts are kept (default: localStorage; null: nowhere). */
  storage?: Storage | null;
  /** Moves to another view (default: sets location.hash). */
  navigate?: (hash: string) => void;
  /** How long typing pauses before the draft is written. */
  saveDelayMs?: number;
}

function asError(error: unknown): CommandError {
  return isCommandError(error) ? error : normaliseError(error);
}

function defaultStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isHold(value: unknown): value is Hold {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  return (
    typeof h.id === 'string' &&
    (h.starts_at === null || typeof h.starts_at === 'string') &&
    typeof h.ends_at === 'string' &&
    typeof h.expires_at === 'string'
  );
}

function isEstimate(value: unknown): value is EstimateView {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    (e.time_window === null || isHold(e.time_window)) &&
    (e.anytime_window === null || isHold(e.anytime_window)) &&
    Array.isArray(e.packages) &&
    typeof e.total_price === 'number'
  );
}

export class NewOrderController {
  kind = $state<OrderKind>('delivery');
  draft = $state<Draft>(emptyDraft());

  stores = $state<CachedStore[]>([]);
  storesLoaded = $state(false);
  storesError = $state<CommandError | null>(null);

  /** At most one field error at a time (the API names one per answer), by form field. */
  errors = $state<Record<FieldKey, FieldErrorView>>({});
  /** A refusal that names no field of the form. */
  formError = $state<CommandError | null>(null);

  // ---- postal code autofill ----
  city = $state('');
  /** The postal code's towns (more than one: the picker shows). */
  towns = $state<string[]>([]);
  town = $state('');
  postalBusy = $state(false);
  /** The geocode level of line 1 as last normalised; undefined: not checked since typed. */
  level = $state<AddressLevel | null | undefined>(undefined);
  #autofilled = '';
  #lookedUp = '';
  #zipSeq = 0;
  #lineSeq = 0;

  // ---- estimate and windows ----
  estimate = $state<EstimateView | null>(null);
  estimatedKey = $state('');
  estimating = $state(false);
  /** The last estimate got no answer: an estimate needs the API. */
  offline = $state(false);
  /** A refusal of the estimate that names no field of the form. */
  estimateError = $state<CommandError | null>(null);
  pick = $state<WindowPick | null>(null);
  /** A window reserved instead of the estimate's (別の枠), or handed over by the calendar. */
  other = $state<Hold | null>(null);
  otherExtra = $state(false);

  choosingOther = $state(false);
  timeZones = $state<TimeZone[]>([]);
  reserveDate = $state('');
  reserveZone = $state('');
  reserving = $state(false);
  reserveProblem = $state<ReserveProblem | null>(null);

  creating = $state(false);
  /** The clock the countdown reads (ms since the epoch), ticking every second. */
  now = $state(Date.now());
  /** When the draft was last written to storage (ms), null: not kept. */
  savedAt = $state<number | null>(null);

  readonly storesForKind = $derived(
    this.stores.filter((s) => (this.kind === 'delivery' ? s.offers_delivery : s.offers_fetches)),
  );
  readonly selectedStore = $derived(this.stores.find((s) => s.id === this.draft.store_id) ?? null);

  readonly chosenHold = $derived.by((): Hold | null => {
    switch (this.pick) {
      case 'time':
        return this.estimate?.time_window ?? null;
      case 'anytime':
        return this.estimate?.anytime_window ?? null;
      case 'other':
        return this.other;
      default:
        return null;
    }
  });
  /** Milliseconds left on the chosen hold; null without one. */
  readonly remainingMs = $derived(
    this.chosenHold ? Date.parse(this.chosenHold.expires_at) - this.now : null,
  );
  readonly expired = $derived(this.remainingMs !== null && this.remainingMs <= 0);
  /** The store, base time, address or package lines changed since the estimate. */
  readonly stale = $derived(
    this.estimate !== null && this.estimatedKey !== estimateKey(this.kind, this.draft),
  );
  readonly canCreate = $derived(
    this.chosenHold !== null && !this.expired && !this.stale && !this.creating,
  );
  readonly readyRange = $derived(readyDateRange(new Date(this.now)));

  /** The price of the chosen window: the estimate's, with the 早朝・深夜 charge as it applies. */
  readonly price = $derived.by(() => {
    const e = this.estimate;
    if (!e) return null;
    const lines = e.packages.length;
    const estimatedExtra = e.extra_charge ? EXTRA_CHARGE_YEN : 0;
    const extra =
      this.pick === 'time' ? e.extra_charge : this.pick === 'other' ? this.otherExtra : false;
    const perLine = extra ? EXTRA_CHARGE_YEN : 0;
    return {
      extra,
      extraTotal: perLine * lines,
      lines: e.packages.map((p) => ({ ...p, price: p.price - estimatedExtra + perLine })),
      total: e.total_price - estimatedExtra * lines + perLine * lines,
    };
  });

  readonly #storage: Storage | null;
  readonly #navigate: (hash: string) => void;
  readonly #saveDelay: number;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #pendingSave: (() => void) | null = null;
  #clock: ReturnType<typeof setInterval> | undefined;
  #stopEffects: (() => void) | null = null;

  constructor(options: ControllerOptions = {}) {
    this.#storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.#navigate =
      options.navigate ??
      ((hash) => {
        location.hash = hash;
      });
    this.#saveDelay = options.saveDelayMs ?? 300;
  }

  /** Restores the kind's draft, loads the stores, applies `?store=&window=`, starts saving. */
  async start(query?: URLSearchParams): Promise<void> {
    this.#restore(this.kind);
    this.#clock = setInterval(() => {
      this.now = Date.now();
    }, 1000);
    this.#stopEffects = $effect.root(() => {
      $effect(() => {
        const kind = this.kind;
        const snapshot = this.#snapshot();
        const text = snapshot ? JSON.stringify(snapshot) : null;
        this.#scheduleSave(kind, text);
      });
    });
    await this.loadStores();
    if (query) await this.#applyQuery(query);
  }

  /** Writes what is pending and stops the clock (the page is leaving). */
  dispose(): void {
    this.flushSave();
    clearInterval(this.#clock);
    this.#stopEffects?.();
    this.#stopEffects = null;
  }

  async loadStores(): Promise<void> {
    try {
      this.stores = await listStores(null);
      this.storesError = null;
    } catch (error) {
      this.storesError = asError(error);
    } finally {
      this.storesLoaded = true;
    }
  }

  // ---- drafts ----

  #snapshot(): Saved | null {
    const blank = isBlank(this.draft) && !this.estimate && !this.other;
    if (blank) return null;
    return {
      v: 1,
      draft: this.draft,
      city: this.city,
      towns: this.towns,
      town: this.town,
      autofilled: this.#autofilled,
      level: this.level,
      estimate: this.estimate,
      estimatedKey: this.estimatedKey,
      pick: this.pick,
      other: this.other,
      otherExtra: this.otherExtra,
    };
  }

  #scheduleSave(kind: OrderKind, text: string | null): void {
    clearTimeout(this.#saveTimer);
    this.#pendingSave = () => this.#write(kind, text);
    this.#saveTimer = setTimeout(() => this.flushSave(), this.#saveDelay);
  }

  /** Writes the pending draft now (leaving the page, switching kind). */
  flushSave(): void {
    clearTimeout(this.#saveTimer);
    const save = this.#pendingSave;
    this.#pendingSave = null;
    save?.();
  }

  #write(kind: OrderKind, text: string | null): void {
    try {
      if (text === null) {
        this.#storage?.removeItem(draftStorageKey(kind));
        this.savedAt = null;
      } else {
        this.#storage?.setItem(draftStorageKey(kind), text);
        this.savedAt = Date.now();
      }
    } catch {
      // storage full or unavailable: the draft lasts for this session only
    }
  }

  #read(kind: OrderKind): Saved | null {
    try {
      const text = this.#storage?.getItem(draftStorageKey(kind));
      if (!text) return null;
      const raw = JSON.parse(text) as Record<string, unknown>;
      if (raw.v !== 1) return null;
      const draft = readDraft(raw.draft);
      if (!draft) return null;
      const strings = (x: unknown): string[] =>
        Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
      const level = raw.level;
      const pick = raw.pick;
      return {
        v: 1,
        draft,
        city: typeof raw.city === 'string' ? raw.city : '',
        towns: strings(raw.towns),
        town: typeof raw.town === 'string' ? raw.town : '',
        autofilled: typeof raw.autofilled === 'string' ? raw.autofilled : '',
        level:
          level === 'chome' || level === 'town' || level === 'city' || level === 'prefecture' || level === null
            ? level
            : undefined,
        estimate: isEstimate(raw.estimate) ? raw.estimate : null,
        estimatedKey: typeof raw.estimatedKey === 'string' ? raw.estimatedKey : '',
        pick: pick === 'time' || pick === 'anytime' || pick === 'other' ? pick : null,
        other: isHold(raw.other) ? raw.other : null,
        otherExtra: raw.otherExtra === true,
      };
    } catch {
      return null;
    }
  }

  /** Puts the kind's saved draft in the form; false when it has none. */
  #restore(kind: OrderKind): boolean {
    const saved = this.#read(kind);
    if (!saved) return false;
    this.draft = saved.draft;
    this.city = saved.city;
    this.towns = saved.towns;
    this.town = saved.town;
    this.#autofilled = saved.autofilled;
    this.#lookedUp = saved.towns.length || saved.city ? zipDigits(saved.draft.customer.address_zipcode) : '';
    this.level = saved.level;
    this.estimate = saved.estimate;
    this.estimatedKey = saved.estimatedKey;
    this.pick = saved.pick;
    this.other = saved.other;
    this.otherExtra = saved.otherExtra;
    return true;
  }

  #resetWindows(): void {
    this.estimate = null;
    this.estimatedKey = '';
    this.pick = null;
    this.other = null;
    this.otherExtra = false;
    this.offline = false;
    this.estimateError = null;
    this.choosingOther = false;
    this.reserveProblem = null;
  }

  #reset(): void {
    this.draft = emptyDraft(new Date());
    this.city = '';
    this.towns = [];
    this.town = '';
    this.#autofilled = '';
    this.#lookedUp = '';
    this.level = undefined;
    this.errors = {};
    this.formError = null;
    this.#resetWindows();
  }

  /** 下書きを破棄: empties the form and forgets the kind's draft. */
  discardDraft(): void {
    clearTimeout(this.#saveTimer);
    this.#pendingSave = null;
    this.#write(this.kind, null);
    this.#reset();
  }

  /**
   * Switches between 配送 and 回収. The other kind's draft comes back if it has one; otherwise
   * what is typed moves over (without the store if it does not offer that kind). Estimates
   * and holds belong to one kind: they stay with its draft.
   */
  setKind(kind: OrderKind): void {
    if (kind === this.kind) return;
    this.flushSave();
    const from = this.kind;
    const carried = this.draft;
    this.errors = {};
    this.formError = null;
    if (this.#read(kind)) {
      this.kind = kind;
      this.#restore(kind);
      return;
    }
    this.#write(from, null);
    this.#resetWindows();
    this.kind = kind;
    const store = this.stores.find((s) => s.id === carried.store_id);
    const offers = store ? (kind === 'delivery' ? store.offers_delivery : store.offers_fetches) : false;
    if (!offers) this.draft.store_id = '';
  }

  async #applyQuery(query: URLSearchParams): Promise<void> {
    const storeId = query.get('store');
    if (storeId) {
      const store = this.stores.find((s) => s.id === storeId);
      if (store) {
        const offersKind = this.kind === 'delivery' ? store.offers_delivery : store.offers_fetches;
        if (!offersKind) this.setKind(this.kind === 'delivery' ? 'fetch' : 'delivery');
      }
      this.draft.store_id = storeId;
    }
    const holdId = query.get('window');
    if (storeId && holdId) await this.#adoptHold(storeId, holdId);
  }

  /** A hold the window calendar reserved: found in the store's grid, chosen as 別の枠. */
  async #adoptHold(storeId: string, holdId: string): Promise<void> {
    try {
      const grid = await slotGrid(storeId, todayInTokyo(new Date(this.now)));
      for (const day of grid.days) {
        if (day.anytime.hold_ids.includes(holdId) && day.anytime.held_expires_at) {
          this.#choose(
            { id: holdId, starts_at: null, ends_at: `${addDays(day.date, 1)}T00:00:00+09:00`, expires_at: day.anytime.held_expires_at },
            false,
          );
          return;
        }
        const cell = day.cells.find((c) => c.hold_ids.includes(holdId));
        if (cell?.held_expires_at) {
          this.#choose(
            { id: holdId, starts_at: cell.starts_at, ends_at: cell.ends_at, expires_at: cell.held_expires_at },
            cell.extra_charge,
          );
          return;
        }
      }
      this.reserveProblem = { kind: 'error', detail: holdId };
    } catch (error) {
      this.reserveProblem = { kind: 'error', detail: asError(error).message };
    }
  }

  #choose(hold: Hold, extra: boolean): void {
    this.other = hold;
    this.otherExtra = extra;
    this.pick = 'other';
    this.clearError('window');
  }

  // ---- field errors ----

  /** The user changed a field: its error goes. */
  clearError(key: FieldKey): void {
    if (key in this.errors) {
      const { [key]: _gone, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  /** Puts a refusal at its field; false when the form has no place for it. */
  #showAtField(error: CommandError): boolean {
    const field = error.field ?? /^([\w.[\]]+): /.exec(error.message)?.[1] ?? null;
    const key = fieldKeyOf(field);
    if (!key || (error.code !== 'bad_request' && error.code !== 'not_found')) return false;
    this.errors = { [key]: fieldErrorView(error) };
    void this.#focus(key);
    return true;
  }

  async #focus(key: FieldKey): Promise<void> {
    await tick();
    const el = document.querySelector<HTMLElement>(`[data-field="${key.replace(/"/g, '\\"')}"]`);
    if (!el) return;
    el.focus();
    el.scrollIntoView?.({ block: 'center' });
  }

  // ---- postal code and address ----

  /** Typing in 郵便番号: a complete code is looked up at once. */
  zipcodeInput(): void {
    this.clearError('customer.address_zipcode');
    const value = this.draft.customer.address_zipcode;
    if (isCompleteZipcode(value) && zipDigits(value) !== this.#lookedUp) void this.lookupZipcode();
    if (value.trim() === '') {
      this.towns = [];
      this.town = '';
      this.#lookedUp = '';
    }
  }

  /** Leaving 郵便番号 with something incomplete: the lookup says what is wrong with it. */
  zipcodeBlur(): void {
    const value = this.draft.customer.address_zipcode.trim();
    if (value !== '' && zipDigits(value) !== this.#lookedUp) void this.lookupZipcode();
  }

  async lookupZipcode(): Promise<void> {
    const sent = this.draft.customer.address_zipcode;
    const seq = ++this.#zipSeq;
    this.postalBusy = true;
    try {
      const found = await postalLookup(sent.trim());
      if (seq !== this.#zipSeq) return;
      this.#lookedUp = zipDigits(found.code);
      const c = this.draft.customer;
      if (c.address_zipcode === sent) c.address_zipcode = found.code;
      c.address_prefecture = found.prefecture;
      this.city = found.city;
      this.towns = found.towns;
      this.town = found.towns.length === 1 ? found.towns[0]! : '';
      this.level = undefined;
      this.#fillLine1(found.city + this.town);
      this.clearError('customer.address_zipcode');
      this.clearError('customer.address_prefecture');
    } catch (error) {
      if (seq !== this.#zipSeq) return;
      this.#lookedUp = '';
      this.towns = [];
      this.town = '';
      const e = asError(error);
      const key: FieldKey = 'customer.address_zipcode';
      this.errors = { [key]: fieldErrorView({ ...e, field: e.field ?? 'address_zipcode' }) };
    } finally {
      if (seq === this.#zipSeq) this.postalBusy = false;
    }
  }

  /** A town from the picker: line 1 becomes city + town (+ what was typed after it). */
  chooseTown(town: string): void {
    this.town = town;
    this.level = undefined;
    this.#fillLine1(this.city + town);
  }

  /** Puts the autofilled start of line 1 in place without overwriting what the user typed. */
  #fillLine1(prefix: string): void {
    const c = this.draft.customer;
    const line = c.address_line_1;
    if (line.trim() === '') c.address_line_1 = prefix;
    else if (this.#autofilled !== '' && line.startsWith(this.#autofilled))
      c.address_line_1 = prefix + line.slice(this.#autofilled.length);
    else if (!line.startsWith(prefix)) return;
    this.#autofilled = prefix;
    this.clearError('customer.address_line_1');
  }

  line1Input(): void {
    this.clearError('customer.address_line_1');
    this.level = undefined;
  }

  /**
   * Leaving 住所1: the gazetteer normalises it. A building it splits off moves to 住所2 when
   * that is empty (or is already there); otherwise line 1 stays as typed, so nothing is lost.
   */
  async line1Blur(): Promise<void> {
    const c = this.draft.customer;
    const sent = c.address_line_1;
    if (sent.trim() === '') return;
    const seq = ++this.#lineSeq;
    try {
      const found = await normalizeAddress(c.address_prefecture.trim(), sent.trim());
      if (seq !== this.#lineSeq || c.address_line_1 !== sent) return;
      const split = found.line_2.trim();
      if (split === '') c.address_line_1 = found.line_1;
      else if (c.address_line_2.trim() === '') {
        c.address_line_1 = found.line_1;
        c.address_line_2 = split;
      } else if (c.address_line_2.includes(split)) c.address_line_1 = found.line_1;
      if (c.address_prefecture.trim() === '' && found.prefecture) c.address_prefecture = found.prefecture;
      if (!c.address_line_1.startsWith(this.#autofilled)) this.#autofilled = '';
      this.level = found.level;
    } catch (error) {
      if (seq !== this.#lineSeq) return;
      const e = asError(error);
      if (e.code === 'bad_request') this.#showAtFieldQuietly(e);
      // No gazetteer (config) and the like: the address is still sent as typed.
    }
  }

  /** A field error without moving the focus (the user is on their way elsewhere). */
  #showAtFieldQuietly(error: CommandError): void {
    const key = fieldKeyOf(error.field);
    if (key) this.errors = { [key]: fieldErrorView(error) };
  }

  // ---- packages ----

  addPackage(): void {
    const rows = this.draft.packages;
    if (rows.length >= MAX_PACKAGES) return;
    const count = rows.length;
    // 個口数 follows the number of lines while every line still says so.
    const following = rows.every((p) => p.boxes === count);
    if (following) for (const p of rows) p.boxes = count + 1;
    rows.push(emptyPackage(count + 1, following ? count + 1 : (rows[count - 1]?.boxes ?? 1)));
    this.clearError('packages');
  }

  removePackage(index: number): void {
    const rows = this.draft.packages;
    if (rows.length <= 1 || index < 0 || index >= rows.length) return;
    const count = rows.length;
    const following = rows.every((p) => p.boxes === count);
    rows.splice(index, 1);
    if (following) for (const p of rows) p.boxes = count - 1;
    // Errors name rows by index: after a removal they may name another row.
    this.errors = Object.fromEntries(Object.entries(this.errors).filter(([k]) => !k.startsWith('packages[')));
  }

  // ---- estimate, windows, create ----

  async runEstimate(): Promise<void> {
    if (this.estimating) return;
    const kind = this.kind;
    const key = estimateKey(kind, this.draft);
    const body = estimateBody(kind, this.draft);
    this.estimating = true;
    this.offline = false;
    this.estimateError = null;
    this.formError = null;
    this.errors = {};
    try {
      const answer = await estimateOrder(kind, body);
      if (kind !== this.kind) return;
      this.estimate = answer;
      this.estimatedKey = key;
      this.pick = answer.time_window ? 'time' : answer.anytime_window ? 'anytime' : null;
      this.now = Date.now();
    } catch (error) {
      const e = asError(error);
      if (kind !== this.kind) return;
      if (e.code === 'transport') this.offline = true;
      else if (!this.#showAtField(e)) this.estimateError = e;
    } finally {
      this.estimating = false;
    }
  }

  choose(pick: WindowPick): void {
    if (pick === 'time' && !this.estimate?.time_window) return;
    if (pick === 'anytime' && !this.estimate?.anytime_window) return;
    if (pick === 'other' && !this.other) return;
    this.pick = pick;
    this.clearError('window');
    this.clearError('hint');
  }

  /** 別の枠を選ぶ: opens the date + hourly slot picker. */
  async openOther(): Promise<void> {
    this.choosingOther = true;
    this.reserveProblem = null;
    if (this.reserveDate === '') {
      const start = this.estimate?.time_window?.starts_at;
      this.reserveDate = start ? tokyoParts(new Date(start)).date : this.draft.ready_date || this.readyRange.min;
    }
    if (this.timeZones.length === 0) {
      try {
        this.timeZones = await listTimeZones();
      } catch (error) {
        this.reserveProblem = { kind: 'error', detail: asError(error).message };
      }
    }
  }

  closeOther(): void {
    this.choosingOther = false;
    this.reserveProblem = null;
    this.clearError('reserve');
  }

  async reserve(): Promise<void> {
    if (this.reserving) return;
    const zone = this.timeZones.find((z) => z.id === this.reserveZone);
    this.reserving = true;
    this.reserveProblem = null;
    this.clearError('reserve');
    this.clearError('store_id');
    try {
      const written = await reserveWindow(this.draft.store_id, this.reserveDate, this.reserveZone);
      if (written.state === 'applied') {
        this.#choose(written.value, zone?.is_extra_charge ?? false);
        this.choosingOther = false;
      } else {
        this.reserveProblem = { kind: 'queued', detail: written.reason.message };
      }
    } catch (error) {
      const e = asError(error);
      if (e.code === 'not_found' && (e.field === null || e.field === 'time_zone_id' || e.field === 'reserve_date'))
        this.reserveProblem = { kind: 'soldOut', detail: e.message };
      else if (e.code === 'transport') this.reserveProblem = { kind: 'queued', detail: e.message };
      else if (!this.#showAtField(e)) this.reserveProblem = { kind: 'error', detail: e.message };
    } finally {
      this.reserving = false;
    }
  }

  async create(): Promise<void> {
    const hold = this.chosenHold;
    if (!hold || !this.canCreate) return;
    const kind = this.kind;
    const body = createBody(kind, this.draft, hold.id, hold.starts_at === null);
    this.creating = true;
    this.errors = {};
    this.formError = null;
    try {
      const written = await createOrder(kind, body, 'given');
      this.discardDraft();
      if (written.state === 'applied') {
        showToast('newOrder.created', { params: { code: written.value.tracking_code } });
        this.#navigate(hrefOf('order', { kind, id: written.value.id }));
      } else {
        showToast('newOrder.queued', { kind: 'info', detail: written.reason.message });
        this.#navigate(hrefOf('board'));
      }
    } catch (error) {
      const e = asError(error);
      if (!this.#showAtField(e)) this.formError = e;
    } finally {
      this.creating = false;
    }
  }
}

function zipDigits(value: string): string {
  return asciiZipcode(value).replace('-', '');
}
