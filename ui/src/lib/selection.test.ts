import { describe, expect, it } from 'vitest';
import { clickSelect, EMPTY_SELECTION, selectAll, toggleOne } from '$lib/selection';

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const keysIn = (from: number, to: number) => KEYS.slice(from, to + 1);
const plain = { shift: false, toggle: false };
const shift = { shift: true, toggle: false };
const toggle = { shift: false, toggle: true };

describe('range selection', () => {
  it('a click selects one row and sets the anchor', () => {
    const s = clickSelect(EMPTY_SELECTION, 2, 'c', plain, keysIn);
    expect([...s.keys]).toEqual(['c']);
    expect(s.anchor).toBe(2);
  });

  it('shift-click selects the range from the anchor, either direction', () => {
    let s = clickSelect(EMPTY_SELECTION, 1, 'b', plain, keysIn);
    s = clickSelect(s, 4, 'e', shift, keysIn);
    expect([...s.keys].sort()).toEqual(['b', 'c', 'd', 'e']);
    s = clickSelect(s, 0, 'a', shift, keysIn);
    expect([...s.keys].sort()).toEqual(['a', 'b']);
    expect(s.anchor).toBe(1);
  });

  it('ctrl-click toggles one row and keeps the rest', () => {
    let s = clickSelect(EMPTY_SELECTION, 0, 'a', plain, keysIn);
    s = clickSelect(s, 3, 'd', toggle, keysIn);
    expect([...s.keys].sort()).toEqual(['a', 'd']);
    s = clickSelect(s, 0, 'a', toggle, keysIn);
    expect([...s.keys]).toEqual(['d']);
  });

  it('ctrl-shift-click adds a range to what is selected', () => {
    let s = clickSelect(EMPTY_SELECTION, 0, 'a', plain, keysIn);
    s = clickSelect(s, 4, 'e', toggle, keysIn);
    s = clickSelect(s, 5, 'f', { shift: true, toggle: true }, keysIn);
    expect([...s.keys].sort()).toEqual(['a', 'e', 'f']);
  });

  it('shift-click with no anchor is a plain click', () => {
    const s = clickSelect(EMPTY_SELECTION, 3, 'd', shift, keysIn);
    expect([...s.keys]).toEqual(['d']);
  });

  it('x toggles the cursor row; select-all takes every key', () => {
    let s = toggleOne(EMPTY_SELECTION, 2, 'c');
    s = toggleOne(s, 4, 'e');
    expect([...s.keys].sort()).toEqual(['c', 'e']);
    s = toggleOne(s, 2, 'c');
    expect([...s.keys]).toEqual(['e']);
    expect(selectAll(KEYS).keys.size).toBe(6);
  });
});
