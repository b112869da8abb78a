// Memory per transport (Parley's) and per subscriber (Janus's) is one slope: RSS between the first and the last
// step that read both RSS and the transport count; and the slope at scale, through the upper half of the steps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rssSlope, rssSlopeAtScale } from '../src/lib/measure.js';

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

describe('rssSlopeAtScale', () => {
  it("fits the readings from half of the last one's transports on, by least squares", () => {
    const slope = rssSlopeAtScale([
      { serverRssMiB: 100, mediaTransports: 51 },
      { serverRssMiB: 150, mediaTransports: 201 },
      null,
      { serverRssMiB: 170, mediaTransports: 401 },
      { serverRssMiB: null, mediaTransports: 501 },
      { serverRssMiB: 191, mediaTransports: 601 },
      { serverRssMiB: 210, mediaTransports: 801 },
    ]);
    // Through (401, 170), (601, 191), (801, 210): 40 MiB over 400 transports, least squares 0.1 MiB per transport.
    assert.deepEqual(slope, {
      kibPerTransport: 102.4,
      kibBeyondYoung: null,
      fromTransports: 401,
      toTransports: 801,
      readings: 3,
      youngMiB: [null, null, null],
    });
  });

  it("is the two-point slope when only two readings are at scale; without the young generation's changes too", () => {
    const heap = (youngMiB: number) => ({ youngMiB, v8MiB: 60, liveMiB: 30 });
    const slope = rssSlopeAtScale([
      { serverRssMiB: 116, mediaTransports: 26, serverHeap: heap(0.3) },
      { serverRssMiB: 141, mediaTransports: 101, serverHeap: heap(15.8) },
      { serverRssMiB: 175, mediaTransports: 201, serverHeap: heap(29.3) },
      { serverRssMiB: 185, mediaTransports: 301, serverHeap: heap(30.8) },
    ]);
    assert.deepEqual(slope, {
      kibPerTransport: 102.4,
      // (185 - 30.8) - (175 - 29.3) = 8.5 MiB over 100 transports.
      kibBeyondYoung: 87,
      fromTransports: 201,
      toTransports: 301,
      readings: 2,
      youngMiB: [29.3, 30.8],
    });
  });

  it('is null with fewer than two readings at scale', () => {
    assert.equal(rssSlopeAtScale([]), null);
    assert.equal(
      rssSlopeAtScale([
        { serverRssMiB: 100, mediaTransports: 51 },
        { serverRssMiB: 200, mediaTransports: 851 },
      ]),
      null,
    );
  });
});
