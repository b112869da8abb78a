/**
 * The little the primary says to a Redis over its unix socket itself: PING, to know whether one is alive there,
 * and SHUTDOWN, to stop one left over by an earlier run. Inline commands, one reply line; no client library is
 * needed for that.
 */
import { connect } from 'node:net';

/** What one command got: the first reply line, or null when Redis closed the connection without one. */
export type RedisReply = { reply: string | null } | { refused: NodeJS.ErrnoException };

/**
 * Sends the inline command `line` to the Redis on `socketPath`.
 * @returns the first reply line (`+PONG`), null if the connection closed first (as after SHUTDOWN), or `refused`
 *   with the error when nothing listens there (ENOENT: no socket file, ECONNREFUSED: a stale one).
 */
export function redisCommand(socketPath: string, line: string): Promise<RedisReply> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let buffer = '';
    let connected = false;
    let done = false;
    const finish = (result: RedisReply): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(result);
    };
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${line}\r\n`);
    });
    socket.on('data', (text: string) => {
      buffer += text;
      const end = buffer.indexOf('\r\n');
      if (end !== -1) finish({ reply: buffer.slice(0, end) });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) finish({ refused: err });
    });
    socket.once('close', () => finish({ reply: null }));
  });
}

/** True when a Redis answers PING on `socketPath`. */
export async function redisAnswers(socketPath: string): Promise<boolean> {
  const result = await redisCommand(socketPath, 'PING');
  return 'reply' in result && result.reply === '+PONG';
}
