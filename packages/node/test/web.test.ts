/** The web face in Node against a real server: the seed 001 call flow, and the errors around it. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { type MediaBackend, silentLogger, ZegoExpressEngine } from '../src/index.js';
import { nodeCapabilities } from '../src/systemRequirements.js';
import { APP, startTestServer, token, uniqueRoom } from './support/fixtures.js';

const AUDIO_ONLY = { camera: { audio: true, video: false } };

import { EventLog, waitFor } from './support/waitFor.js';

let server: RunningServer;
const engines: ZegoExpressEngine[] = [];

before(async () => {
  server = await startTestServer({ rooms: { roomMessagesPerSecond: 5, onlineCountIntervalMs: 150 } });
});
after(async () => {
  for (const e of engines) e.destroyEngine();
  await server.close();
});

function engine(appID = APP.appID): ZegoExpressEngine {
  const e = new ZegoExpressEngine(appID, server.url, { logger: silentLogger });
  engines.push(e);
  return e;
}

async function login(e: ZegoExpressEngine, roomID: string, userID: string, userUpdate = true): Promise<void> {
  await e.loginRoom(roomID, token(userID), { userID, userName: `name-${userID}` }, { userUpdate });
}

const ROOM_EVENTS = ['roomStateChanged', 'roomStateUpdate', 'roomUserUpdate', 'roomStreamUpdate'];

test('two engines in a room see each other come and go, with their streams', async () => {
  const room = uniqueRoom();
  const alice = engine();
  const bob = engine();
  const aliceLog = new EventLog(alice, [...ROOM_EVENTS, 'publisherStateUpdate']);
  const bobLog = new EventLog(bob, ROOM_EVENTS);

  assert.equal(
    await alice.loginRoom(room, token('alice'), { userID: 'alice', userName: 'Alice' }, { userUpdate: true }),
    true,
  );
  assert.deepEqual(aliceLog.entries, [
    ['roomStateChanged', room, 'LOGINING', 0, ''],
    ['roomStateUpdate', room, 'CONNECTING', 0, ''],
    ['roomStateChanged', room, 'LOGINED', 0, ''],
    ['roomStateUpdate', room, 'CONNECTED', 0, ''],
  ]);

  const publishing = waitFor(alice, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  assert.equal(
    alice.startPublishingStream('alice-cam', await alice.createZegoStream(AUDIO_ONLY), {
      extraInfo: 'camera',
    }),
    true,
  );
  await publishing;
  assert.deepEqual(aliceLog.of('publisherStateUpdate'), [
    [{ streamID: 'alice-cam', state: 'PUBLISH_REQUESTING', errorCode: 0, extendedData: '' }],
    [{ streamID: 'alice-cam', state: 'PUBLISHING', errorCode: 0, extendedData: '' }],
  ]);

  // Bob joins: he hears of Alice and her stream right after LOGINED; Alice hears of Bob.
  const bobSeesStream = waitFor(bob, 'roomStreamUpdate');
  const aliceSeesBob = waitFor(alice, 'roomUserUpdate', (_r, type) => type === 'ADD');
  await login(bob, room, 'bob');
  await bobSeesStream;
  assert.deepEqual(await aliceSeesBob, [room, 'ADD', [{ userID: 'bob', userName: 'name-bob' }]]);
  assert.deepEqual(
    bobLog.entries.filter((e) => e[0] !== 'roomStateUpdate'),
    [
      ['roomStateChanged', room, 'LOGINING', 0, ''],
      ['roomStateChanged', room, 'LOGINED', 0, ''],
      ['roomUserUpdate', room, 'ADD', [{ userID: 'alice', userName: 'Alice' }]],
      [
        'roomStreamUpdate',
        room,
        'ADD',
        [{ streamID: 'alice-cam', user: { userID: 'alice', userName: 'Alice' }, extraInfo: 'camera' }],
        '',
      ],
    ],
  );

  // Alice stops her stream: Bob gets DELETE with reason 1 (stopped publishing).
  const deleted = waitFor(bob, 'roomStreamUpdate', (_r, type) => type === 'DELETE');
  assert.equal(alice.stopPublishingStream('alice-cam'), true);
  const [, , list, extendedData] = await deleted;
  assert.deepEqual(
    list.map((s: any) => s.streamID),
    ['alice-cam'],
  );
  assert.deepEqual(JSON.parse(extendedData), { stream_delete_reason: [{ stream_id: 'alice-cam', code: 1 }] });
  assert.deepEqual(aliceLog.of('publisherStateUpdate').at(-1), [
    { streamID: 'alice-cam', state: 'NO_PUBLISH', errorCode: 0, extendedData: '' },
  ]);

  // Bob publishes, then logs out: Alice sees his stream go (reason 1) and him leave.
  const bobPublishing = waitFor(bob, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  bob.startPublishingStream('bob-cam', await bob.createZegoStream(AUDIO_ONLY));
  await bobPublishing;
  const streamGone = waitFor(
    alice,
    'roomStreamUpdate',
    (_r, type, l) => type === 'DELETE' && l[0].streamID === 'bob-cam',
  );
  const bobGone = waitFor(alice, 'roomUserUpdate', (_r, type) => type === 'DELETE');
  const bobLogout = waitFor(bob, 'roomStateChanged', (_r, reason) => reason === 'LOGOUT');
  bob.logoutRoom(room);
  await bobLogout;
  assert.deepEqual(JSON.parse((await streamGone)[3]), {
    stream_delete_reason: [{ stream_id: 'bob-cam', code: 1 }],
  });
  assert.deepEqual((await bobGone)[2], [{ userID: 'bob', userName: 'name-bob' }]);
});

test('without userUpdate no roomUserUpdate arrives', async () => {
  const room = uniqueRoom();
  const quiet = engine();
  const loud = engine();
  const quietLog = new EventLog(quiet, ['roomUserUpdate', 'roomStreamUpdate']);
  await login(quiet, room, 'quiet', false);
  const streamSeen = waitFor(quiet, 'roomStreamUpdate');
  await login(loud, room, 'loud');
  loud.startPublishingStream('loud-cam', await loud.createZegoStream(AUDIO_ONLY));
  await streamSeen;
  assert.deepEqual(quietLog.of('roomUserUpdate'), []);
});

test('login refusals reject with {code, msg} and LOGIN_FAILED', async () => {
  const room = uniqueRoom();
  const cases: [string, () => Promise<unknown>, number][] = [
    [
      'wrong AppID',
      () => engine(999).loginRoom(room, token('u1', { appID: 999 }), { userID: 'u1' }),
      1001004,
    ],
    [
      'bad token',
      () => engine().loginRoom(room, token('u1', { secret: 'x'.repeat(32) }), { userID: 'u1' }),
      1102016,
    ],
    ['token of another user', () => engine().loginRoom(room, token('u2'), { userID: 'u1' }), 1002077],
    [
      'expired token',
      () =>
        engine().loginRoom(room, token('u1', { issuedAt: Math.floor(Date.now() / 1000) - 7200 }), {
          userID: 'u1',
        }),
      1102018,
    ],
    [
      'token for another room',
      () =>
        engine().loginRoom(
          room,
          token('u1', { payload: { roomId: 'elsewhere', canLogin: true, canPublish: true } }),
          {
            userID: 'u1',
          },
        ),
      1102016,
    ],
  ];
  for (const [what, attempt, code] of cases) {
    await assert.rejects(attempt(), (err: any) => {
      assert.equal(err.code, code, what);
      assert.equal(typeof err.msg, 'string');
      return true;
    });
  }
  // The state events of a refusal.
  const e = engine();
  const log = new EventLog(e, ['roomStateChanged', 'roomStateUpdate']);
  await assert.rejects(e.loginRoom(room, token('u3', { secret: 'y'.repeat(32) }), { userID: 'u3' }), {
    code: 1102016,
  });
  assert.deepEqual(log.entries.slice(2), [
    ['roomStateChanged', room, 'LOGIN_FAILED', 1102016, ''],
    ['roomStateUpdate', room, 'DISCONNECTED', 1102016, ''],
  ]);
});

test('a full room refuses with 1002034 (the first user sets the limit)', async () => {
  const room = uniqueRoom();
  const first = engine();
  await first.loginRoom(room, token('f1'), { userID: 'f1' }, { maxMemberCount: 1 });
  await assert.rejects(engine().loginRoom(room, token('f2'), { userID: 'f2' }), { code: 1002034 });
});

test('publish refusals come as NO_PUBLISH with the server code', async () => {
  const room = uniqueRoom();
  const owner = engine();
  await login(owner, room, 'owner');
  const ok = waitFor(owner, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  owner.startPublishingStream('taken', await owner.createZegoStream(AUDIO_ONLY));
  await ok;

  const other = engine();
  await login(other, room, 'other');
  const dup = waitFor(other, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  assert.equal(other.startPublishingStream('taken', await other.createZegoStream(AUDIO_ONLY)), true);
  assert.equal((await dup)[0].errorCode, 1003028);

  const viewer = engine();
  await viewer.loginRoom(room, token('viewer', { payload: { canLogin: true, canPublish: false } }), {
    userID: 'viewer',
  });
  const denied = waitFor(viewer, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  viewer.startPublishingStream('viewer-cam', await viewer.createZegoStream(AUDIO_ONLY));
  assert.equal((await denied)[0].errorCode, 1002082);

  const listed = engine();
  await listed.loginRoom(
    room,
    token('listed', { payload: { canLogin: true, canPublish: true, streamIdList: ['allowed'] } }),
    { userID: 'listed' },
  );
  const notListed = waitFor(listed, 'publisherStateUpdate', (r) => r.state === 'NO_PUBLISH');
  listed.startPublishingStream('not-allowed', await listed.createZegoStream(AUDIO_ONLY));
  assert.equal((await notListed)[0].errorCode, 1103019);
  const allowed = waitFor(listed, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  listed.startPublishingStream('allowed', await listed.createZegoStream(AUDIO_ONLY));
  assert.equal((await allowed)[0].streamID, 'allowed');
});

test('messages, commands and extra info reach the others', async () => {
  const room = uniqueRoom();
  const a = engine();
  const b = engine();
  const c = engine();
  await login(a, room, 'ma');
  await login(b, room, 'mb');
  await login(c, room, 'mc');

  const got = waitFor(b, 'IMRecvBroadcastMessage');
  const sent = await a.sendBroadcastMessage(room, 'hello room');
  assert.equal(sent.errorCode, 0);
  const [, messages] = await got;
  assert.equal(messages[0].message, 'hello room');
  assert.deepEqual(messages[0].fromUser, { userID: 'ma', userName: 'name-ma' });
  assert.equal(messages[0].messageID, sent.messageID);

  const cmd = waitFor(c, 'IMRecvCustomCommand');
  const bLog = new EventLog(b, ['IMRecvCustomCommand']);
  assert.equal((await a.sendCustomCommand(room, 'only for mc', ['mc'])).errorCode, 0);
  assert.deepEqual(await cmd, [room, { userID: 'ma', userName: 'name-ma' }, 'only for mc']);

  const info = waitFor(c, 'roomExtraInfoUpdate');
  assert.deepEqual(await a.setRoomExtraInfo(room, 'topic', 'tests'), { errorCode: 0, extendedData: '' });
  const [, infos] = await info;
  assert.equal(infos[0].key, 'topic');
  assert.equal(infos[0].value, 'tests');
  assert.equal(infos[0].updateUser.userID, 'ma');

  const pub = waitFor(a, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  a.startPublishingStream('ma-cam', await a.createZegoStream(AUDIO_ONLY), { extraInfo: 'v1' });
  await pub;
  const extra = waitFor(b, 'streamExtraInfoUpdate');
  assert.equal((await a.setStreamExtraInfo('ma-cam', 'v2')).errorCode, 0);
  assert.equal((await extra)[1][0].extraInfo, 'v2');

  // A newcomer is told the room's extra info on login.
  const d = engine();
  const newcomerInfo = waitFor(d, 'roomExtraInfoUpdate');
  await login(d, room, 'md');
  assert.equal((await newcomerInfo)[1][0].value, 'tests');
  assert.deepEqual(bLog.entries, [], 'mb was not addressed');

  // The room allows 5 messages a second: the burst's excess is refused with 1009015.
  const results = await Promise.all(
    [1, 2, 3, 4, 5, 6, 7, 8].map((i) => a.sendBroadcastMessage(room, `m${i}`)),
  );
  assert.ok(results.some((r) => r.errorCode === 1009015));
  assert.equal((await a.sendBroadcastMessage('not-my-room', 'x')).errorCode, 1002002);
});

test('one engine in several rooms over one socket; logoutRoom() leaves them all', async () => {
  const rooms = [uniqueRoom('multi'), uniqueRoom('multi')];
  const e = engine();
  for (const room of rooms) await login(e, room, 'multi-user');
  await assert.rejects(e.loginRoom(uniqueRoom(), token('someone-else'), { userID: 'someone-else' }), {
    code: 1100001,
  });
  await assert.rejects(login(e, rooms[0]!, 'multi-user'), { code: 1100001 });
  const log = new EventLog(e, ['roomStateChanged']);
  e.logoutRoom();
  assert.deepEqual(log.entries, [
    ['roomStateChanged', rooms[0], 'LOGOUT', 0, ''],
    ['roomStateChanged', rooms[1], 'LOGOUT', 0, ''],
  ]);
  // And in again (a new server session on a new socket).
  await login(e, rooms[1]!, 'multi-user');
});

test('tokenWillExpire arrives 30 s before expiry; renewToken is sent', async () => {
  const room = uniqueRoom();
  const e = engine();
  const warned = waitFor(e, 'tokenWillExpire');
  await e.loginRoom(room, token('short', { ttl: 31 }), { userID: 'short' });
  assert.deepEqual(await warned, [room]);
  assert.equal(e.renewToken(token('short', { ttl: 3600 })), true);
  assert.equal(e.renewToken(token('short'), 'not-my-room'), false);
});

test('destroyEngine leaves at once: the others see the user go without waiting for a timeout', async () => {
  const room = uniqueRoom();
  const stays = engine();
  const leaves = engine();
  await login(stays, room, 'stays');
  await login(leaves, room, 'leaves');
  const pub = waitFor(leaves, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING');
  leaves.startPublishingStream('leaves-cam', await leaves.createZegoStream(AUDIO_ONLY));
  await pub;
  const gone = waitFor(stays, 'roomUserUpdate', (_r, type) => type === 'DELETE', 2000);
  const streamGone = waitFor(stays, 'roomStreamUpdate', (_r, type) => type === 'DELETE', 2000);
  leaves.destroyEngine();
  await gone;
  assert.deepEqual(JSON.parse((await streamGone)[3]), {
    stream_delete_reason: [{ stream_id: 'leaves-cam', code: 1 }],
  });
  await assert.rejects(leaves.loginRoom(room, token('leaves'), { userID: 'leaves' }), /destroyed/);
});

test('roomOnlineUserCountUpdate reports the room size periodically', async () => {
  const room = uniqueRoom();
  const a = engine();
  const b = engine();
  await login(a, room, 'count-a');
  await login(b, room, 'count-b');
  assert.deepEqual(await waitFor(a, 'roomOnlineUserCountUpdate', (r, n) => r === room && n === 2), [room, 2]);
});

test('getVersion is a version string', () => {
  assert.match(engine().getVersion(), /^\d+\.\d+\.\d+/);
  assert.equal(ZegoExpressEngine.getVersion(), engine().getVersion());
});

test("checkSystemRequirements tells what Node can do: werift's WebRTC, synthetic devices, VP8, no screen", async () => {
  const zg = engine();
  // Seed 001 §2.3 calls it before anything else and logs the result.
  assert.deepEqual(await zg.checkSystemRequirements(), {
    webRTC: true,
    customCapture: true,
    camera: true,
    microphone: true,
    screenSharing: false,
    videoCodec: { H264: false, H265: false, VP8: true, VP9: false },
    errInfo: { screenSharing: 'screen capture is not available in Node' },
  });
  // One capability alone, as in the web SDK: the others stay false.
  const vp8 = await zg.checkSystemRequirements('VP8');
  assert.deepEqual(vp8.videoCodec, { H264: false, H265: false, VP8: true, VP9: false });
  assert.equal(vp8.webRTC, false);
  assert.equal(vp8.camera, false);
  const microphone = await zg.checkSystemRequirements('microphone');
  assert.deepEqual([microphone.microphone, microphone.camera, microphone.webRTC], [true, false, false]);
  // The capabilities follow the engine's media backend.
  const signalingOnly = nodeCapabilities(null, 'webRTC');
  assert.equal(signalingOnly.webRTC, false);
  assert.deepEqual(signalingOnly.errInfo, {
    webRTC: 'the engine was made without a media backend: signaling only',
  });
  const foreign = nodeCapabilities({} as MediaBackend, 'videoCodec');
  assert.deepEqual(foreign.videoCodec, { H264: false, H265: false, VP8: false, VP9: false });
  assert.match(foreign.errInfo['videoCodec'] ?? '', /not the werift one/);
});

test("a local stream lists its tracks like ZegoLocalStream's getTracks, getAudioTracks and getVideoTracks", async () => {
  const zg = engine();
  const both = await zg.createZegoStream();
  const [audio, video] = both.getTracks();
  assert.deepEqual([audio?.kind, video?.kind], ['audio', 'video']);
  assert.deepEqual(both.getAudioTracks(), [audio]);
  assert.deepEqual(both.getVideoTracks(), [video]);
  assert.ok(both.getTracks().every((t) => !t.closed));
  const audioOnly = await zg.createZegoStream(AUDIO_ONLY);
  assert.deepEqual(
    audioOnly.getTracks().map((t) => t.kind),
    ['audio'],
  );
  assert.deepEqual(audioOnly.getVideoTracks(), []);
  // As an ended track stays in its MediaStream, a destroyed stream still lists its (closed) sources.
  zg.destroyStream(both);
  assert.equal(both.getTracks().length, 2);
  assert.ok(both.getTracks().every((t) => t.closed));
  audioOnly.close();
});
