import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerEvent } from '@parley/protocol';
import { RoomView, viewDelta } from '../src/RoomView.js';

const user = (userID: string) => ({ userID, userName: '' });
const stream = (streamID: string, userID: string, extraInfo = '') => ({
  streamID,
  user: user(userID),
  extraInfo,
});

function view(events: ServerEvent[]): RoomView {
  const v = new RoomView();
  for (const ev of events) v.apply(ev);
  return v;
}

test('a view follows user and stream events, extra info of known streams only', () => {
  const v = view([
    { type: 'userUpdate', roomID: 'r', updateType: 'ADD', users: [user('a'), user('b')] },
    { type: 'streamUpdate', roomID: 'r', updateType: 'ADD', streams: [stream('a1', 'a'), stream('b1', 'b')] },
    { type: 'userUpdate', roomID: 'r', updateType: 'DELETE', users: [user('b')] },
    { type: 'streamUpdate', roomID: 'r', updateType: 'DELETE', streams: [stream('b1', 'b')] },
    { type: 'streamExtraInfoUpdate', roomID: 'r', streams: [stream('a1', 'a', 'x'), stream('zz', 'z', 'y')] },
    { type: 'broadcast', roomID: 'r', messages: [] },
  ]);
  assert.deepEqual([...v.users.keys()], ['a']);
  assert.deepEqual([...v.streams.values()], [stream('a1', 'a', 'x')]);
});

test('the delta tells who and what went, who and what came, and changed extra info', () => {
  const told = view([
    { type: 'userUpdate', roomID: 'r', updateType: 'ADD', users: [user('stays'), user('goes')] },
    {
      type: 'streamUpdate',
      roomID: 'r',
      updateType: 'ADD',
      streams: [
        stream('kept', 'stays'),
        stream('lost', 'goes'),
        stream('moved', 'goes'),
        stream('info', 'stays'),
      ],
    },
  ]);
  const now = view([
    { type: 'userUpdate', roomID: 'r', updateType: 'ADD', users: [user('stays'), user('new')] },
    {
      type: 'streamUpdate',
      roomID: 'r',
      updateType: 'ADD',
      streams: [
        stream('kept', 'stays'),
        stream('moved', 'new'),
        stream('info', 'stays', 'v2'),
        stream('fresh', 'new'),
      ],
    },
  ]);
  assert.deepEqual(viewDelta('r', told, now), [
    { type: 'userUpdate', roomID: 'r', updateType: 'DELETE', users: [user('goes')] },
    { type: 'userUpdate', roomID: 'r', updateType: 'ADD', users: [user('new')] },
    {
      type: 'streamUpdate',
      roomID: 'r',
      updateType: 'DELETE',
      streams: [stream('lost', 'goes'), stream('moved', 'goes')],
      reasons: [
        { stream_id: 'lost', code: 5 },
        { stream_id: 'moved', code: 5 },
      ],
    },
    {
      type: 'streamUpdate',
      roomID: 'r',
      updateType: 'ADD',
      streams: [stream('moved', 'new'), stream('fresh', 'new')],
    },
    { type: 'streamExtraInfoUpdate', roomID: 'r', streams: [stream('info', 'stays', 'v2')] },
  ]);
  // Applying the delta to what was told gives the new view; the same view twice gives nothing.
  for (const ev of viewDelta('r', told, now)) told.apply(ev);
  assert.deepEqual(viewDelta('r', told, now), []);
  assert.deepEqual([...told.users.keys()].sort(), [...now.users.keys()].sort());
  assert.deepEqual(
    [...told.streams.values()].sort((x, y) => x.streamID.localeCompare(y.streamID)),
    [...now.streams.values()].sort((x, y) => x.streamID.localeCompare(y.streamID)),
  );
});
