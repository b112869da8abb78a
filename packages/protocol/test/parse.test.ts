import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, parseClientFrame, parseServerFrame } from '../src/index.js';

const login = {
  t: 'login',
  id: 1,
  appID: 42,
  roomID: 'room-1',
  user: { userID: 'u1', userName: 'Ann' },
  auth: { kind: 'token', token: '04abc' },
  config: { userUpdate: true, maxMemberCount: 3 },
};

function parse(v: unknown) {
  return parseClientFrame(typeof v === 'string' ? v : JSON.stringify(v));
}

function failure(v: unknown): { id: number | null; code: number; msg: string } {
  const r = parse(v);
  assert.equal(r.ok, false, `expected a refusal of ${JSON.stringify(v)}`);
  if (r.ok) throw new Error('unreachable');
  return r;
}

describe('parseClientFrame', () => {
  it('accepts a login and fills defaults', () => {
    const r = parse({ ...login, config: undefined, user: { userID: 'u1' } });
    if (!r.ok) assert.fail(r.msg);
    assert.deepEqual(r.value, {
      ...login,
      user: { userID: 'u1', userName: '' },
      config: { userUpdate: false, maxMemberCount: 0 },
    });
  });

  it('refuses malformed JSON and non-objects without a request id', () => {
    for (const text of ['{', 'null', '[]', '42', '"x"', '']) {
      const f = failure(text);
      assert.equal(f.code, ErrorCode.INPUT_PARAMETER);
      assert.equal(f.id, null);
    }
  });

  it('names unknown message types and keeps the request id for the reply', () => {
    const f = failure({ t: 'shutdown', id: 7 });
    assert.equal(f.code, ErrorCode.INPUT_PARAMETER);
    assert.equal(f.id, 7);
    assert.match(f.msg, /unknown message type "shutdown"/);
  });

  it('refuses wrong field types with a path', () => {
    const f = failure({ ...login, config: { userUpdate: 'yes' } });
    assert.equal(f.code, ErrorCode.INPUT_PARAMETER);
    assert.match(f.msg, /config\.userUpdate/);
    assert.equal(failure({ ...login, id: 1.5 }).id, null);
    assert.equal(
      failure({ ...login, auth: { kind: 'password', token: 'x' } }).code,
      ErrorCode.INPUT_PARAMETER,
    );
  });

  it('maps every identifier rule to its Express code', () => {
    const cases: [unknown, number][] = [
      [{ ...login, appID: 0 }, ErrorCode.APP_ID_INVALID],
      [{ ...login, appID: 2 ** 32 }, ErrorCode.APP_ID_INVALID],
      [{ ...login, appID: '42' }, ErrorCode.APP_ID_INVALID],
      [{ ...login, roomID: '' }, ErrorCode.ROOM_ID_EMPTY],
      [{ ...login, roomID: 'a b' }, ErrorCode.ROOM_ID_INVALID],
      [{ ...login, roomID: 'r'.repeat(129) }, ErrorCode.ROOM_ID_TOO_LONG],
      [{ ...login, user: { userID: '' } }, ErrorCode.USER_ID_EMPTY],
      [{ ...login, user: { userID: 'a\u00e9' } }, ErrorCode.USER_ID_INVALID],
      [{ ...login, user: { userID: 'u'.repeat(65) } }, ErrorCode.USER_ID_TOO_LONG],
      [{ ...login, user: { userID: 'u1', userName: '\u00e9'.repeat(129) } }, ErrorCode.USER_NAME_TOO_LONG],
      [{ t: 'publish', id: 2, roomID: 'r', streamID: '' }, ErrorCode.STREAM_ID_EMPTY],
      [{ t: 'publish', id: 2, roomID: 'r', streamID: 's.1' }, ErrorCode.STREAM_ID_INVALID],
      [{ t: 'publish', id: 2, roomID: 'r', streamID: 's'.repeat(257) }, ErrorCode.STREAM_ID_TOO_LONG],
      [
        { t: 'publish', id: 2, roomID: 'r', streamID: 's', extraInfo: 'x'.repeat(1025) },
        ErrorCode.EXTRA_INFO_TOO_LONG,
      ],
      [{ t: 'setStreamExtraInfo', id: 2, streamID: 's', extraInfo: null }, ErrorCode.EXTRA_INFO_EMPTY],
      [{ t: 'broadcast', id: 2, roomID: 'r', message: '' }, ErrorCode.MESSAGE_EMPTY],
      [{ t: 'broadcast', id: 2, roomID: 'r', message: '\u4e2d'.repeat(342) }, ErrorCode.MESSAGE_TOO_LONG],
      [{ t: 'customCommand', id: 2, roomID: 'r', command: 'c', toUserIDs: [''] }, ErrorCode.USER_ID_EMPTY],
      [
        { t: 'setRoomExtraInfo', id: 2, roomID: 'r', key: 'k'.repeat(11), value: 'v' },
        ErrorCode.INPUT_PARAMETER,
      ],
      [
        { t: 'setRoomExtraInfo', id: 2, roomID: 'r', key: 'k', value: 'v'.repeat(101) },
        ErrorCode.EXTRA_INFO_TOO_LONG,
      ],
    ];
    for (const [frame, code] of cases) {
      assert.equal(failure(frame).code, code, JSON.stringify(frame).slice(0, 120));
    }
  });

  it('counts byte limits in UTF-8', () => {
    // 341 three-byte characters are 1023 bytes: within the 1024-byte limit.
    assert.ok(parse({ t: 'broadcast', id: 3, roomID: 'r', message: '\u4e2d'.repeat(341) }).ok);
    assert.ok(parse({ t: 'publish', id: 3, roomID: 'r', streamID: 's_1-A' }).ok);
  });

  it('parses the media requests and checks their fields', () => {
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
    const pub = parse({ t: 'publish', id: 1, roomID: 'r', streamID: 's', sdp: offer, audio: 'MUTE' });
    assert.ok(pub.ok);
    assert.equal((pub.value as { sdp?: string }).sdp, offer);
    assert.equal((pub.value as { audio?: string }).audio, 'MUTE');
    assert.ok(parse({ t: 'play', id: 2, streamID: 's' }).ok);
    assert.ok(parse({ t: 'playAnswer', id: 3, streamID: 's', sdp: offer }).ok);
    assert.ok(parse({ t: 'stopPlay', id: 4, streamID: 's' }).ok);
    assert.ok(parse({ t: 'streamMediaState', id: 5, streamID: 's', video: 'OPEN' }).ok);
    assert.equal(failure({ t: 'play', id: 6, streamID: '' }).code, ErrorCode.STREAM_ID_EMPTY);
    assert.equal(failure({ t: 'play', id: 6, streamID: 'a b' }).code, ErrorCode.STREAM_ID_INVALID);
    assert.equal(failure({ t: 'playAnswer', id: 7, streamID: 's' }).code, ErrorCode.INPUT_PARAMETER);
    assert.equal(
      failure({ t: 'publish', id: 8, roomID: 'r', streamID: 's', sdp: 'x'.repeat(40_000) }).code,
      1100001,
    );
    assert.equal(failure({ t: 'streamMediaState', id: 9, streamID: 's', audio: 'off' }).code, 1100001);
  });

  it('parses heartbeats and refuses bad acks', () => {
    assert.deepEqual(parse({ t: 'hb', ack: 5 }), { ok: true, value: { t: 'hb', ack: 5 } });
    assert.equal(failure({ t: 'hb', ack: -1 }).code, ErrorCode.INPUT_PARAMETER);
  });

  it('never throws on hostile input', () => {
    const samples: unknown[] = [
      { t: 'login', id: 1, user: null },
      { t: 'login', id: 1, appID: 1, roomID: 'r', user: [], auth: null },
      { t: 'customCommand', id: 1, roomID: 'r', command: 'c', toUserIDs: new Array(201).fill('u') },
      { t: 'resume', id: 1, sessionID: 'x'.repeat(100), resumeKey: 'k', lastSeq: 0 },
      { t: { toString: 1 } },
      { t: '__proto__', id: 1 },
      { t: 'constructor', id: 1 },
    ];
    for (const s of samples) assert.equal(parse(s).ok, false);
  });
});

describe('parseServerFrame', () => {
  it('accepts known frames and refuses the rest', () => {
    assert.ok(parseServerFrame('{"t":"evt","seq":1,"ev":{"type":"onlineCount","roomID":"r","count":1}}').ok);
    assert.ok(parseServerFrame('{"t":"reply","id":1,"code":0,"msg":"ok"}').ok);
    assert.equal(parseServerFrame('{"t":"evt","seq":1}').ok, false);
    assert.equal(parseServerFrame('{"t":"nope"}').ok, false);
    assert.equal(parseServerFrame('}').ok, false);
  });
});
