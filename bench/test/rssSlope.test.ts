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
    });
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
