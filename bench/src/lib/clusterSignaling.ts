/**
 * The signaling half of cluster-fanout, before any media: raw signaling clients (lib/signal.ts) on the nodes
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

import type { StartedLayout } from './clusterNodes.js';
import type { Progress } from './progress.js';
import { type ServerProcess, tokenFor } from './serverProcess.js';
import { connect, loginRequest, type ServerEvent, type SignalClient } from './signal.js';
import { round, summarize } from './stats.js';

/** Where an observer is: on the actor's node or on another. */
type Where = 'sameNode' | 'otherNode';

/** The samples of one action. */
interface ActionSamples {
  reply: number[];
  sameNode: number[];
  otherNode: number[];
  missing: number;
}

/** The action being timed, which observers report their events to. */
interface Pending {
  arrive(client: SignalClient, where: Where, ev: ServerEvent, at: number): void;
}

/** A layout's event room's shared state. */
interface RoomState {
  pending: Pending | null;
  observerCount: number;
}

const ACTIONS = ['join', 'leave', 'broadcast'] as const;
type Action = (typeof ACTIONS)[number];

/** A layout's room for events. */
interface EventRoom {
  started: StartedLayout;
  actorNode: string;
  state: RoomState;
  clients: SignalClient[];
  observers: { sameNode: number; otherNode: number };
  samples: Record<Action, ActionSamples>;
  speaker: SignalClient;
}

/** p50 / p99 / max of some samples. */
export type Figures = ReturnType<typeof figures>;

/** One layout's login figures. */
export interface LoginFigures {
  nodes: number;
  replyMs: Figures;
  serverCpuMsPerLogin: number | null;
}

/** One action's figures on one layout. */
export interface ActionFigures {
  replyMs: Figures;
  sameNodeMs: Figures;
  otherNodeMs: Figures | null;
  missing: number;
}

/** One layout's event figures. */
export type EventFigures = { observers: { sameNode: number; otherNode: number } } & Record<
  Action,
  ActionFigures
>;

/** A layout's signaling results. */
export interface SignalingResult {
  logins: LoginFigures;
  events: EventFigures;
}

/** The node `name` of `started`. */
function nodeOf(started: StartedLayout, name: string): ServerProcess {
  const node = started.nodes.get(name);
  if (node === undefined) throw new Error(`layout ${started.name} has no node ${name}`);
  return node;
}

const LOGIN_ROOM = 'signaling-logins';
const EVENT_ROOM = 'signaling-events';
const EVENT_TIMEOUT_MS = 5000;

const figures = (
  samples: number[],
): { n: number; p50: number | null; p99: number | null; max: number | null } => {
  const s = summarize(samples);
  return { n: s.n, p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2) };
};

/** CPU time of every process of `started` so far, summed (ms). */
const cpuOf = (started: StartedLayout): number => started.processes.reduce((n, p) => n + p.cpuMs(), 0);

/**
 * Login request → reply, `samples` times per layout (the layouts in turn), over every node of a layout in
 * turn. Per layout: the latencies, and its processes' CPU time over its own logins.
 */
async function measureLogins(
  runs: StartedLayout[],
  samples: number,
  onProgress: (done: number) => void,
): Promise<LoginFigures[]> {
  const per = runs.map(() => ({ latencies: [] as number[], cpuMs: 0 }));
  const tokens = Array.from({ length: samples }, (_, i) => tokenFor(`login${i}`));
  const clients: SignalClient[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      for (const [k, started] of runs.entries()) {
        const names = started.layout.nodes;
        const cpu0 = cpuOf(started);
        const client = await connect(nodeOf(started, names[i % names.length] ?? 'A').url);
        clients.push(client);
        const request = loginRequest(LOGIN_ROOM, `login${i}`, { token: tokens[i] });
        const t0 = performance.now();
        await client.request('login', request);
        const p = per[k];
        if (p === undefined) continue;
        p.latencies.push(performance.now() - t0);
        p.cpuMs += cpuOf(started) - cpu0;
      }
      onProgress(i + 1);
    }
  } finally {
    for (const c of clients) c.close();
  }
  return per.map((p, k) => ({
    nodes: runs[k]?.layout.nodes.length ?? 0,
    replyMs: figures(p.latencies),
    serverCpuMsPerLogin: round(p.cpuMs / samples, 3),
  }));
}

