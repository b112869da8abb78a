/**
 * The server's own STUN responder on 127.0.0.1, started alone for tests that drive connections without
 * signaling: their only ICE server, so werift never falls back to a public STUN server.
 */
import { StunResponder } from '../../../src/sfu/index.js';

export interface LoopbackStun {
  /** The `iceServers` entry to give a client. */
  url: string;
  /** Binding requests answered. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startLoopbackStun(): Promise<LoopbackStun> {
  const responder = await StunResponder.start({
    bindAddress: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    port: 0,
  });
  return {
    url: responder.url,
    get requests() {
      return responder.requestsAnswered;
    },
    close: () => responder.close(),
  };
}
