import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withSessionIceLite } from '../../src/sfu/sessionIceLite.js';

const offer = [
  'v=0',
  'o=- 1 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=ice-ufrag:abcd',
  'a=ice-lite',
  '',
].join('\r\n');

test('the session section announces ICE-lite right after the timing line', () => {
  const sdp = withSessionIceLite(offer);
  const lines = sdp.split('\r\n');
  assert.equal(lines[4], 'a=ice-lite');
  assert.equal(lines[3], 't=0 0');
  // The media section keeps werift's own line; nothing else changes.
  assert.equal(sdp.replace('t=0 0\r\na=ice-lite\r\n', 't=0 0\r\n'), offer);
});

test('a description that already has it at session level, or has no timing line, is left alone', () => {
  const once = withSessionIceLite(offer);
  assert.equal(withSessionIceLite(once), once);
  const noTiming = offer.replace('t=0 0\r\n', '');
  assert.equal(withSessionIceLite(noTiming), noTiming);
});

test('LF-only descriptions keep their line ending', () => {
  const lf = offer.replaceAll('\r\n', '\n');
  assert.equal(withSessionIceLite(lf).split('\n')[4], 'a=ice-lite');
  assert.ok(!withSessionIceLite(lf).includes('\r'));
});
