// The orders picked on the board for the next plan ("計画に追加"): the list page adds its
// selection here and opens 計画, whose batch panel shows them as the plan's source beside (or
// instead of) a file. Kept for the session only: the board is where orders are picked again.
import type { OrderKind } from '$lib/ipc';

export interface BasketOrder {
  kind: OrderKind;
  id: string;
  tracking_code: string;
  customer_name: string;
  store_id: string;
}

const key = (o: { kind: OrderKind; id: string }): string => `${o.kind}:${o.id}`;

export class PlanBasket {
  orders = $state<BasketOrder[]>([]);

  /** Adds orders not already in; how many were new. */
  add(orders: readonly BasketOrder[]): number {
    const have = new Set(this.orders.map(key));
    const fresh = orders.filter((o) => !have.has(key(o)) && (have.add(key(o)), true));
    this.orders = [...this.orders, ...fresh];
    return fresh.length;
  }

  remove(order: { kind: OrderKind; id: string }): void {
    this.orders = this.orders.filter((o) => key(o) !== key(order));
  }

  clear(): void {
    this.orders = [];
  }
}

export const basket = new PlanBasket();
