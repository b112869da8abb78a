/**
 * Event-name plumbing of the native face: the list of native events, the Electron spelling (`onRoomStateUpdate`)
 * accepted by `on()`, and the bridge that calls a Cocos-style handler object's `onXxx` methods.
 */
import type { TypedEmitter } from '@parley/engine';
import type { ZegoEventHandler, ZegoNativeEventName, ZegoNativeEvents } from './nativeTypes.js';

/** Every native event name (checked against ZegoNativeEvents in both directions below). */
export const NATIVE_EVENT_NAMES = [
  'debugError',
  'roomStateUpdate',
  'roomStateChanged',
  'roomUserUpdate',
  'roomOnlineUserCountUpdate',
  'roomStreamUpdate',
  'roomStreamExtraInfoUpdate',
  'roomExtraInfoUpdate',
  'roomTokenWillExpire',
  'publisherStateUpdate',
  'publisherQualityUpdate',
  'playerStateUpdate',
  'playerQualityUpdate',
  'playerMediaEvent',
  'playerRecvVideoFirstFrame',
  'remoteCameraStateUpdate',
  'remoteMicStateUpdate',
  'IMRecvBroadcastMessage',
  'IMRecvCustomCommand',
  'IMRecvBarrageMessage',
] as const satisfies readonly ZegoNativeEventName[];

// Fails to compile if ZegoNativeEvents gains an event the list lacks.
const listIsComplete: Record<Exclude<ZegoNativeEventName, (typeof NATIVE_EVENT_NAMES)[number]>, never> = {};
void listIsComplete;

/** `roomStateUpdate` → `onRoomStateUpdate`. */
export function handlerMethodName(event: string): string {
  return `on${event.charAt(0).toUpperCase()}${event.slice(1)}`;
}

const byAnyName = new Map<string, ZegoNativeEventName>();
for (const name of NATIVE_EVENT_NAMES) {
  byAnyName.set(name, name);
  byAnyName.set(handlerMethodName(name), name);
}

/**
 * The native event name for a name in either spelling, or null if it is not a native event.
 * @example
 * toNativeEventName('onRoomStateUpdate'); // 'roomStateUpdate'
 */
export function toNativeEventName(name: string): ZegoNativeEventName | null {
  return byAnyName.get(name) ?? null;
}

/** True if `handler` is an object with the required `onDebugError` method. */
export function isEventHandler(handler: unknown): handler is ZegoEventHandler {
  return (
    typeof handler === 'object' &&
    handler !== null &&
    typeof (handler as { onDebugError?: unknown }).onDebugError === 'function'
  );
}

/**
 * Forwards every native event to `handler.onXxx` (looked up at each event, so methods added later count).
 * Returns the function that detaches the handler.
 * @example
 * const detach = bridgeHandler(events, { onDebugError: (code) => console.log(code) });
 */
export function bridgeHandler(events: TypedEmitter<ZegoNativeEvents>, handler: ZegoEventHandler): () => void {
  const detachers: Array<() => void> = [];
  for (const name of NATIVE_EVENT_NAMES) {
    const method = handlerMethodName(name);
    const listener = (...args: unknown[]): void => {
      const fn = (handler as unknown as Record<string, unknown>)[method];
      if (typeof fn === 'function') fn.apply(handler, args);
    };
    events.on(name, listener);
    detachers.push(() => events.off(name, listener));
  }
  return () => {
    for (const detach of detachers) detach();
  };
}
