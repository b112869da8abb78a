/**
 * The one native engine of the process, as in the Express SDKs: `createEngine` makes it, `instance()` returns
 * it, `destroyEngine()` ends it (after which a new one may be created).
 */
import { consoleLogger, EngineCore } from '@parley/engine';
import { ParleyError } from '@parley/protocol';
import { WeriftMediaBackend } from '../media/backend/WeriftMediaBackend.js';
import { NodeWebSocket } from '../nodeWebSocket.js';
import { isEventHandler } from './handlerBridge.js';
import { NativeEngine } from './NativeEngine.js';
import type { ZegoEngineProfile, ZegoEventHandler } from './nativeTypes.js';
import { checkProfile } from './profile.js';

let current: NativeEngine | null = null;

/**
 * Creates the native engine, or returns the existing one unchanged.
 * A bad AppID or AppSign is reported to `handler.onDebugError(code, 'createEngine', info)` and thrown as a
 * ParleyError (1001004, 1001001, 1001002); a malformed profile or missing server throws a TypeError.
 */
export function createNativeEngine(profile: ZegoEngineProfile, handler?: ZegoEventHandler): NativeEngine {
  if (handler !== undefined && handler !== null && !isEventHandler(handler)) {
    throw new TypeError(
      'createEngine: the event handler must implement onDebugError(errorCode, funcName, info)',
    );
  }
  if (current) return current;
  let checked: ReturnType<typeof checkProfile>;
  try {
    checked = checkProfile(profile, process.env);
  } catch (err) {
    if (err instanceof ParleyError) handler?.onDebugError(err.code, 'createEngine', err.msg);
    throw err;
  }
  const logger = checked.parley.logger ?? consoleLogger;
  const core = new EngineCore({
    appID: checked.appID,
    url: checked.url,
    WebSocket: NodeWebSocket,
    reconnectPolicy: checked.parley.reconnectPolicy,
    requestTimeoutMs: checked.parley.requestTimeoutMs,
    logger,
    media: new WeriftMediaBackend({ hostAddresses: checked.parley.hostAddresses, logger }),
    mediaTiming: checked.parley.mediaTiming,
    qualityIntervalMs: checked.parley.qualityIntervalMs,
  });
  current = new NativeEngine(core, checked, handler ?? undefined);
  return current;
}

/** The native engine; throws if none was created (or it was destroyed). */
export function nativeInstance(): NativeEngine {
  if (!current)
    throw new Error('ZegoExpressEngine.instance(): no engine; call ZegoExpressEngine.createEngine first');
  return current;
}

/** Destroys the native engine, if any: leaves every room and closes the socket. */
export function destroyNativeEngine(): void {
  const engine = current;
  current = null;
  engine?.destroy();
}
