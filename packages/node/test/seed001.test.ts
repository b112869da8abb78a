/**
 * Seed 001 — the web quick-start "实现音频通话" (implement an audio call) — run in Node with the web face of
 * `@parley/node`, against a real server. Two users each run the seed's own call sequence, its lines as the page
 * writes them: create the engine and register its callbacks (2.2), check the system (2.3), log in with a token
 * (2.4), create an audio stream, `playAudio()` it and publish it (2.5), play the other's stream when it is
 * announced (2.6), and end the call (2.8: stop publishing, destroy the stream, stop playing, log out, destroy
 * the engine).
 *
 * What differs from the page: the import line; `remoteAudio`, the page's `<audio>` element, is an object the
 * test provides (Node has no DOM), and what the seed's `srcObject` receives is the Node SDK's MediaStream
 * equivalent, a FrameSink; `console` is the test's, so the seed's log lines are kept and checked; the seed's
 * placeholders (appID, server, roomID, token…) are filled in, the bodies its comments leave to the app
 * ("// ...") record what arrived, and its `==` on strings is `===` (the repository's lint rule; same result).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningServer } from '@parley/server';
import { FrameSink, type NodeLocalStream, ZegoExpressEngine } from '../src/index.js';
import { APP, token as makeToken, startTestServer, uniqueRoom } from './support/fixtures.js';
import { until, waitFor } from './support/waitFor.js';

/** The page's `<audio>` element, as far as the seed uses it. */
interface AudioElementStandIn {
  srcObject: FrameSink | null;
}

/** What one user's page saw: every callback the seed registers, and its console lines. */
class PageLog {
  readonly events: [string, ...unknown[]][] = [];
  readonly lines: [string, ...unknown[]][] = [];
  /** The seed's `console`, kept. */
  readonly console = {
    log: (...args: unknown[]) => this.lines.push(['log', ...args]),
    warn: (...args: unknown[]) => this.lines.push(['warn', ...args]),
  };

  of(event: string): unknown[][] {
    return this.events.filter((e) => e[0] === event).map((e) => e.slice(1));
  }
}

interface Call {
  zg: ZegoExpressEngine;
  /** What loginRoom resolved with. */
  loggedIn: boolean;
  localStream: NodeLocalStream;
  /** The stream of the other user, once played (2.6). */
  playing: string | null;
  /** 2.8: the "end call" button. */
  end(): void;
}

/**
 * Steps 2.2 to 2.6 of the seed for one user; resolves once the user publishes. `remoteAudio` gets the other's
 * stream when it is announced (the seed's roomStreamUpdate ADD handler).
 */
