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

function row(client_id: string, state: OutboxRow['state'], last_error: string | null): OutboxRow {
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
    server_id: null,
    response: null,
    created_at: '2026-11-23T10:00:00+09:00',
    updated_at: '2026-11-23T10:00:00+09:00',
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
      row('a', 'pending', 'connection refused'),
      row('b', 'failed', 'store_phone: is invalid'),
    ]);
    render(OutboxPanel, { onclose: vi.fn(), onchanged: vi.fn() });
    const items = await screen.findAllByTestId('outbox-row');
    expect(rows).toHaveBeenCalledWith(['pending', 'in_flight', 'failed', 'conflict']);
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain('送信待ち');
    expect(items[0]!.textContent).toContain('店舗の登録');
    expect(items[0]!.textContent).toContain('渋谷道玄坂店');
    expect(items[1]!.textContent).toContain('拒否');
    expect(items[1]!.textContent).toContain('store_phone: is invalid');
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

  it('closes on Escape', async () => {
    rows.mockResolvedValue([]);
    const onclose = vi.fn();
    render(OutboxPanel, { onclose, onchanged: vi.fn() });
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });
});
