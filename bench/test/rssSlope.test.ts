// Memory per transport (Parley's) and per subscriber (Janus's) is one slope: RSS between the first and the last
// step that read both RSS and the transport count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssSlope } from '../src/lib/measure.js';

describe('rssSlope', () => {
  it('takes the first and last steps that read both figures, skipping the others', () => {
    const slope = rssSlope([
      null,
      { serverRssMiB: null, mediaTransports: 10 },
      { serverRssMiB: 100, mediaTransports: 51 },
      { mediaTransports: 400 },
      { serverRssMiB: 200, mediaTransports: 851 },
      null,
    ]);
    assert.deepEqual(slope, {
      kibPerTransport: 128,
      first: { rssMiB: 100, transports: 51 },
      last: { rssMiB: 200, transports: 851 },
      breakdown: null,
    });
  });

  it("says where the slope is when both steps read V8's heap: young generation, the rest of V8, outside V8", () => {
    const slope = rssSlope([
      { serverRssMiB: 100, mediaTransports: 51, serverHeap: { youngMiB: 2, v8MiB: 40, liveMiB: 30 } },
      { serverRssMiB: 150, mediaTransports: 400 },
      { serverRssMiB: 200, mediaTransports: 851, serverHeap: { youngMiB: 34, v8MiB: 122, liveMiB: 70 } },
    ]);
    // Per transport (800 more): RSS 128 KiB = young 40.96 + the rest of V8 (50 MiB) 64 + outside V8 (18 MiB) 23.04.
    assert.deepEqual(slope?.breakdown, {
      youngKiB: 41,
      fromYoungMiB: 2,
      toYoungMiB: 34,
      oldKiB: 64,
      liveKiB: 51.2,
      outsideKiB: 23,
    });
    assert.equal(slope?.kibPerTransport, 128);
  });

  it('is null with fewer than two readings or no more transports at the end', () => {
    assert.equal(rssSlope([{ serverRssMiB: 100, mediaTransports: 51 }]), null);
    assert.equal(
      rssSlope([
        { serverRssMiB: 100, mediaTransports: 51 },
        { serverRssMiB: 90, mediaTransports: 51 },
      ]),
      null,
    );
  });
});
