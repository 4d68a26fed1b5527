// The app's keyboard map: app-wide keys (`g b`, `?`, `/`, `n`) and the keys of the page in
// view, which it registers while mounted. Keys are off while the user types in a field.
import type { MessageKey } from '$i18n/ja';

export interface Shortcut {
  /** One key (`j`, `?`, `Enter`), `mod+a` (Ctrl or ⌘), or a `g`-sequence (`g b`). */
  keys: string;
  labelKey: MessageKey;
  run: () => void;
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    target.isContentEditable
  );
}

/** The `keys` string an event stands for (`mod+a`, `?`, `j`), or null for keys we never bind. */
export function keyName(event: KeyboardEvent): string | null {
  if (event.altKey) return null;
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (mod) return key.length === 1 ? `mod+${key}` : null;
  if (event.key === '?') return '?';
  return key;
}

const SEQUENCE_MS = 1200;

export class Keyboard {
  app = $state<Shortcut[]>([]);
  page = $state<Shortcut[]>([]);
  overlay = $state(false);
  #pendingG = 0;
  #pageToken = 0;

  /** The page's keys while it is mounted; call the returned function to drop them. */
  usePage(shortcuts: Shortcut[]): () => void {
    // A token, not the array: $state hands back a proxy, never the array given.
    const token = ++this.#pageToken;
    this.page = shortcuts;
    return () => {
      if (this.#pageToken === token) this.page = [];
    };
  }

  /** Handles a window keydown; true when a shortcut ran. */
  handle(event: KeyboardEvent, now: number = Date.now()): boolean {
    if (event.defaultPrevented || isTyping(event.target)) return false;
    const name = keyName(event);
    if (name === null) return false;
    const all = [...this.page, ...this.app];
    if (this.#pendingG && now - this.#pendingG < SEQUENCE_MS) {
      this.#pendingG = 0;
      const hit = all.find((s) => s.keys === `g ${name}`);
      if (hit) {
        event.preventDefault();
        hit.run();
        return true;
      }
      return false;
    }
    if (name === 'g' && all.some((s) => s.keys.startsWith('g '))) {
      this.#pendingG = now;
      return true;
    }
    const hit = all.find((s) => s.keys === name);
    if (!hit) return false;
    event.preventDefault();
    hit.run();
    return true;
  }
}

export const keyboard = new Keyboard();

/** `/`: the page's search box (the one `SearchField` marks `data-search`). */
export function focusSearch(): void {
  const input = document.querySelector<HTMLInputElement>('input[data-search]');
  input?.focus();
  input?.select();
}
