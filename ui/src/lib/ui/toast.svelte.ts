// One short-lived notification at a time (the newest replaces the previous one).
// A toast keeps its message key, not the text, so it follows a language switch.
import type { MessageKey } from '$i18n/ja';
import type { Params } from '$i18n/index.svelte';

export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  key: MessageKey;
  params: Params | undefined;
  /** Text from elsewhere (an API message), shown as is under the message. */
  detail: string | null;
}

export interface ToastOptions {
  kind?: ToastKind;
  params?: Params;
  detail?: string | null;
}

let nextId = 1;
let timer: ReturnType<typeof setTimeout> | undefined;

export const toastState = $state<{ current: Toast | null }>({ current: null });

export function showToast(key: MessageKey, options: ToastOptions = {}): void {
  clearTimeout(timer);
  const kind = options.kind ?? 'success';
  const toast: Toast = { id: nextId++, kind, key, params: options.params, detail: options.detail ?? null };
  toastState.current = toast;
  timer = setTimeout(
    () => {
      if (toastState.current?.id === toast.id) toastState.current = null;
    },
    kind === 'error' ? 6000 : 3000,
  );
}

export function dismissToast(): void {
  clearTimeout(timer);
  toastState.current = null;
}
