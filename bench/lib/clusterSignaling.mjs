/**
 * The signaling half of cluster-fanout, before any media: raw signaling clients (lib/signal.mjs) on the nodes
 * of each layout, one action at a time, each timed on the bench's one clock. The layouts take turns sample by
 * sample, so a change in the machine's other load meets them alike.
 *
 * - Logins: `samples` users log in one after another (each socket opened beforehand, untimed), spread over
 *   every node of the layout in turn; the time from the `login` request to its reply. All stay logged in, in
 *   one room, so in a cluster every login is a room change the other nodes apply too. Also the CPU time of
 *   every server process (Redis included) per login, the socket's connection included.
 * - Room events: observers with user updates in a room, half on the actor's node (B; A on one node) and half
 *   on another node (C); `samples` times each: a new user logs in on the actor's node (→ userUpdate ADD at
 *   every observer), logs out again (→ DELETE), and a member on the actor's node sends a broadcast message
 *   (→ broadcast). Per action: request → reply at the actor, and request → arrival at each observer, same
 *   node and other node apart. The next action starts once every observer has its event (or after 5 s).
 */

import { tokenFor } from './serverProcess.mjs';
import { connect, loginRequest } from './signal.mjs';
import { round, summarize } from './stats.mjs';

const LOGIN_ROOM = 'signaling-logins';
const EVENT_ROOM = 'signaling-events';
const EVENT_TIMEOUT_MS = 5000;

const figures = (samples) => {
  const s = summarize(samples);
  return { n: s.n, p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2) };
};

/** CPU time of every process of `started` so far, summed (ms). */
const cpuOf = (started) => started.processes.reduce((n, p) => n + p.cpuMs(), 0);

/**
 * Login request → reply, `samples` times per layout (the layouts in turn), over every node of a layout in
 * turn. Per layout: the latencies, and its processes' CPU time over its own logins.
 */
async function measureLogins(runs, samples, onProgress) {
  const per = runs.map(() => ({ latencies: [], cpuMs: 0 }));
  const tokens = Array.from({ length: samples }, (_, i) => tokenFor(`login${i}`));
  const clients = [];
  try {
    for (let i = 0; i < samples; i++) {
      for (const [k, started] of runs.entries()) {
        const names = started.layout.nodes;
        const cpu0 = cpuOf(started);
        const client = await connect(started.nodes.get(names[i % names.length]).url);
        clients.push(client);
        const request = loginRequest(LOGIN_ROOM, `login${i}`, { token: tokens[i] });
        const t0 = performance.now();
        await client.request('login', request);
        per[k].latencies.push(performance.now() - t0);
        per[k].cpuMs += cpuOf(started) - cpu0;
      }
      onProgress(i + 1);
    }
  } finally {
    for (const c of clients) c.close();
  }
  return per.map((p, k) => ({
    nodes: runs[k].layout.nodes.length,
    replyMs: figures(p.latencies),
    serverCpuMsPerLogin: round(p.cpuMs / samples, 3),
  }));
}

/** Observers in EVENT_ROOM on `node`, each reporting matching events to `pending`. */
async function observers(started, node, where, count, state) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const userID = `observer-${where}-${i}`;
    const client = await connect(started.nodes.get(node).url, {
      onEvent: (ev, at) => state.pending?.arrive(client, where, ev, at),
    });
    await client.request('login', loginRequest(EVENT_ROOM, userID, { userUpdate: true }));
    out.push(client);
  }
  return out;
}

/**
 * One timed action: `send()` issues the request; every observer must see an event `match` accepts. Records
 * the reply time and each arrival by where the observer is; counts observers that saw nothing in time.
 */
async function timed(state, samples, match, send) {
  const got = new Set();
  let done;
  const all = new Promise((resolve) => {
    done = resolve;
  });
  const t0 = performance.now();
  state.pending = {
    arrive(client, where, ev, at) {
      if (got.has(client) || !match(ev)) return;
      got.add(client);
      samples[where].push(at - t0);
      if (got.size === state.observerCount) done();
    },
  };
  const reply = send().then(() => samples.reply.push(performance.now() - t0));
  const timer = setTimeout(done, EVENT_TIMEOUT_MS);
  await Promise.all([reply, all]);
  clearTimeout(timer);
  state.pending = null;
  samples.missing += state.observerCount - got.size;
}