/** Observers in EVENT_ROOM on `node`, each reporting matching events to `pending`. */
async function observers(
  started: StartedLayout,
  node: string,
  where: Where,
  count: number,
  state: RoomState,
): Promise<SignalClient[]> {
  const out: SignalClient[] = [];
  for (let i = 0; i < count; i++) {
    const userID = `observer-${where}-${i}`;
    const client: SignalClient = await connect(nodeOf(started, node).url, {
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
async function timed(
  state: RoomState,
  samples: ActionSamples,
  match: (ev: ServerEvent) => boolean,
  send: () => Promise<unknown>,
): Promise<void> {
  const got = new Set<SignalClient>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
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

/** The `users` or `messages` list of an event (an empty list when it has none). */
const listOf = (ev: ServerEvent, field: string): Record<string, unknown>[] =>
  Array.isArray(ev[field]) ? (ev[field] as Record<string, unknown>[]) : [];

const userIn =
  (type: string, userID: string) =>
  (ev: ServerEvent): boolean =>
    ev.type === 'userUpdate' &&
    ev['updateType'] === type &&
    listOf(ev, 'users').some((u) => u['userID'] === userID);

/** A layout's room for events: its observers, a speaker on the actor's node, and the samples so far. */
async function eventRoom(started: StartedLayout, perSide: number): Promise<EventRoom> {
  const clustered = started.layout.nodes.length > 1;
  const actorNode = clustered ? 'B' : 'A';
  const state: RoomState = { pending: null, observerCount: 0 };
  const clients: SignalClient[] = [];
  // On one node every observer is on the actor's node: as many as the cluster has on both sides.
  const counts = { sameNode: clustered ? perSide : 2 * perSide, otherNode: clustered ? perSide : 0 };
  const empty = (): ActionSamples => ({ reply: [], sameNode: [], otherNode: [], missing: 0 });
  clients.push(...(await observers(started, actorNode, 'sameNode', counts.sameNode, state)));
  if (clustered) clients.push(...(await observers(started, 'C', 'otherNode', perSide, state)));
  state.observerCount = clients.length;
  const speaker = await connect(nodeOf(started, actorNode).url);
  clients.push(speaker);
  await speaker.request('login', loginRequest(EVENT_ROOM, 'speaker'));
  return {
    started,
    actorNode,
    state,
    clients,
    observers: counts,
    samples: { join: empty(), leave: empty(), broadcast: empty() },
    speaker,
  };
}

/** Sample `i` of each action in `room`: a user joins and leaves on the actor's node, the speaker broadcasts. */
async function eventSample(room: EventRoom, i: number): Promise<void> {
  const { state, samples } = room;
  const url = nodeOf(room.started, room.actorNode).url;
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
    (ev) => ev.type === 'broadcast' && listOf(ev, 'messages').some((m) => m['message'] === message),
    () => room.speaker.request('broadcast', { roomID: EVENT_ROOM, message }),
  );
}

/** Room events (join, leave, broadcast), `samples` of each per layout, the layouts in turn. */
async function measureEvents(
  runs: StartedLayout[],
  samples: number,
  perSide: number,
  onProgress: (done: number) => void,
): Promise<EventFigures[]> {
  const rooms: EventRoom[] = [];
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
    const figuresOf = (a: Action): ActionFigures => {
      const s = room.samples[a];
      return {
        replyMs: figures(s.reply),
        sameNodeMs: figures(s.sameNode),
        otherNodeMs: clustered ? figures(s.otherNode) : null,
        missing: s.missing,
      };
    };
    return {
      observers: room.observers,
      join: figuresOf('join'),
      leave: figuresOf('leave'),
      broadcast: figuresOf('broadcast'),
    };
  });
}

/**
 * Both measurements on every layout of `runs` (started layouts); `samples` of each per layout, `perSide`
 * observers on each side. Resolves with `{ [layout]: { logins, events } }`.
 */
export async function measureSignaling({
  runs,
  samples,
  perSide,
  progress,
}: {
  runs: StartedLayout[];
  samples: number;
  perSide: number;
  progress: Progress;
}): Promise<Record<string, SignalingResult>> {
  progress.phase(`signaling: ${samples} logins per layout, one at a time`, samples);
  const logins = await measureLogins(runs, samples, (n) => progress.update(n));
  progress.phase(`signaling: room events (join, leave, broadcast) × ${samples} per layout`, samples);
  const events = await measureEvents(runs, samples, perSide, (n) => progress.update(n));
  progress.end();
  const out: Record<string, SignalingResult> = {};
  runs.forEach((r, k) => {
    const l = logins[k];
    const e = events[k];
    if (l !== undefined && e !== undefined) out[r.name] = { logins: l, events: e };
  });
  return out;
}
