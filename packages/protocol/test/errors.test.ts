import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ErrorCode,
  errorMessage,
  isKnownErrorCode,
  ParleyError,
  roomReasonToNative,
  roomReasonToState,
  ZegoRoomStateChangedReason,
} from '../src/index.js';

describe('error registry', () => {
  it('has unique codes, each with a message', () => {
    const codes = Object.values(ErrorCode);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of codes) {
      assert.ok(isKnownErrorCode(c));
      assert.notEqual(errorMessage(c), `error ${c}`);
    }
    assert.equal(errorMessage(123), 'error 123');
  });

  it('ParleyError has the {code, msg} shape of the Express SDK', () => {
    const e = ParleyError.of(ErrorCode.ROOM_ID_EMPTY, 'roomID');
    assert.equal(e.code, 1002011);
    assert.equal(e.msg, 'roomID is empty: roomID');
    assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 1002011, msg: 'roomID is empty: roomID' });
    assert.ok(e instanceof Error);
  });
});

describe('enums', () => {
  it('maps every web room reason to the native number and a legacy state', () => {
    assert.deepEqual(
      Object.values(roomReasonToNative).sort(),
      Object.values(ZegoRoomStateChangedReason).sort(),
    );
    assert.equal(roomReasonToNative.KICKOUT, 6);
    assert.equal(roomReasonToState.RECONNECTING, 'CONNECTING');
  });
});