async function startCall(
  server: string,
  roomID: string,
  userID: string,
  streamID: string,
  remoteAudio: AudioElementStandIn,
  page: PageLog,
): Promise<Call> {
  const { console } = page;
  const appID = APP.appID;
  const userName = `name-${userID}`;
  const token = makeToken(userID);
  const call = { playing: null as string | null } as Call;

  // 2.2 创建引擎并监听回调
  const zg = new ZegoExpressEngine(appID, server);
  call.zg = zg;

  // 房间状态更新回调
  zg.on('roomStateChanged', (roomID, reason, errorCode, extendData) => {
    page.events.push(['roomStateChanged', roomID, reason, errorCode, extendData]);
    if (reason === 'LOGINING') {
      // 登录中
    } else if (reason === 'LOGINED') {
      // 登录成功
    } else if (reason === 'LOGIN_FAILED') {
      // 登录失败
    } else if (reason === 'RECONNECTING') {
      // 重连中
    } else if (reason === 'RECONNECTED') {
      // 重连成功
    } else if (reason === 'RECONNECT_FAILED') {
      // 重连失败
    } else if (reason === 'KICKOUT') {
      // 被踢出房间
    } else if (reason === 'LOGOUT') {
      // 登出成功
    } else if (reason === 'LOGOUT_FAILED') {
      // 登出失败
    }
  });

  // 用户状态更新回调
  zg.on('roomUserUpdate', (roomID, updateType, userList) => {
    page.events.push(['roomUserUpdate', roomID, updateType, userList]);
    console.warn(
      `roomUserUpdate: room ${roomID}, user ${updateType === 'ADD' ? 'added' : 'left'} `,
      JSON.stringify(userList),
    );
  });

  // 流状态更新回调
  zg.on('roomStreamUpdate', async (roomID, updateType, streamList, extendedData) => {
    page.events.push(['roomStreamUpdate', roomID, updateType, streamList, extendedData]);
    if (updateType === 'ADD') {
      // 流新增,开始拉流 (2.6)
      const streamID = streamList[0]!.streamID;
      call.playing = streamID;
      const remoteStream = await zg.startPlayingStream(streamID);

      // remoteAudio为本地<video>或<audio>对象
      remoteAudio.srcObject = remoteStream;
    } else if (updateType === 'DELETE') {
      // 流删除,停止拉流
      zg.stopPlayingStream(streamList[0]!.streamID);
    }
  });

  // 2.3 (可选)检测兼容性
  const result = await zg.checkSystemRequirements();
  // 返回的 result 为兼容性检测结果。 webRTC 为 true 时表示支持 webRTC,其他属性含义可以参考接口 API 文档。
  console.log(result);

  // 2.4 登录房间
  // 登录房间,成功则返回 true
  // userUpdate 设置为 true 会开启监听 roomUserUpdate 回调,默认情况下不会开启该监听
  const loginResult = await zg.loginRoom(
    roomID,
    token,
    { userID: userID, userName: userName },
    { userUpdate: true },
  );
  call.loggedIn = loginResult;

  // 2.5 推流
  // 调用 createZegoStream 接口后,需要等待 ZEGO 服务器返回 ZegoLocalStream 实例对象才能执行后续操作
  const localStream = await zg.createZegoStream({ camera: { audio: true, video: false } });
  // 调用 localStream 实例上 playAudio 方法播放推流前或者推流中音频预览
  localStream.playAudio();
  call.localStream = localStream;

  // localStream 为创建流获取的 MediaStream 对象
  zg.startPublishingStream(streamID, localStream);

  zg.on('publisherStateUpdate', (result) => {
    // 推流状态更新回调
    page.events.push(['publisherStateUpdate', result]);
  });

  zg.on('publishQualityUpdate', (streamID, stats) => {
    // 推流质量回调
    page.events.push(['publishQualityUpdate', streamID, stats]);
  });

  // 2.6 拉流: 监听拉流后的事件回调
  zg.on('playerStateUpdate', (result) => {
    // 拉流状态更新回调
    page.events.push(['playerStateUpdate', result]);
  });

  zg.on('playQualityUpdate', (streamID, stats) => {
    // 拉流质量回调
    page.events.push(['playQualityUpdate', streamID, stats]);
  });

  // 2.8 停止音视频通话
  call.end = () => {
    zg.stopPublishingStream(streamID);
    // localStream 是调用 createZegoStream 接口获取的 ZegoLocalStream 实例对象
    zg.destroyStream(localStream);
    if (call.playing !== null) zg.stopPlayingStream(call.playing);
    zg.logoutRoom(roomID);
    zg.destroyEngine();
  };
  return call;
}

