import { describe, expect, it, vi } from 'vitest';
import { Keyboard, keyName } from '$app/keyboard.svelte';

function press(key: string, init: KeyboardEventInit = {}, target?: EventTarget): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, cancelable: true, ...init });
  if (target) Object.defineProperty(event, 'target', { value: target });
  return event;
}

describe('the keyboard map', () => {
  it('names keys, with Ctrl and ⌘ as mod', () => {
    expect(keyName(press('a', { ctrlKey: true }))).toBe('mod+a');
    expect(keyName(press('a', { metaKey: true }))).toBe('mod+a');
    expect(keyName(press('J'))).toBe('j');
    expect(keyName(press('?', { shiftKey: true }))).toBe('?');
    expect(keyName(press('x', { altKey: true }))).toBeNull();
  });

  it('runs page keys, then app keys, and g-sequences', () => {
    const kb = new Keyboard();
    const board = vi.fn();
    const down = vi.fn();
    kb.app = [{ keys: 'g b', labelKey: 'nav.board', run: board }];
    const drop = kb.usePage([{ keys: 'j', labelKey: 'nav.board', run: down }]);
    expect(kb.handle(press('j'), 0)).toBe(true);
    expect(down).toHaveBeenCalledOnce();
    expect(kb.handle(press('g'), 100)).toBe(true);
    expect(kb.handle(press('b'), 200)).toBe(true);
    expect(board).toHaveBeenCalledOnce();
    // a g long ago does not start a sequence
    kb.handle(press('g'), 1000);
    expect(kb.handle(press('b'), 5000)).toBe(false);
    drop();
    expect(kb.handle(press('j'), 6000)).toBe(false);
  });

  it('is off while typing in a field', () => {
    const kb = new Keyboard();
    const run = vi.fn();
    kb.app = [{ keys: 'n', labelKey: 'nav.board', run }];
    const input = document.createElement('input');
    expect(kb.handle(press('n', {}, input))).toBe(false);
    expect(run).not.toHaveBeenCalled();
  });
});
