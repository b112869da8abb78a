/**
 * Makes every UDP socket of a worker process its own. `node:cluster` shares a UDP socket bound without
 * `exclusive: true` between the workers through the primary: two workers binding port 0 get the one socket, and
 * each datagram reaches whichever reads first. For an SFU that is fatal — the ICE, DTLS and RTP of one worker's
 * transports would land in another worker — and werift binds its sockets without that option. The TCP port is
 * meant to be shared and is not affected (that is `net`, not `dgram`).
 */
import { Socket } from 'node:dgram';

type Bind = (this: Socket, ...args: unknown[]) => Socket;

let applied = false;

/** Patches `dgram.Socket#bind` of this process so that every bind is exclusive. Idempotent. */
export function makeUdpSocketsExclusive(): void {
  if (applied) return;
  applied = true;
  const bind = Socket.prototype.bind as unknown as Bind;
  const exclusiveBind: Bind = function (this: Socket, ...args: unknown[]): Socket {
    const callback = typeof args.at(-1) === 'function' ? args.at(-1) : undefined;
    const [first, second] = args;
    const rest = callback === undefined ? [] : [callback];
    if (typeof first === 'object' && first !== null) {
      // An options object; a handle or a file descriptor to adopt is no binding of a port, so it stays as it is.
      const options = first as Record<string, unknown>;
      if (typeof options['recvStart'] === 'function' || options['fd'] !== undefined)
        return bind.apply(this, args);
      return bind.call(this, { ...options, exclusive: true }, ...rest);
    }
    // bind(), bind(callback), bind(port[, address][, callback]).
    const options: Record<string, unknown> = { exclusive: true };
    if (typeof first === 'number' || typeof first === 'string') options['port'] = first;
    if (typeof second === 'string') options['address'] = second;
    return bind.call(this, options, ...rest);
  };
  Socket.prototype.bind = exclusiveBind as unknown as typeof Socket.prototype.bind;
}
