// Imported first by main.ts, so this mark is the first code of the app's own script to run
// (after the shared chunks it imports are parsed and evaluated): the start benchmark's
// "script parsed" moment.
import { markStartup } from '$lib/perf';

markStartup('start:script');
