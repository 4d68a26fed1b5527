import { mount } from 'svelte';
import './app.css';
import './lib/ui/tone.css';
import App from '$app/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export default mount(App, { target });
