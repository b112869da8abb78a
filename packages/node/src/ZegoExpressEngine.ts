/**
 * `ZegoExpressEngine` for Node: the web face (`new ZegoExpressEngine(appID, server)`) with `ws` as its WebSocket,
 * plus the native face's statics (`createEngine`, `createEngineWithProfile`, `instance`, `destroyEngine`).
 */
import { ENGINE_VERSION, WebFace, type WebFaceOptions } from '@parley/engine';
import type { NativeEngine } from './native/NativeEngine.js';
import { createNativeEngine, destroyNativeEngine, nativeInstance } from './native/nativeSingleton.js';
import type { ZegoEngineProfile, ZegoEventHandler } from './native/nativeTypes.js';
import { NodeWebSocket } from './nodeWebSocket.js';

/**
 * The Express engine in Node, both faces.
 * @example
 * // Web style, exactly as in a browser:
 * const zg = new ZegoExpressEngine(appID, 'ws://127.0.0.1:8080/ws');
 * await zg.loginRoom('room1', token, { userID: 'u1' }, { userUpdate: true });
 *
 * // Native style:
 * const engine = await ZegoExpressEngine.createEngineWithProfile({ appID, appSign, scenario: 0, server });
 * await engine.loginRoom('room1', { userID: 'u2' }, { isUserStatusNotify: true });
 * await ZegoExpressEngine.destroyEngine();
 */
export class ZegoExpressEngine extends WebFace {
  constructor(appID: number, server: string, options: WebFaceOptions = {}) {
    super(appID, server, { ...options, WebSocket: options.WebSocket ?? NodeWebSocket });
  }

  /**
   * Creates the native engine (a process-wide singleton; a second call returns the first engine).
   * `handler` is a Cocos-style object whose `onDebugError` is required. Throws a ParleyError for a bad AppID
   * (1001004) or AppSign (1001001 length, 1001002 characters) after reporting it to `handler.onDebugError`.
   * @example
   * const engine = ZegoExpressEngine.createEngine({ appID, appSign, scenario: 0 }, this);
   */
  static createEngine(profile: ZegoEngineProfile, handler?: ZegoEventHandler): NativeEngine {
    return createNativeEngine(profile, handler);
  }

  /**
   * Creates the native engine; rejects where `createEngine` throws.
   * @example
   * const engine = await ZegoExpressEngine.createEngineWithProfile({ appID, appSign, scenario: 0 });
   */
  static async createEngineWithProfile(profile: ZegoEngineProfile): Promise<NativeEngine> {
    return createNativeEngine(profile);
  }

  /** The native engine created by `createEngine`; throws if there is none. */
  static instance(): NativeEngine {
    return nativeInstance();
  }

  /**
   * Destroys the native engine (leaves every room, closes the socket); `callback` runs when done.
   * @example
   * await ZegoExpressEngine.destroyEngine(() => console.log('destroyed'));
   */
  static async destroyEngine(callback?: () => void): Promise<void> {
    destroyNativeEngine();
    callback?.();
  }

  /** The SDK version. */
  static getVersion(): string {
    return ENGINE_VERSION;
  }
}
