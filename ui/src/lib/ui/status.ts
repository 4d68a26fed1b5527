// Status families of the palette in app.css (--st-<tone>-fg/bg/bd). Domain-free: a view maps
// its own statuses to a tone and every block (badge, chip, column, marker) paints with it.
export type Tone = 'new' | 'progress' | 'near' | 'done' | 'canceled' | 'returning' | 'returned' | 'unknown';

export const TONES: readonly Tone[] = ['new', 'progress', 'near', 'done', 'canceled', 'returning', 'returned', 'unknown'];

/** The CSS colours of a tone, for canvas drawing (the map) where CSS classes cannot reach. */
export function toneColours(tone: Tone, root: Element = document.documentElement): { fg: string; bg: string; bd: string } {
  const style = getComputedStyle(root);
  const read = (part: string) => style.getPropertyValue(`--st-${tone}-${part}`).trim();
  return { fg: read('fg'), bg: read('bg'), bd: read('bd') };
}
