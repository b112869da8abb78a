/** A minimal signaling client for benchmarks: JSON requests with ids over the server's WebSocket. */
import WebSocket from 'ws';

export async function connect(url) {
  const ws = new WebSocket(url);
  const pending = new Map();
  const events = [];
  let hello;
  let nextId = 1;
  await new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.t === 'hello') {
        hello = frame;
        resolve();
      } else if (frame.t === 'reply') {
        const p = pending.get(frame.id);
        pending.delete(frame.id);
        if (frame.code === 0) p?.resolve(frame.data ?? {});
        else p?.reject(new Error(`${frame.code} ${frame.msg}`));
      } else if (frame.t === 'evt') events.push(frame.ev);
    });
    ws.once('error', reject);
  });
  const heartbeat = setInterval(() => ws.send(JSON.stringify({ t: 'hb', ack: 0 })), 2000);
  heartbeat.unref();
  return {
    hello,
    events,
    request(t, fields = {}) {
      const id = nextId++;
      ws.send(JSON.stringify({ t, id, ...fields }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close() {
      clearInterval(heartbeat);
      ws.close();
    },
  };
}