test('seed 001: an audio call between two users, each running the seed, in Node', async (t) => {
  const server: RunningServer = await startTestServer();
  t.after(() => server.close());
  const roomID = uniqueRoom('seed001');
  const alicePage = new PageLog();
  const bobPage = new PageLog();
  const aliceAudio: AudioElementStandIn = { srcObject: null };
  const bobAudio: AudioElementStandIn = { srcObject: null };

  const alice = await startCall(server.url, roomID, 'alice', 'alice-mic', aliceAudio, alicePage);
  t.after(() => alice.zg.destroyEngine());
  assert.equal(alice.loggedIn, true);
  // playAudio() in Node: the local playback is on, with nowhere to be heard (no speaker).
  assert.equal(alice.localStream.isPlaying('audio'), true);
  // The seed registers publisherStateUpdate after startPublishingStream: it sees PUBLISHING when it comes.
  await waitFor(alice.zg, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', 10_000);

  const bob = await startCall(server.url, roomID, 'bob', 'bob-mic', bobAudio, bobPage);
  t.after(() => bob.zg.destroyEngine());
  assert.equal(bob.loggedIn, true);
  await waitFor(bob.zg, 'publisherStateUpdate', (r) => r.state === 'PUBLISHING', 10_000);

  // Each side's roomStreamUpdate handler played the other's stream into its "<audio>": a FrameSink with the
  // other's microphone arriving in it.
  for (const [audio, zg] of [
    [bobAudio, bob.zg],
    [aliceAudio, alice.zg],
  ] as const) {
    // The handler assigns it after startPlayingStream resolved, a few promise steps after PLAYING.
    await until(
      () => audio.srcObject !== null,
      () => `${zg === bob.zg ? 'bob' : 'alice'}'s remoteAudio.srcObject`,
    );
    assert.ok(audio.srcObject instanceof FrameSink);
    const [frame] = await waitFor(audio.srcObject, 'frame', () => true, 10_000);
    assert.equal(frame.kind, 'audio');
  }
  assert.equal(bobAudio.srcObject!.streamID, 'alice-mic');
  assert.equal(aliceAudio.srcObject!.streamID, 'bob-mic');

  // The quality callbacks come every 3 s.
  await Promise.all(
    [alice.zg, bob.zg].flatMap((zg) => [
      waitFor(zg, 'publishQualityUpdate', () => true, 10_000),
      waitFor(zg, 'playQualityUpdate', () => true, 10_000),
    ]),
  );

  // Alice ends the call (2.8); Bob's DELETE handler stops playing her stream; then Bob ends his.
  const bobSeesAliceGo = waitFor(bob.zg, 'roomUserUpdate', (_r, type) => type === 'DELETE');
  const bobStopsPlaying = waitFor(bob.zg, 'playerStateUpdate', (r) => r.state === 'NO_PLAY');
  alice.end();
  await bobSeesAliceGo;
  assert.equal((await bobStopsPlaying)[0].streamID, 'alice-mic');
  assert.equal(alice.localStream.closed, true);
  assert.equal(alice.localStream.isPlaying('audio'), false);
  bob.end();
  await assert.rejects(alice.zg.loginRoom(roomID, makeToken('alice'), { userID: 'alice' }), /destroyed/);

  // What each page saw, callback by callback.
  for (const [page, me, other] of [
    [alicePage, 'alice', 'bob'],
    [bobPage, 'bob', 'alice'],
  ] as const) {
    const [requirements] = page.lines[0]!.slice(1) as [{ webRTC: boolean; microphone: boolean }];
    assert.equal(requirements.webRTC, true);
    assert.equal(requirements.microphone, true);
    assert.deepEqual(
      page.of('roomStateChanged').map((e) => e.slice(1, 3)),
      [
        ['LOGINING', 0],
        ['LOGINED', 0],
        ['LOGOUT', 0],
      ],
    );
    assert.deepEqual(page.of('roomUserUpdate')[0], [
      roomID,
      'ADD',
      [{ userID: other, userName: `name-${other}` }],
    ]);
    assert.ok(page.lines.some((l) => l[0] === 'warn' && String(l[1]).includes('user added')));
    const added = page.of('roomStreamUpdate').find((e) => e[1] === 'ADD')!;
    assert.deepEqual(added[2], [
      { streamID: `${other}-mic`, user: { userID: other, userName: `name-${other}` }, extraInfo: '' },
    ]);
    assert.deepEqual(
      page
        .of('publisherStateUpdate')
        .map(([r]) => [(r as { state: string }).state, (r as { errorCode: number }).errorCode]),
      [
        ['PUBLISHING', 0],
        ['NO_PUBLISH', 0],
      ],
    );
    // Alice registered playerStateUpdate (2.6) long before Bob's stream came: she saw PLAY_REQUESTING. Bob's
    // roomStreamUpdate handler may have started playing Alice's stream before he registered it (when the
    // welcome events came with his login's reply) or after (when they came in a later read of the socket).
    const playerStates = page.of('playerStateUpdate').map(([r]) => (r as { state: string }).state);
    const requestingSeen = me === 'alice' || playerStates[0] === 'PLAY_REQUESTING';
    assert.deepEqual(
      playerStates,
      requestingSeen ? ['PLAY_REQUESTING', 'PLAYING', 'NO_PLAY'] : ['PLAYING', 'NO_PLAY'],
    );
    assert.ok(page.of('publishQualityUpdate').every((e) => e[0] === `${me}-mic`));
    assert.ok(page.of('playQualityUpdate').every((e) => e[0] === `${other}-mic`));
  }
  // Bob saw Alice's stream deleted (she stopped publishing: reason 1) before he ended his call.
  const deleted = bobPage.of('roomStreamUpdate').find((e) => e[1] === 'DELETE')!;
  assert.deepEqual(JSON.parse(deleted[3] as string), {
    stream_delete_reason: [{ stream_id: 'alice-mic', code: 1 }],
  });
});
