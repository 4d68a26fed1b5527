// The page shown, from the location hash: "#/orders" or "#/stores" (the default).
export type Route = 'stores' | 'orders';

export function routeFromHash(hash: string): Route {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0] === 'orders' ? 'orders' : 'stores';
}
