// The one route table: it drives the navigation rail, the header's title and the page shown.
// Pages load lazily (each is its own chunk); a later view adds one entry here and nothing else.
// Except the board: the default route, drawn at every start, is in the first chunk — loading
// it as a chunk of its own waited for the shell to mount before the board's read could be
// sent (ui/START-BENCHMARKS.md, session 6).
import type { Component } from 'svelte';
import type { MessageKey } from '$i18n/ja';
import BoardPage from '$features/board/BoardPage.svelte';

export type RouteId =
  | 'board'
  | 'orders'
  | 'order'
  | 'new'
  | 'map'
  | 'calendar'
  | 'calendarStore'
  | 'plan'
  | 'stores'
  | 'settings';

/** What a page receives: the route's parameters (`:kind`, `:id`, …), decoded. */
export type RouteParams = Record<string, string>;

export interface PageProps {
  params: RouteParams;
}

export interface RouteDef {
  id: RouteId;
  /** `/orders/:kind/:id`: literal segments and `:name` parameters. */
  pattern: string;
  titleKey: MessageKey;
  /** Shown in the rail when set; `shortcut` is the `g`-sequence that opens it. */
  nav?: { labelKey: MessageKey; icon: NavIcon; shortcut?: string };
  page: () => Promise<{ default: Component<PageProps> }>;
}

export type NavIcon = 'board' | 'list' | 'new' | 'map' | 'calendar' | 'plan' | 'stores' | 'settings';

export const ROUTES: readonly RouteDef[] = [
  {
    id: 'board',
    pattern: '/board',
    titleKey: 'nav.board',
    nav: { labelKey: 'nav.board', icon: 'board', shortcut: 'b' },
    page: () => Promise.resolve({ default: BoardPage }),
  },
  {
    id: 'orders',
    pattern: '/orders',
    titleKey: 'nav.orders',
    nav: { labelKey: 'nav.orders', icon: 'list', shortcut: 'l' },
    page: () => import('$features/board/ListPage.svelte'),
  },
  {
    id: 'order',
    pattern: '/orders/:kind/:id',
    titleKey: 'nav.orders',
    page: () => import('$features/board/ListPage.svelte'),
  },
  {
    id: 'new',
    pattern: '/new',
    titleKey: 'nav.new',
    nav: { labelKey: 'nav.new', icon: 'new', shortcut: 'n' },
    page: () => import('$features/new-order/NewOrderPage.svelte'),
  },
  {
    id: 'map',
    pattern: '/map',
    titleKey: 'nav.map',
    nav: { labelKey: 'nav.map', icon: 'map', shortcut: 'm' },
    page: () => import('$features/map/MapPage.svelte'),
  },
  {
    // Picks a store (the last one viewed, else from a list) and opens its calendar.
    id: 'calendar',
    pattern: '/calendar',
    titleKey: 'nav.calendar',
    nav: { labelKey: 'nav.calendar', icon: 'calendar', shortcut: 'c' },
    page: () => import('$features/calendar/CalendarPage.svelte'),
  },
  {
    // A store manager's view: one store's 14 days × 18 slots.
    id: 'calendarStore',
    pattern: '/calendar/:storeId',
    titleKey: 'nav.calendar',
    page: () => import('$features/calendar/CalendarPage.svelte'),
  },
  {
    // Batch and fleet → optimise → routes on the map and the timeline → edits → send.
    id: 'plan',
    pattern: '/plan',
    titleKey: 'nav.plan',
    nav: { labelKey: 'nav.plan', icon: 'plan', shortcut: 'p' },
    page: () => import('$features/planning/PlanPage.svelte'),
  },
  {
    id: 'stores',
    pattern: '/stores',
    titleKey: 'nav.stores',
    nav: { labelKey: 'nav.stores', icon: 'stores', shortcut: 's' },
    page: () => import('$features/stores/StoresRoute.svelte'),
  },
  {
    // Endpoints, credentials, language and the demo's speed; a save applies at the next start.
    id: 'settings',
    pattern: '/settings',
    titleKey: 'nav.settings',
    nav: { labelKey: 'nav.settings', icon: 'settings' },
    page: () => import('$features/settings/SettingsPage.svelte'),
  },
];

export const DEFAULT_ROUTE: RouteId = 'board';

export interface Match {
  route: RouteDef;
  params: RouteParams;
  /** The query after `?` in the hash (`#/new?store=…&window=…`). */
  query: URLSearchParams;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** The route a location hash names; anything unknown is the default route. */
export function matchHash(hash: string, routes: readonly RouteDef[] = ROUTES): Match {
  const raw = hash.replace(/^#/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const parts = segments(path);
  for (const route of routes) {
    const pattern = segments(route.pattern);
    if (pattern.length !== parts.length) continue;
    const params: RouteParams = {};
    const ok = pattern.every((p, i) => {
      const part = parts[i] ?? '';
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(part);
        } catch {
          return false;
        }
        return part !== '';
      }
      return p === part;
    });
    if (ok) return { route, params, query: new URLSearchParams(search) };
  }
  const fallback = routes.find((r) => r.id === DEFAULT_ROUTE) ?? routes[0]!;
  return { route: fallback, params: {}, query: new URLSearchParams(search) };
}

/** The hash of a route with its parameters filled in. */
export function hrefOf(id: RouteId, params: RouteParams = {}, query?: Record<string, string>): string {
  const route = ROUTES.find((r) => r.id === id);
  if (!route) throw new Error(`no route ${id}`);
  const path = segments(route.pattern)
    .map((p) => (p.startsWith(':') ? encodeURIComponent(params[p.slice(1)] ?? '') : p))
    .join('/');
  const q = query ? new URLSearchParams(query).toString() : '';
  return `#/${path}${q ? `?${q}` : ''}`;
}

export function navigate(id: RouteId, params: RouteParams = {}, query?: Record<string, string>): void {
  location.hash = hrefOf(id, params, query);
}