const userIn = (type, userID) => (ev) =>
  ev.type === 'userUpdate' && ev.updateType === type && ev.users.some((u) => u.userID === userID);

const ACTIONS = ['join', 'leave', 'broadcast'];

/** A layout's room for events: its observers, a speaker on the actor's node, and the samples so far. */
async function eventRoom(started, perSide) {
  const clustered = started.layout.nodes.length > 1;
  const actorNode = clustered ? 'B' : 'A';
  const state = { pending: null, observerCount: 0 };
  const room = {
    started,
    actorNode,
    state,
    clients: [],
    // On one node every observer is on the actor's node: as many as the cluster has on both sides.
    observers: { sameNode: clustered ? perSide : 2 * perSide, otherNode: clustered ? perSide : 0 },
    samples: Object.fromEntries(
      ACTIONS.map((a) => [a, { reply: [], sameNode: [], otherNode: [], missing: 0 }]),
    ),
  };
  room.clients.push(...(await observers(started, actorNode, 'sameNode', room.observers.sameNode, state)));
  if (clustered) room.clients.push(...(await observers(started, 'C', 'otherNode', perSide, state)));
  state.observerCount = room.clients.length;
  room.speaker = await connect(started.nodes.get(actorNode).url);
  room.clients.push(room.speaker);
  await room.speaker.request('login', loginRequest(EVENT_ROOM, 'speaker'));
  return room;
}

/** Sample `i` of each action in `room`: a user joins and leaves on the actor's node, the speaker broadcasts. */
async function eventSample(room, i) {
  const { state, samples } = room;
  const url = room.started.nodes.get(room.actorNode).url;
  const userID = `joiner${i}`;
  const token = tokenFor(userID);
  const joiner = await connect(url);
  try {
    await timed(state, samples.join, userIn('ADD', userID), () =>
      joiner.request('login', loginRequest(EVENT_ROOM, userID, { token })),
    );
    await timed(state, samples.leave, userIn('DELETE', userID), () =>
      joiner.request('logout', { roomID: EVENT_ROOM }),
    );
  } finally {
    joiner.close();
  }
  const message = `message ${i}`;
  await timed(
    state,
    samples.broadcast,
    (ev) => ev.type === 'broadcast' && ev.messages.some((m) => m.message === message),
    () => room.speaker.request('broadcast', { roomID: EVENT_ROOM, message }),
  );
}

/** Room events (join, leave, broadcast), `samples` of each per layout, the layouts in turn. */
async function measureEvents(runs, samples, perSide, onProgress) {
  const rooms = [];
  try {
    for (const started of runs) rooms.push(await eventRoom(started, perSide));
    for (let i = 0; i < samples; i++) {
      for (const room of rooms) await eventSample(room, i);
      onProgress(i + 1);
    }
  } finally {
    for (const room of rooms) for (const c of room.clients) c.close();
  }
  return rooms.map((room) => {
    const clustered = room.observers.otherNode > 0;
    const result = { observers: room.observers };
    for (const a of ACTIONS) {
      const s = room.samples[a];
      result[a] = {
        replyMs: figures(s.reply),
        sameNodeMs: figures(s.sameNode),
        otherNodeMs: clustered ? figures(s.otherNode) : null,
        missing: s.missing,
      };
    }
    return result;
  });
}

/**
 * Both measurements on every layout of `runs` (started layouts); `samples` of each per layout, `perSide`
 * observers on each side. Resolves with `{ [layout]: { logins, events } }`.
 */
export async function measureSignaling({ runs, samples, perSide, progress }) {
  progress.phase(`signaling: ${samples} logins per layout, one at a time`, samples);
  const logins = await measureLogins(runs, samples, (n) => progress.update(n));
  progress.phase(`signaling: room events (join, leave, broadcast) × ${samples} per layout`, samples);
  const events = await measureEvents(runs, samples, perSide, (n) => progress.update(n));
  progress.end();
  return Object.fromEntries(runs.map((r, k) => [r.name, { logins: logins[k], events: events[k] }]));
}
