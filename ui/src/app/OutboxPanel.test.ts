import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return { ...actual, outboxRows: vi.fn(), discardWrite: vi.fn(), replayOutbox: vi.fn() };
});

import { discardWrite, outboxRows, replayOutbox, type OutboxRow } from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import OutboxPanel from '$app/OutboxPanel.svelte';

const rows = vi.mocked(outboxRows);
const discard = vi.mocked(discardWrite);
const replay = vi.mocked(replayOutbox);

function row(
  client_id: string,
  state: OutboxRow['state'],
  last_error: string | null,
  last_error_code: OutboxRow['last_error_code'] = last_error === null ? null : 'bad_request',
): OutboxRow {
  return {
    seq: 1,
    client_id,
    kind: 'create_store',
    payload: { write: 'create_store', input: { store_name: '渋谷道玄坂店' } },
    payload_hash: 'h',
    revision: 0,
    request: null,
    state,
    attempts: 2,
    last_error,
    last_error_code,
    server_id: null,
    response: null,
    created_at: '2026-11-23T10:00:00+09:00',
    updated_at: '2026-11-23T10:00:00+09:00',
    endpoint: 'sandbox',
    key_fingerprint: 'embedded',
    held: false,
  };
}

describe('OutboxPanel', () => {
  beforeEach(() => {
    setLang('ja');
    rows.mockReset();
    discard.mockReset();
    replay.mockReset();
  });

  it('lists queued and refused writes with what they are about and why', async () => {
    rows.mockResolvedValue([
      row('a', 'pending', 'connection refused', 'transport'),
      row('b', 'failed', 'store_phone: must match /(\\A0\\d{1,3}-\\d{2,4}-\\d{3,4}\\Z)|(\\A0\\d{9,10}\\Z)/'),
    ]);
    render(OutboxPanel, { onclose: vi.fn(), onchanged: vi.fn() });
    const items = await screen.findAllByTestId('outbox-row');
    expect(rows).toHaveBeenCalledWith(['pending', 'in_flight', 'failed', 'conflict']);
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('送信待ち');
    expect(items[0]!.textContent).toContain('店舗の登録');
    expect(items[0]!.textContent).toContain('渋谷道玄坂店');
    expect(items[1]!.textContent).toContain('拒否');
    // Why, in the window's language; the API's words in the tooltip.
    expect(items[0]!.textContent).toContain('API に接続できません');
    expect(items[1]!.textContent).toContain('API が store_phone を受け付けませんでした：「03-1234-5678」または「0312345678」の形式で入力してください');
    expect(items[1]!.querySelector('[data-testid="outbox-message"]')!.getAttribute('title')).toContain('store_phone: must match');
    // Only a refused write can be discarded.
    expect(items[0]!.querySelector('[data-testid="outbox-discard"]')).toBeNull();
    expect(items[1]!.querySelector('[data-testid="outbox-discard"]')).not.toBeNull();
  });

  it('discards a refused write and reloads', async () => {
    rows.mockResolvedValueOnce([row('b', 'failed', 'bad')]).mockResolvedValueOnce([]);
    discard.mockResolvedValue(null);
    const onchanged = vi.fn();
    render(OutboxPanel, { onclose: vi.fn(), onchanged });
    await fireEvent.click(await screen.findByTestId('outbox-discard'));
    await waitFor(() => expect(discard).toHaveBeenCalledWith('b'));
    await screen.findByTestId('outbox-empty');
    expect(onchanged).toHaveBeenCalled();
  });

  it('sends now and says when the API still does not answer', async () => {
    rows.mockResolvedValue([row('a', 'pending', 'connection refused')]);
    replay.mockResolvedValue({
      acked: 0,
      failed: 0,
      conflicts: 0,
      stopped: { code: 'transport', message: 'connection refused', field: null },
    });
    const onchanged = vi.fn();
    render(OutboxPanel, { onclose: vi.fn(), onchanged });
    await screen.findAllByTestId('outbox-row');
    await fireEvent.click(screen.getByTestId('outbox-send-now'));
    await waitFor(() => expect(replay).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(rows).toHaveBeenCalledTimes(2);
  });

  it('holds another account\'s writes apart, says whose they are, and discards them', async () => {
    const other = (id: string, state: OutboxRow['state']): OutboxRow => ({
      ...row(id, state, null),
      endpoint: 'https://api.dia-9.com',
      key_fingerprint: '0123456789abcdef',
      held: true,
    });
    rows
      .mockResolvedValueOnce([row('mine', 'pending', null), other('h1', 'pending'), other('h2', 'in_flight')])
      .mockResolvedValueOnce([row('mine', 'pending', null), other('h2', 'in_flight')]);
    discard.mockResolvedValue(null);
    const onchanged = vi.fn();
    render(OutboxPanel, { onclose: vi.fn(), onchanged });
    const heldRows = await screen.findAllByTestId('outbox-held-row');
    expect(screen.getAllByTestId('outbox-row')).toHaveLength(1);
    expect(heldRows).toHaveLength(2);
    expect(screen.getByTestId('outbox-held').textContent).toContain('別アカウントの未送信 2 件');
    expect(heldRows[0]!.textContent).toContain('https://api.dia-9.com');
    expect(heldRows[0]!.textContent).toContain('鍵 01234567…');
    expect(heldRows[0]!.textContent).not.toContain('89abcdef');
    // One being sent when the account changed is not discarded under its send.
    expect(heldRows[1]!.querySelector('[data-testid="outbox-held-discard"]')).toBeNull();
    await fireEvent.click(heldRows[0]!.querySelector('[data-testid="outbox-held-discard"]')!);
    await waitFor(() => expect(discard).toHaveBeenCalledWith('h1'));
    await waitFor(() => expect(screen.getAllByTestId('outbox-held-row')).toHaveLength(1));
    expect(onchanged).toHaveBeenCalled();
  });

  it('closes on Escape', async () => {
    rows.mockResolvedValue([]);
    const onclose = vi.fn();
    render(OutboxPanel, { onclose, onchanged: vi.fn() });
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });
});
