// Multi-select as lists do it: a click selects one row, Ctrl/⌘-click toggles one, Shift-click
// selects the range from the anchor (the last plain or toggled click), Ctrl/⌘-A selects all.
// Keys, not indices, are kept: a selection survives reloads and new rows arriving.

export interface Selection {
  keys: ReadonlySet<string>;
  /** The index the next Shift-click ranges from; -1: none yet. */
  anchor: number;
}

export const EMPTY_SELECTION: Selection = { keys: new Set(), anchor: -1 };

export interface ClickMods {
  shift: boolean;
  toggle: boolean;
}

/** The selection after a click on row `index`. `keysIn(a, b)` gives the keys of rows a..=b. */
export function clickSelect(
  current: Selection,
  index: number,
  key: string,
  mods: ClickMods,
  keysIn: (from: number, to: number) => readonly string[],
): Selection {
  if (mods.shift && current.anchor >= 0) {
    const [from, to] = current.anchor <= index ? [current.anchor, index] : [index, current.anchor];
    const keys = new Set(mods.toggle ? current.keys : []);
    for (const k of keysIn(from, to)) keys.add(k);
    return { keys, anchor: current.anchor };
  }
  if (mods.toggle) {
    const keys = new Set(current.keys);
    if (keys.has(key)) keys.delete(key);
    else keys.add(key);
    return { keys, anchor: index };
  }
  return { keys: new Set([key]), anchor: index };
}

/** `x` on the cursor row: toggles it, and it becomes the anchor. */
export function toggleOne(current: Selection, index: number, key: string): Selection {
  return clickSelect(current, index, key, { shift: false, toggle: true }, () => []);
}

export function selectAll(keys: readonly string[]): Selection {
  return { keys: new Set(keys), anchor: keys.length > 0 ? 0 : -1 };
}
