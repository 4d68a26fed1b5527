// First: marks when the app's script starts running (start benchmark).
import './startMark';
import { mount } from 'svelte';
import './app.css';
import './lib/ui/tone.css';
import App from '$app/App.svelte';
import { markStartup } from '$lib/perf';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

const app = mount(App, { target });
markStartup('start:mounted');

export default app;
