import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter } from '@parley/engine';
import { NATIVE_EVENT_NAMES, toNativeEventName, type ZegoNativeEvents } from '../src/index.js';
import { bridgeHandler, handlerMethodName, isEventHandler } from '../src/native/handlerBridge.js';

test('event names in both spellings map to the native name', () => {
  assert.equal(toNativeEventName('roomStateUpdate'), 'roomStateUpdate');
  assert.equal(toNativeEventName('onRoomStateUpdate'), 'roomStateUpdate');
  assert.equal(toNativeEventName('onIMRecvCustomCommand'), 'IMRecvCustomCommand');
  assert.equal(toNativeEventName('IMRecvBroadcastMessage'), 'IMRecvBroadcastMessage');
  assert.equal(toNativeEventName('onDebugError'), 'debugError');
  assert.equal(toNativeEventName('roomStateChange'), null);
  assert.equal(toNativeEventName('onroomStateUpdate'), null);
  assert.equal(handlerMethodName('roomTokenWillExpire'), 'onRoomTokenWillExpire');
  for (const name of NATIVE_EVENT_NAMES) assert.equal(toNativeEventName(handlerMethodName(name)), name);
});

test('a handler needs onDebugError; the other methods are optional', () => {
  assert.equal(isEventHandler({ onDebugError() {} }), true);
  assert.equal(isEventHandler({ onRoomStateUpdate() {} }), false);
  assert.equal(isEventHandler(null), false);
});

test('the bridge calls the handler method for each event, with `this` the handler, until detached', () => {
  const events = new TypedEmitter<ZegoNativeEvents>();
  const calls: unknown[][] = [];
  class Handler {
    tag = 'me';
    onDebugError(code: number, funcName: string, info: string): void {
      calls.push([this.tag, 'debugError', code, funcName, info]);
    }
    onRoomStateChanged(roomID: string, reason: number, errorCode: number, extendedData: string): void {
      calls.push([this.tag, 'roomStateChanged', roomID, reason, errorCode, extendedData]);
    }
  }
  const handler = new Handler();
  const detach = bridgeHandler(events, handler);
  events.emit('debugError', 1002005, 'loginRoom', 'userID is empty');
  events.emit('roomStateChanged', 'r1', 1, 0, '');
  events.emit('roomStateUpdate', 'r1', 2, 0, ''); // no method: ignored
  // Methods added after the bridge count too.
  (handler as any).onRoomStateUpdate = (...args: unknown[]) => calls.push(['late', ...args]);
  events.emit('roomStateUpdate', 'r1', 2, 0, '');
  detach();
  events.emit('roomStateChanged', 'r1', 7, 0, '');
  assert.deepEqual(calls, [
    ['me', 'debugError', 1002005, 'loginRoom', 'userID is empty'],
    ['me', 'roomStateChanged', 'r1', 1, 0, ''],
    ['late', 'r1', 2, 0, ''],
  ]);
});

test('a throwing handler method does not break the emitter', () => {
  const errors: unknown[] = [];
  const events = new TypedEmitter<ZegoNativeEvents>((err) => errors.push(err));
  let after = false;
  bridgeHandler(events, {
    onDebugError() {
      throw new Error('handler bug');
    },
  });
  events.on('debugError', () => {
    after = true;
  });
  assert.doesNotThrow(() => events.emit('debugError', 1, 'f', 'i'));
  assert.equal(after, true);
  assert.equal(errors.length, 1);
});
