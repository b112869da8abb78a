/**
 * The SDK's guard for callbacks that run outside any call of the app (timers, werift's events, emitters) lives in
 * the engine, so the browser and Node SDKs share one copy; see `@parley/engine`'s guarded.ts.
 */
export { guarded, logListenerErrors } from '@parley/engine';
