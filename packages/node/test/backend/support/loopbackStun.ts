/** The server's STUN responder on 127.0.0.1, alone: the only ICE server of clients driven without signaling. */
import { StunResponder } from '@parley/server';

export type LoopbackStun = StunResponder;

export function startLoopbackStun(): Promise<StunResponder> {
  return StunResponder.start({ bindAddress: '127.0.0.1', announcedAddress: '127.0.0.1', port: 0 });
}
