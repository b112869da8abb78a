// The packets sent to players, as the server process reports them to the bench (lib/routerWatch.ts): the sum
// of the players' consumers' own counters, closed players' included, publishers' transports left out. The
// router here is a stand-in with the router's event and method names (the watch reads nothing else); the
// fan-out scenarios check the counts end to end (their packets out per second are players × packets in).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { watchRouter } from '../src/lib/routerWatch.js';

class Counters {
  packets = 0;
  bytes = 0;
  stats(): { packets: number; bytes: number } {
    return { packets: this.packets, bytes: this.bytes };
  }
}

class StandInTransport extends EventEmitter {
  constructor(
    readonly direction: 'publish' | 'play',
    readonly consumerList: Counters[],
  ) {
    super();
  }
}

class StandInRouter extends EventEmitter {
  publish(transport: StandInTransport): void {
    this.emit('transport', transport);
  }
  play(transport: StandInTransport): void {
    this.emit('transport', transport);
  }
  source(): undefined {
    return undefined;
  }
}

describe('routerWatch', () => {
  it('counts what the players were sent, from their consumers, closed players included', () => {
    const watch = watchRouter(StandInRouter);
    const router = new StandInRouter();
    const publisherCounters = new Counters();
    router.publish(new StandInTransport('publish', [publisherCounters]));
    const audio = new Counters();
    const video = new Counters();
    const a = new StandInTransport('play', [audio, video]);
    router.play(a);
    const other = new Counters();
    const b = new StandInTransport('play', [other]);
    router.play(b);
    assert.deepEqual(watch.sentToPlayers(), { packets: 0, bytes: 0 });

    audio.packets = 50;
    audio.bytes = 5000;
    video.packets = 90;
    video.bytes = 90_000;
    other.packets = 7;
    other.bytes = 700;
    publisherCounters.packets = 1_000; // received, not sent to a player
    assert.deepEqual(watch.sentToPlayers(), { packets: 147, bytes: 95_700 });

    b.emit('close', 'closed');
    other.packets = 99; // a closed player's consumers send nothing more; what it had stays counted
    assert.deepEqual(watch.sentToPlayers(), { packets: 147, bytes: 95_700 });
    assert.deepEqual(watch.transportCloses(), { closed: 1 });
    video.packets += 1;
    assert.equal(watch.sentToPlayers().packets, 148);
  });
});
