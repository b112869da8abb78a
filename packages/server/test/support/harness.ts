/** Starts a real server on 127.0.0.1 port 0 with two test apps, and logs raw clients in. */
import { appSignProof, generateToken04With, makePrivilegePayload } from '@parley/token';
import { createLogger, type RunningServer, type ServerOptions, startServer } from '../../src/index.js';
import { nodeStates, spreadMode, type TestState } from './clusterSpread.js';
import { RawClient } from './RawClient.js';

export const APP = {
  appID: 1234567,
  appSign: 'ab'.repeat(32),
  serverSecret: '0123456789abcdef0123456789abcdef',
};
export const OTHER_APP = {
  appID: 7654321,
  appSign: 'cd'.repeat(32),
  serverSecret: 'fedcba9876543210fedcba9876543210',
};

export interface Harness {
  /** The first node (the only one unless the file runs spread over a cluster, see clusterSpread.ts). */
  server: RunningServer;
  /** Every node; clients connect to them in turn. */
  servers: RunningServer[];
  /** The nodes' shared states when spread over a cluster (empty on one node). */
  states: TestState[];
  clients: RawClient[];
  /** Connects, from `from` (a local address such as 127.0.0.2) if given, to the next node in turn. */
  connect(from?: string): Promise<RawClient>;
  /** The index in `servers` of the node `client` is connected to. */
  nodeIndexOf(client: RawClient): number;
  /** Connects a new socket to the node `client` is connected to (where its session lives, for a resume). */
  reconnect(client: RawClient): Promise<RawClient>;
  /** Connects and logs in; throws if the login is refused. */
  login(roomID: string, userID: string, opts?: LoginOptions): Promise<RawClient>;
  close(): Promise<void>;
}

export interface LoginOptions {
  app?: typeof APP;
  userUpdate?: boolean;
  maxMemberCount?: number;
  token?: string;
  client?: RawClient;
  /** The local address to connect from (when no `client` is given). */
  from?: string;
}

export interface TokenOptions {
  app?: typeof APP;
  /** Seconds the token is valid for, from `issuedAt`. */
  ttl?: number;
  /** Unix seconds the token claims it was made at; default now. A past time makes an expired token. */
  issuedAt?: number;
  payload?: Parameters<typeof makePrivilegePayload>[0];
}

export function token(userID: string, opts: TokenOptions = {}): string {
  const app = opts.app ?? APP;
  const payload = opts.payload ? makePrivilegePayload(opts.payload) : '';
  const issuedAt = opts.issuedAt;
  const now = issuedAt === undefined ? {} : { now: () => issuedAt };
  return generateToken04With(now, app.appID, userID, app.serverSecret, opts.ttl ?? 3600, payload);
}

export function loginFrame(roomID: string, userID: string, opts: LoginOptions = {}) {
  const app = opts.app ?? APP;
  return {
    appID: app.appID,
    roomID,
    user: { userID, userName: `name-${userID}` },
    auth: { kind: 'token', token: opts.token ?? token(userID, { app }) },
    config: { userUpdate: opts.userUpdate ?? true, maxMemberCount: opts.maxMemberCount ?? 0 },
  };
}

export function appSignLoginFrame(client: RawClient, roomID: string, userID: string, appSign = APP.appSign) {
  return {
    appID: APP.appID,
    roomID,
    user: { userID, userName: userID },
    auth: {
      kind: 'appSign',
      proof: appSignProof(appSign, { nonce: client.nonce, appId: APP.appID, userId: userID }),
    },
    config: { userUpdate: true, maxMemberCount: 0 },
  };
}

export async function startHarness(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const mode = spreadMode();
  const states = mode === null ? [] : await nodeStates(mode);
  const perNode = mode === null ? [options] : states.map((sharedState) => ({ ...options, sharedState }));
  const servers = await Promise.all(
    perNode.map((o) =>
      startServer({
        apps: [APP, OTHER_APP],
        logger: createLogger({ level: 'silent' }),
        ...o,
      }),
    ),
  );
  const clients: RawClient[] = [];
  const nodeOf = new Map<RawClient, RunningServer>();
  let next = 0;
  const open = async (server: RunningServer, from?: string): Promise<RawClient> => {
    const c = await RawClient.connect(server.url, from === undefined ? undefined : { localAddress: from });
    clients.push(c);
    nodeOf.set(c, server);
    return c;
  };
  const h: Harness = {
    server: servers[0]!,
    servers,
    states,
    clients,
    connect(from) {
      return open(servers[next++ % servers.length]!, from);
    },
    nodeIndexOf(client) {
      return servers.indexOf(nodeOf.get(client) ?? servers[0]!);
    },
    reconnect(client) {
      return open(nodeOf.get(client) ?? servers[0]!);
    },
    async login(roomID, userID, opts = {}) {
      const c = opts.client ?? (await h.connect(opts.from));
      const reply = await c.request('login', loginFrame(roomID, userID, opts));
      if (reply.code !== 0) throw new Error(`login refused: ${reply.code} ${reply.msg}`);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => (c.isClosed ? undefined : c.cut())));
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  return h;
}
