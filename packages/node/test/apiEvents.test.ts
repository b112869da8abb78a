/**
 * What the server API does, as the Express API's events tell it to an engine: a barrage message from the server
 * (`IMRecvBarrageMessage`) and a kick with a reason (`roomStateChanged` KICKOUT 1002055, the reason in
 * extendedData), in both faces.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, type RunningServer } from '@parley/server';
import { silentLogger, ZegoExpressEngine } from '../src/index.js';
import { APP, startTestServer, token, uniqueRoom } from './support/fixtures.js';
import { waitFor } from './support/waitFor.js';

let server: RunningServer;
let api: ApiClient;
const engines: ZegoExpressEngine[] = [];

before(async () => {
  server = await startTestServer();
  api = new ApiClient({ baseUrl: server.httpUrl, appID: APP.appID, serverSecret: APP.serverSecret });
});
after(async () => {
  for (const e of engines) e.destroyEngine();
  await server.close();
});

async function member(roomID: string, userID: string): Promise<ZegoExpressEngine> {
  const e = new ZegoExpressEngine(APP.appID, server.url, { logger: silentLogger });
  engines.push(e);
  assert.equal(
    await e.loginRoom(roomID, token(userID), { userID, userName: `name-${userID}` }, { userUpdate: true }),
    true,
  );
  return e;
}

test('SendBarrageMessage reaches every member as IMRecvBarrageMessage with the reply’s MessageId', async () => {
  const room = uniqueRoom();
  const a = await member(room, 'ba');
  const b = await member(room, 'bb');
  const gotA = waitFor(a, 'IMRecvBarrageMessage');
  const gotB = waitFor(b, 'IMRecvBarrageMessage');
  const { MessageId } = await api.data('SendBarrageMessage', {
    RoomId: room,
    UserId: 'host',
    UserName: 'Host',
    MessageContent: 'flying text',
  });
  for (const got of [gotA, gotB]) {
    const [roomID, messages] = await got;
    assert.equal(roomID, room);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].messageID, MessageId);
    assert.equal(messages[0].message, 'flying text');
    assert.deepEqual(messages[0].fromUser, { userID: 'host', userName: 'Host' });
    assert.equal(typeof messages[0].sendTime, 'number');
  }
});

test('KickoutUser ends the room with KICKOUT 1002055 and the reason in extendedData', async () => {
  const room = uniqueRoom();
  const kicked = await member(room, 'kk');
  const stays = await member(room, 'ks');
  const state = waitFor(kicked, 'roomStateChanged', (_r, reason) => reason === 'KICKOUT');
  const left = waitFor(stays, 'roomUserUpdate', (_r, type) => type === 'DELETE');
  await api.data('KickoutUser', { RoomId: room, UserId: ['kk'], CustomReason: 'be nice' });
  const [roomID, , errorCode, extendedData] = await state;
  assert.equal(roomID, room);
  assert.equal(errorCode, 1002055);
  assert.deepEqual(JSON.parse(extendedData), { custom_kickout_message: 'be nice' });
  const [, , users] = await left;
  assert.deepEqual(
    users.map((u: { userID: string }) => u.userID),
    ['kk'],
  );
});
