import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePrivilegePayload, parsePrivilegePayload, TokenError } from '../src/index.js';

function expectPayloadError(payload: string) {
  assert.throws(
    () => parsePrivilegePayload(payload),
    (e: unknown) => e instanceof TokenError && e.code === 1102016 && e.reason === 'payload',
    payload,
  );
}

describe('parsePrivilegePayload', () => {
  it('reads ZEGO’s sample payload (Node sample-rtc-room.js / Go RtcRoomPayLoad)', () => {
    assert.deepEqual(
      parsePrivilegePayload('{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}'),
      {
        roomId: 'room1',
        canLogin: true,
        canPublish: false,
        streamIdList: null,
      },
    );
  });

  it('an empty payload means no restrictions (null)', () => {
    assert.equal(parsePrivilegePayload(''), null);
  });

  it('empty or absent room_id = any room', () => {
    assert.equal(parsePrivilegePayload('{"room_id":"","privilege":{"1":1,"2":1}}')?.roomId, '');
    assert.equal(parsePrivilegePayload('{"privilege":{"1":1,"2":1}}')?.roomId, '');
    assert.equal(parsePrivilegePayload('{"room_id":null,"privilege":{"1":1,"2":1}}')?.roomId, '');
  });

  it('stream_id_list: null, absent or [] = any stream; otherwise exactly the listed streams', () => {
    const p = (list: string) => parsePrivilegePayload(`{"room_id":"r","privilege":{"1":1,"2":1}${list}}`);
    assert.equal(p(',"stream_id_list":null')?.streamIdList, null);
    assert.equal(p('')?.streamIdList, null);
    assert.equal(p(',"stream_id_list":[]')?.streamIdList, null);
    assert.deepEqual(p(',"stream_id_list":["s1","s 2","ü"]')?.streamIdList, ['s1', 's 2', 'ü']);
  });

  it('0 denies, 1 allows, each key on its own', () => {
    const bits = (a: number, b: number) =>
      parsePrivilegePayload(`{"room_id":"r","privilege":{"1":${a},"2":${b}}}`);
    assert.deepEqual([bits(0, 0)?.canLogin, bits(0, 0)?.canPublish], [false, false]);
    assert.deepEqual([bits(1, 0)?.canLogin, bits(1, 0)?.canPublish], [true, false]);
    assert.deepEqual([bits(0, 1)?.canLogin, bits(0, 1)?.canPublish], [false, true]);
    assert.deepEqual([bits(1, 1)?.canLogin, bits(1, 1)?.canPublish], [true, true]);
  });

  it('a present payload is read conservatively: a missing privilege or key denies; unknown keys are ignored', () => {
    assert.deepEqual(parsePrivilegePayload('{"room_id":"r"}'), {
      roomId: 'r',
      canLogin: false,
      canPublish: false,
      streamIdList: null,
    });
    assert.equal(parsePrivilegePayload('{"room_id":"r","privilege":null}')?.canLogin, false);
    assert.deepEqual(parsePrivilegePayload('{"room_id":"r","privilege":{"1":1,"3":1},"extra":true}'), {
      roomId: 'r',
      canLogin: true,
      canPublish: false,
      streamIdList: null,
    });
  });

  it('accepts other generators’ spacing and key order (Python json.dumps)', () => {
    assert.deepEqual(
      parsePrivilegePayload('{"stream_id_list": ["a"], "privilege": {"2": 1, "1": 1}, "room_id": "demo"}'),
      { roomId: 'demo', canLogin: true, canPublish: true, streamIdList: ['a'] },
    );
  });

  it('malformed payloads are a TokenError', () => {
    for (const bad of [
      '{',
      'room1',
      '[]',
      'null',
      '1',
      '"{}"',
      '{"room_id":5}',
      '{"room_id":"r","privilege":[1,1]}',
      '{"room_id":"r","privilege":"11"}',
      '{"room_id":"r","privilege":{"1":2}}',
      '{"room_id":"r","privilege":{"1":"1"}}',
      '{"room_id":"r","privilege":{"2":true}}',
      '{"room_id":"r","stream_id_list":"s1"}',
      '{"room_id":"r","stream_id_list":["s1",2]}',
      '{"room_id":"r","stream_id_list":{"0":"s1"}}',
    ]) {
      expectPayloadError(bad);
    }
    expectPayloadError(5 as any);
  });
});

describe('makePrivilegePayload', () => {
  it('writes ZEGO’s form and field order', () => {
    assert.equal(
      makePrivilegePayload({ roomId: 'room1', canLogin: true, canPublish: false, streamIdList: null }),
      '{"room_id":"room1","privilege":{"1":1,"2":0},"stream_id_list":null}',
    );
    assert.equal(
      makePrivilegePayload({ canLogin: false, canPublish: true, streamIdList: ['a', 'b'] }),
      '{"room_id":"","privilege":{"1":0,"2":1},"stream_id_list":["a","b"]}',
    );
    assert.equal(
      makePrivilegePayload({ roomId: 'r', canLogin: true, canPublish: true, streamIdList: [] }),
      '{"room_id":"r","privilege":{"1":1,"2":1},"stream_id_list":null}',
    );
  });

  it('round-trips through parsePrivilegePayload', () => {
    for (const p of [
      { roomId: '', canLogin: true, canPublish: true, streamIdList: null },
      { roomId: 'r"\\/ü', canLogin: false, canPublish: true, streamIdList: ['x', 'y'] },
      { roomId: 'r', canLogin: true, canPublish: false, streamIdList: null },
    ]) {
      assert.deepEqual(parsePrivilegePayload(makePrivilegePayload(p)), p);
    }
  });

  it('throws TypeError on arguments of the wrong type', () => {
    const make = makePrivilegePayload as (x: any) => string;
    assert.throws(() => make({ roomId: 5, canLogin: true, canPublish: true }), TypeError);
    assert.throws(() => make({ canLogin: 1, canPublish: true }), TypeError);
    assert.throws(() => make({ canLogin: true }), TypeError);
    assert.throws(() => make({ canLogin: true, canPublish: true, streamIdList: 's1' }), TypeError);
    assert.throws(() => make({ canLogin: true, canPublish: true, streamIdList: ['a', 1] }), TypeError);
  });
});
