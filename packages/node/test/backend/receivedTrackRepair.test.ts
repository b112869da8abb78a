/**
 * A received track's statistics count a packet NACK repaired as received and repaired, not lost (the end-to-end
 * loss test relies on it). The statistics themselves are @parley/rtp's ReceiverStatistics, tested there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RtpHeader, RtpPacket } from 'werift';
import { OPUS_SILENCE, type ReceivedFrame, ReceivedTrack } from '../../src/media/backend/index.js';

test('a track reports what NACK repaired as packetsRepaired', () => {
  const frames: ReceivedFrame[] = [];
  const track = new ReceivedTrack('audio', {
    frame: (f) => frames.push(f),
    loss: () => {},
    requestKeyframe: () => {},
  });
  const packets = [0, 1, 2, 3, 4].map(
    (i) =>
      new RtpPacket(
        new RtpHeader({ payloadType: 111, sequenceNumber: 500 + i, timestamp: i * 960, ssrc: 7 }),
        OPUS_SILENCE,
      ),
  );
  for (const i of [0, 1, 3, 4]) track.push(packets[i]!, i * 20);
  track.push(packets[2]!, 90);
  // The resent packet 2 again (a NACK answered twice): its bytes count, the packet does not.
  track.push(packets[2]!, 95);
  const stats = track.stats(0);
  assert.deepEqual(
    {
      received: stats.packetsReceived,
      lost: stats.packetsLost,
      repaired: stats.packetsRepaired,
      bytes: stats.bytesReceived,
    },
    { received: 5, lost: 0, repaired: 1, bytes: 6 * OPUS_SILENCE.length },
  );
  assert.equal(frames.length, 5, 'the reorder buffer waited for the resent packet');
});
