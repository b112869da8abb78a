/**
 * The bench's client of Janus's HTTP API against a stand-in Janus on 127.0.0.1 that answers as Janus does:
 * synchronous requests at once, asynchronous ones with an ack and later an event on the session's long poll.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { JanusSession } from '../../src/janus/JanusSession.js';

interface Message {
  janus: string;
  transaction: string;
  body?: { request: string; n?: number };
  jsep?: { type: string; sdp: string; trickle?: boolean };
}

/** A stand-in Janus: one session (1), handles from 2; async requests answered in reverse order, two at a time. */
async function fakeJanus() {
  const queued: object[] = [];
  let poll: ServerResponse | null = null;
  const seen: Message[] = [];
  const flush = () => {
    if (poll === null || queued.length === 0) return;
    poll.end(JSON.stringify(queued.splice(0).reverse()));
    poll = null;
  };
  let nextHandle = 2;
  let heldAsync: Message[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') {
      poll = res;
      flush();
      return;
    }
    let text = '';
    for await (const chunk of req) text += chunk;
    const m = JSON.parse(text) as Message;
    seen.push(m);
    const reply = (o: object): void => {
      res.end(JSON.stringify({ transaction: m.transaction, ...o }));
    };
    if (m.janus === 'create') return reply({ janus: 'success', data: { id: 1 } });
    if (m.janus === 'attach') return reply({ janus: 'success', data: { id: nextHandle++ } });
    if (m.janus === 'destroy') {
      reply({ janus: 'success' });
      poll?.end(JSON.stringify([]));
      poll = null;
      return;
    }
    if (m.body?.request === 'list') return reply({ janus: 'success', plugindata: { data: { list: [] } } });
    reply({ janus: 'ack' });
    heldAsync.push(m);
    if (heldAsync.length < 2) return;
    for (const h of heldAsync) {
      const data =
        h.body?.request === 'bad' ? { error_code: 426, error: 'No such room' } : { done: h.body?.n };
      queued.push({
        janus: 'event',
        transaction: h.transaction,
        sender: 2,
        plugindata: { plugin: 'janus.plugin.videoroom', data },
        ...(h.jsep ? { jsep: { type: 'answer', sdp: `answer to ${h.jsep.sdp}` } } : {}),
      });
    }
    heldAsync = [];
    flush();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/janus`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('asynchronous requests get their own events from the long poll, in any order; plugin errors reject', async (t) => {
  const janus = await fakeJanus();
  t.after(() => janus.close());
  const session = await JanusSession.create(janus.url);
  const handle = await session.attach('janus.plugin.videoroom');
  assert.equal(handle, 2);
  assert.deepEqual((await session.request(handle, { request: 'list' })).data, { list: [] });

  const [a, b] = await Promise.all([
    session.request(handle, { request: 'join', n: 1 }),
    session.request(handle, { request: 'publish', n: 2 }, { type: 'offer', sdp: 'o' }),
  ]);
  assert.deepEqual(a, { data: { done: 1 }, jsep: undefined });
  assert.deepEqual(b, { data: { done: 2 }, jsep: { type: 'answer', sdp: 'answer to o' } });
  // The offer went out as one that trickles no candidates (they are in the SDP).
  assert.deepEqual(janus.seen.find((m) => m.body?.request === 'publish')?.jsep, {
    type: 'offer',
    sdp: 'o',
    trickle: false,
  });

  const [bad, good] = await Promise.allSettled([
    session.request(handle, { request: 'bad' }),
    session.request(handle, { request: 'join', n: 3 }),
  ]);
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /janus plugin error 426: No such room/);
  assert.deepEqual(good.status === 'fulfilled' && good.value.data, { done: 3 });

  await session.close();
  assert.equal(janus.seen.at(-1)?.janus, 'destroy');
});
