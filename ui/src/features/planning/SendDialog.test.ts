import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import type { PlanJobProgress, PlanSent, RouteSent } from '$lib/ipc/generated';
import { setLang } from '$i18n/index.svelte';
import { plan } from '$features/planning/timeline/fixture';

// The commands' boundary: answered here.
const sendPlan = vi.fn();
const planJobProgress = vi.fn();
vi.mock('$lib/ipc/planning', async (original) => ({
  ...(await original<typeof import('$lib/ipc/planning')>()),
  sendPlan: (...args: unknown[]) => sendPlan(...args),
  planJobProgress: (...args: unknown[]) => planJobProgress(...args),
}));

const { PlanView } = await import('$features/planning/planView.svelte');
const { default: SendDialog } = await import('$features/planning/SendDialog.svelte');

const texts = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.textContent?.replace(/\s+/g, ' ').trim());
const row = (email: string) => screen.getAllByTestId('send-route').find((e) => e.dataset.driver === email)!;

const sent = (email: string, name: string, stops: number, job: string): RouteSent => ({
  driver_email: email,
  driver_name: name,
  stops,
  external_job_id: `hakobu-${job}`,
  job_id: job,
  error: null,
});

/** The dialog over the fixture's plan: 佐藤 (3 stops) and 鈴木 (1 stop) have routes. */
function open() {
  const view = new PlanView();
  view.plan = plan();
  let answer: (r: PlanSent) => void = () => {};
  let refuse: (e: unknown) => void = () => {};
  sendPlan.mockImplementation(() => new Promise<PlanSent>((resolve, reject) => ((answer = resolve), (refuse = reject))));
  planJobProgress.mockResolvedValue({ plan_id: 'P1', version: 1, routes: [], refresh_error: null } satisfies PlanJobProgress);
  const onclose = vi.fn();
  render(SendDialog, { props: { view, onclose } });
  return { view, onclose, answer: (r: PlanSent) => answer(r), refuse: (e: unknown) => refuse(e) };
}

beforeEach(() => {
  setLang('ja');
  sendPlan.mockReset();
  planJobProgress.mockReset();
});
afterEach(() => cleanup());

describe('ドライバーへ送信', () => {
  it('shows the route that failed with its reason beside the ones sent', async () => {
    const run = open();
    expect(screen.getByTestId('send-confirm').textContent?.trim()).toBe('2件を送信');
    await fireEvent.click(screen.getByTestId('send-confirm'));
    expect(sendPlan).toHaveBeenCalledWith('P1');
    expect(screen.getByTestId('send-confirm').textContent?.trim()).toBe('送信中…');
    expect((screen.getByTestId('send-confirm') as HTMLButtonElement).disabled).toBe(true);

    run.answer({
      plan_id: 'P1',
      version: 1,
      routes: [
        sent('a@hakobu.test', '佐藤', 3, 'J-1'),
        {
          driver_email: 'b@hakobu.test',
          driver_name: '鈴木',
          stops: 1,
          external_job_id: 'hakobu-b',
          job_id: null,
          error: {
            code: 'bad_request',
            message: 'driver_email: no driver with this email',
            field: 'driver_email',
            detail: { rule: 'unknown_to_routemate', driver_email: 'b@hakobu.test', said: 'driver_email: no driver with this email' },
          },
        },
      ],
      sent: 1,
      failed: 1,
    });
    await vi.waitFor(() => expect(screen.queryByTestId('send-close')).not.toBeNull());
    expect(screen.getByText('送信 1件、失敗 1件')).toBeTruthy();
    expect(row('a@hakobu.test').dataset.ok).toBe('true');
    expect(row('a@hakobu.test').textContent).toContain('送信済み（ジョブ J-1）');
    expect(row('b@hakobu.test').dataset.ok).toBe('false');
    // Our own words for a login RouteMate does not know; its own words in the tooltip.
    expect(row('b@hakobu.test').textContent).toContain('b@hakobu.test は RouteMate にドライバーとして登録されていません');
    expect(row('b@hakobu.test').querySelector('.bad')?.getAttribute('title')).toBe('driver_email: no driver with this email');
    expect(row('b@hakobu.test').textContent).not.toContain('送信済み');
    // Nothing failed as a whole; the send is over: close, not send again.
    expect(screen.queryByTestId('send-error')).toBeNull();
    expect(screen.queryByTestId('send-confirm')).toBeNull();
    await fireEvent.click(screen.getByTestId('send-close'));
    expect(run.onclose).toHaveBeenCalledOnce();
  });

  it('says why when the send is refused as a whole, in the window’s language, and lets it be sent again', async () => {
    const run = open();
    await fireEvent.click(screen.getByTestId('send-confirm'));
    run.refuse({
      code: 'config',
      message: 'routemate: not configured (set routemate.base_url, client_id and client_secret in the settings)',
      field: 'routemate',
      detail: { rule: 'routemate_not_configured' },
    });
    await vi.waitFor(() => expect(screen.queryByTestId('send-error')).not.toBeNull());
    expect(texts('send-error')).toEqual(['RouteMate が設定されていません（設定で URL、クライアント ID、シークレットを入力してください）']);
    // No route says it was sent or refused; the dialog offers the send again.
    expect(screen.getAllByTestId('send-route').map((e) => e.dataset.ok)).toEqual(['', '']);
    expect((screen.getByTestId('send-confirm') as HTMLButtonElement).disabled).toBe(false);
    expect(screen.queryByTestId('send-close')).toBeNull();
  });
});
