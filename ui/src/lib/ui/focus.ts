// Focus handling for panels and dialogs: move focus in, keep Tab inside (dialogs), and give
// focus back to what had it when they close.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.hasAttribute('inert') && el.getClientRects().length > 0,
  );
}

/** Svelte action. `trap`: Tab and Shift-Tab cycle inside `node` (modal dialogs); focus goes to
 * `[data-autofocus]`, else the first focusable. Without `trap` (a side panel beside a list)
 * focus goes to the node itself, so Esc reaches it without lighting up its first button.
 * Focus returns on destroy. */
export function holdFocus(node: HTMLElement, trap: boolean = true) {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const first = trap
    ? (node.querySelector<HTMLElement>('[data-autofocus]') ?? focusables(node)[0] ?? node)
    : node;
  queueMicrotask(() => first.focus());

  function onkeydown(event: KeyboardEvent): void {
    if (!trap || event.key !== 'Tab') return;
    const items = focusables(node);
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const head = items[0]!;
    const tail = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === head || !node.contains(active))) {
      event.preventDefault();
      tail.focus();
    } else if (!event.shiftKey && (active === tail || !node.contains(active))) {
      event.preventDefault();
      head.focus();
    }
  }

  node.addEventListener('keydown', onkeydown);
  return {
    destroy() {
      node.removeEventListener('keydown', onkeydown);
      if (previous?.isConnected) previous.focus();
    },
  };
}
