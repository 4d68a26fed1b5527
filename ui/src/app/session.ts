// The app-wide state every page shares: the backend's status, the store directory, the stores
// page's list. Created once; App.svelte starts them and keeps them current from the event hub.
import { StatusState } from '$app/status.svelte';
import { StoreDirectory } from '$app/storeDirectory.svelte';
import { StoresState } from '$features/stores/stores.svelte';

export const status = new StatusState();
export const directory = new StoreDirectory();
export const stores = new StoresState(status);
