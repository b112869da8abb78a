/** The native face's own logic, without a server: profile checks, singleton, enum and code mapping. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { EngineCore, silentLogger, type WebSocketCtor } from '@parley/engine';
import { NativeEngine, nativeCode, ZegoExpressEngine } from '../src/index.js';
import { checkProfile } from '../src/native/profile.js';
import { EventLog } from './support/waitFor.js';

const APP_SIGN = 'ab'.repeat(32);
const SERVER = 'ws://127.0.0.1:9/ws';
const NoNetwork = class {
  constructor() {
    throw new Error('the network was used');
  }
} as unknown as WebSocketCtor;

afterEach(() => ZegoExpressEngine.destroyEngine());

function detachedEngine(): { core: EngineCore; engine: NativeEngine } {
  const core = new EngineCore({ appID: 1, url: SERVER, WebSocket: NoNetwork, logger: silentLogger });
  const profile = checkProfile({ appID: 1, appSign: APP_SIGN, scenario: 0, server: SERVER }, {});
  return { core, engine: new NativeEngine(core, profile) };
}

test('profile checks: AppID 1001004, AppSign length 1001001, characters 1001002', () => {
  const base = { appID: 1, appSign: APP_SIGN, scenario: 0, server: SERVER };
  assert.equal(checkProfile(base, {}).appSign, APP_SIGN);
  assert.throws(() => checkProfile({ ...base, appID: 0 }, {}), { code: 1001004 });
  assert.throws(() => checkProfile({ ...base, appID: 2 ** 32 }, {}), { code: 1001004 });
  assert.throws(() => checkProfile({ ...base, appSign: 'abc' }, {}), { code: 1001001 });
  assert.throws(() => checkProfile({ ...base, appSign: 'zz'.repeat(32) }, {}), { code: 1001002 });
  assert.equal(checkProfile({ ...base, appSign: '' }, {}).appSign, null, "'' means token logins only");
  assert.throws(() => checkProfile(null, {}), TypeError);
});

test('the server comes from the profile, else PARLEY_SERVER, else a clear TypeError', () => {
  const profile = { appID: 1, appSign: APP_SIGN, scenario: 0 };
  assert.equal(checkProfile(profile, { PARLEY_SERVER: 'ws://10.0.0.1:7000' }).url, 'ws://10.0.0.1:7000/ws');
  assert.equal(
    checkProfile({ ...profile, server: 'ws://127.0.0.1:1/ws' }, { PARLEY_SERVER: 'ws://10.0.0.1:7000' }).url,
    'ws://127.0.0.1:1/ws',
  );
  assert.throws(() => checkProfile(profile, {}), /PARLEY_SERVER/);
});

test('createEngine reports a bad AppSign to onDebugError, then throws; createEngineWithProfile rejects', async () => {
  const debug: unknown[][] = [];
  const handler = { onDebugError: (...args: unknown[]) => debug.push(args) };
  assert.throws(
    () => ZegoExpressEngine.createEngine({ appID: 1, appSign: 'abc', scenario: 0, server: SERVER }, handler),
    { code: 1001001 },
  );
  assert.throws(
    () =>
      ZegoExpressEngine.createEngine(
        { appID: 1, appSign: 'g'.repeat(64), scenario: 0, server: SERVER },
        handler,
      ),
    { code: 1001002 },
  );
  assert.deepEqual(
    debug.map((d) => d.slice(0, 2)),
    [
      [1001001, 'createEngine'],
      [1001002, 'createEngine'],
    ],
  );
  await assert.rejects(
    ZegoExpressEngine.createEngineWithProfile({ appID: 1, appSign: 'abc', scenario: 0, server: SERVER }),
    { code: 1001001 },
  );
  assert.throws(() => ZegoExpressEngine.instance(), /createEngine/);
});

test('a handler without onDebugError is refused', () => {
  assert.throws(
    () =>
      ZegoExpressEngine.createEngine({ appID: 1, appSign: APP_SIGN, scenario: 0, server: SERVER }, {} as any),
    TypeError,
  );
});

test('the native engine is a singleton until destroyEngine', async () => {
  const profile = { appID: 1, appSign: APP_SIGN, scenario: 0, server: SERVER };
  const a = ZegoExpressEngine.createEngine(profile);
  assert.equal(ZegoExpressEngine.createEngine(profile), a);
  assert.equal(await ZegoExpressEngine.createEngineWithProfile(profile), a);
  assert.equal(ZegoExpressEngine.instance(), a);
  let called = false;
  await ZegoExpressEngine.destroyEngine(() => {
    called = true;
  });
  assert.equal(called, true);
  assert.throws(() => ZegoExpressEngine.instance(), /no engine/);
  await assert.rejects(a.loginRoom('r1', { userID: 'u1' }), /destroyed/);
  const b = ZegoExpressEngine.createEngine(profile);
  assert.notEqual(b, a);
});

test('core events become native events with numeric enums, under both spellings and on the handler', () => {
  const { core, engine } = detachedEngine();
  const log = new EventLog(engine, [
    'roomStateChanged',
    'roomStateUpdate',
    'roomUserUpdate',
    'roomStreamUpdate',
  ]);
  const electron: unknown[][] = [];
  engine.on('onPublisherStateUpdate', (...args) => electron.push(args));
  const handled: unknown[][] = [];
  engine.setEventHandler({
    onDebugError: () => {},
    onRoomTokenWillExpire: (roomID, remain) => handled.push([roomID, remain]),
  });
  const user = { userID: 'u2', userName: '' };
  core.emit('roomState', 'r1', 'LOGINED', 0, '');
  core.emit('roomState', 'r1', 'RECONNECTING', 1102001, '');
  core.emit('roomState', 'r1', 'LOGIN_FAILED', 1102018, '');
  core.emit('userUpdate', 'r1', 'DELETE', [user]);
  core.emit('streamUpdate', 'r1', 'ADD', [{ streamID: 's1', user, extraInfo: '' }], '');
  core.emit('publisherState', 's9', 'PUBLISHING', 0, '');
  core.emit('tokenWillExpire', 'r1', 30);
  assert.deepEqual(log.of('roomStateChanged'), [
    ['r1', 1, 0, ''],
    ['r1', 3, 1102001, ''],
    ['r1', 2, 1002078, ''],
  ]);
  assert.deepEqual(log.of('roomStateUpdate'), [
    ['r1', 2, 0, ''],
    ['r1', 1, 1102001, ''],
    ['r1', 0, 1002078, ''],
  ]);
  assert.deepEqual(log.of('roomUserUpdate'), [['r1', 1, [user]]]);
  assert.deepEqual(log.of('roomStreamUpdate'), [['r1', 0, [{ streamID: 's1', user, extraInfo: '' }], '']]);
  assert.deepEqual(electron, [['s9', 2, 0, '']]);
  assert.deepEqual(handled, [['r1', 30]]);
  engine.destroy();
});

test('native loginRoom resolves bad input with the code and a debugError, never rejecting', async () => {
  const { engine } = detachedEngine();
  const log = new EventLog(engine, ['debugError', 'roomStateChanged']);
  assert.deepEqual(await engine.loginRoom('', { userID: 'u1' }), { errorCode: 1002011, extendedData: '' });
  assert.deepEqual(await engine.loginRoom('r1', { userID: '' }), { errorCode: 1002005, extendedData: '' });
  assert.equal((await engine.loginRoom('r1', { userID: 'u1' }, { maxMemberCount: 1.5 })).errorCode, 1100001);
  assert.deepEqual(
    log.of('debugError').map((d) => d.slice(0, 2)),
    [
      [1002011, 'loginRoom'],
      [1002005, 'loginRoom'],
      [1100001, 'loginRoom'],
    ],
  );
  assert.deepEqual(log.of('roomStateChanged'), []);
  engine.destroy();
});

test('native publishing outside a room reports NoPublish with the code', () => {
  const { engine } = detachedEngine();
  const log = new EventLog(engine, ['publisherStateUpdate', 'debugError']);
  engine.startPublishingStream('s1');
  assert.deepEqual(log.of('publisherStateUpdate'), [['s1', 0, 1000002, '']]);
  assert.deepEqual(log.of('debugError')[0]?.slice(0, 2), [1000002, 'startPublishingStream']);
  engine.destroy();
});

test('the expired-token code is the native one', () => {
  assert.equal(nativeCode(1102018), 1002078);
  assert.equal(nativeCode(1102016), 1102016);
  assert.equal(nativeCode(0), 0);
});

test('unknown event names are a TypeError', () => {
  const { engine } = detachedEngine();
  assert.throws(() => engine.on('roomStateChange' as any, () => {}), TypeError);
  engine.destroy();
});
