/** A real Parley server for the integration tests, and credentials for it. */
import { createLogger, type RunningServer, type ServerOptions, startServer } from '@parley/server';
import { generateToken04With, makePrivilegePayload, type PrivilegePayloadInput } from '@parley/token';

export const APP = {
  appID: 1234567,
  appSign: 'ab'.repeat(32),
  serverSecret: '0123456789abcdef0123456789abcdef',
};

/** Starts a server on 127.0.0.1 port 0 serving {@link APP}. */
export function startTestServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ apps: [APP], logger: createLogger({ level: 'silent' }), ...options });
}

export interface TokenOptions {
  ttl?: number;
  /** Unix seconds the token claims it was made at; a past time makes an expired token. */
  issuedAt?: number;
  payload?: PrivilegePayloadInput;
  secret?: string;
  appID?: number;
}

/** A Token04 for `userID` in {@link APP}. */
export function token(userID: string, options: TokenOptions = {}): string {
  const payload = options.payload ? makePrivilegePayload(options.payload) : '';
  const issuedAt = options.issuedAt;
  return generateToken04With(
    issuedAt === undefined ? {} : { now: () => issuedAt },
    options.appID ?? APP.appID,
    userID,
    options.secret ?? APP.serverSecret,
    options.ttl ?? 3600,
    payload,
  );
}

let counter = 0;
/** A roomID no other test uses. */
export function uniqueRoom(prefix = 'room'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

/** The counters of the server's `/healthz`. */
export interface Health {
  connections: number;
  sessions: number;
  rooms: number;
  streams: number;
  mediaTransports: number;
}

export async function health(server: RunningServer): Promise<Health> {
  return (await (await fetch(`${server.httpUrl}/healthz`)).json()) as Health;
}
