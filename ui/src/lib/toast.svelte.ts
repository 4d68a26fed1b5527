// One short-lived notification at a time (the newest replaces the previous one).
export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  detail: string | null;
}

let nextId = 1;
let timer: ReturnType<typeof setTimeout> | undefined;

export const toastState = $state<{ current: Toast | null }>({ current: null });

export function showToast(text: string, kind: ToastKind = 'success', detail: string | null = null): void {
  clearTimeout(timer);
  const toast: Toast = { id: nextId++, kind, text, detail };
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
