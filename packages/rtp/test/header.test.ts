/** Reading an RTP header's length. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rtpHeaderLength } from '../src/index.js';

test('the RTP header length counts CSRCs and the extension, and refuses what does not fit', () => {
  const packet = Buffer.alloc(40);
  packet[0] = 0x80;
  assert.equal(rtpHeaderLength(packet), 12);
  packet[0] = 0x82; // two CSRCs
  assert.equal(rtpHeaderLength(packet), 20);
  packet[0] = 0x92; // and an extension of two words
  packet.writeUInt16BE(2, 22);
  assert.equal(rtpHeaderLength(packet), 32);
  assert.equal(rtpHeaderLength(packet, 31), -1, 'the extension runs past the end');
  assert.equal(rtpHeaderLength(packet, 23), -1, 'the extension header runs past the end');
  assert.equal(rtpHeaderLength(packet.subarray(0, 11)), -1, 'shorter than the fixed header');
  packet.writeUInt16BE(0xffff, 22);
  assert.equal(rtpHeaderLength(packet), -1);
});
