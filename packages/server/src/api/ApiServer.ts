/**
 * The ZEGO-compatible server API: `GET|POST /?Action=<Name>&AppId=…&SignatureNonce=…&Timestamp=…&Signature=…
 * &SignatureVersion=2.0`. Each request is signed with the app's ServerSecret (signature.ts); a timestamp more than
 * ten minutes off the server's clock is refused, and so is a SignatureNonce used before, on any node of the cluster
 * (SharedState.claimOnce). Every reply is HTTP 200 with `{Code, Message, RequestId, Data}`; Code is 0 on success
 * and ZEGO's code otherwise (apiCodes.ts). The one exception is a client address that an explicit `http.adminAllow`
 * does not admit: HTTP 403 with the same shape ({@link ApiServer.refuseAddress}).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SharedStateUnavailable } from '../cluster/SharedState.js';
import type { Logger } from '../log.js';
import type { AppConfig } from '../options.js';
import type { RoomAdmin } from '../rooms/RoomAdmin.js';
import { ApiParams } from './ApiParams.js';
import { type ApiRateLimit, ApiRateLimits, zegoApiRateLimits } from './ApiRateLimits.js';
import { type ApiAction, apiActions, roomIdParam } from './apiActions.js';
import { ApiCode, ApiError } from './apiCodes.js';
import { SIGNATURE_VERSION, signatureMatches } from './signature.js';

/** How far a request's Timestamp may be from the server's clock, either way (ZEGO: 10 minutes). */
export const API_TIMESTAMP_WINDOW_MS = 10 * 60 * 1000;

/** The longest SignatureNonce accepted (ZEGO's are 16 hex characters). */
export const MAX_NONCE_LENGTH = 64;

/** The body of every reply. */
export interface ApiReply {
  Code: number;
  Message: string;
  RequestId: string;
  Data?: unknown;
}

export interface ApiServerOptions {
  apps: readonly AppConfig[];
  rooms: RoomAdmin;
  logger: Logger;
  /**
   * For tests: the limits of each action (default: ZEGO's, ApiRateLimits.ts). Takes precedence over
   * `ratePerSecond`.
   */
  rateLimits?: (action: string) => readonly ApiRateLimit[];
  /** For tests: one limit per action, of this many requests per second per AppID. */
  ratePerSecond?: (action: string) => number;
  now?: () => number;
}

export class ApiServer {
  private readonly apps: Map<number, AppConfig>;
  private readonly limits: ApiRateLimits;
  private readonly actions: Map<string, ApiAction>;
  private readonly now: () => number;

  constructor(private readonly o: ApiServerOptions) {
    this.apps = new Map(o.apps.map((a) => [a.appID, a]));
    this.now = o.now ?? Date.now;
    const ratePerSecond = o.ratePerSecond;
    const limitsOf =
      o.rateLimits ??
      (ratePerSecond
        ? (action: string) => [{ limit: ratePerSecond(action), windowMs: 1000 }]
        : zegoApiRateLimits);
    this.limits = new ApiRateLimits(o.rooms.state, limitsOf);
    this.actions = apiActions();
  }

  /** True if the request is one of the API's (a request of `/` with an `Action` parameter in its query). */
  static wants(url: URL): boolean {
    return url.pathname === '/' && url.searchParams.has('Action');
  }

  /** Answers one request; never throws for the request's own faults. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = newRequestId();
    let reply: ApiReply;
    try {
      const data = await this.run(req, url);
      reply = { Code: ApiCode.OK, Message: 'success', RequestId: requestId, Data: data };
    } catch (err) {
      if (err instanceof ApiError) {
        reply = { Code: err.code, Message: err.message, RequestId: requestId };
      } else if (err instanceof SharedStateUnavailable) {
        reply = {
          Code: ApiCode.SERVER_BUSY,
          Message: 'the cluster state is unreachable; try again',
          RequestId: requestId,
        };
      } else {
        this.o.logger.error('server API request failed', { requestId, err });
        reply = {
          Code: ApiCode.SERVER_BUSY,
          Message: 'the request failed on the server',
          RequestId: requestId,
        };
      }
    }
    write(res, 200, reply);
  }

  /**
   * Refuses a request from an address that `http.adminAllow` does not admit, before reading it: HTTP 403 with the
   * API's reply shape, so a ZEGO client reads the Code and Message as it reads any other refusal.
   */
  refuseAddress(res: ServerResponse): void {
    write(res, 403, {
      Code: ApiCode.ADDRESS_NOT_ALLOWED,
      Message: 'the server API is not allowed from this address (see http.adminAllow)',
      RequestId: newRequestId(),
    });
  }

  private async run(req: IncomingMessage, url: URL): Promise<unknown> {
    const params = await ApiParams.read(req, url);
    const name = params.get('Action');
    if (!name) throw new ApiError(ApiCode.ACTION_MISSING, 'Action is required');
    const app = await this.authenticate(params);
    const action = this.actions.get(name);
    if (!action) throw new ApiError(ApiCode.ACTION_UNSUPPORTED, `unsupported Action ${name}`);
    // A per-room limit needs the request's RoomId: a missing or invalid one is refused here as the action would.
    const refused = await this.limits.take(app.appID, name, () => roomIdParam(params));
    if (refused) {
      const { limit, windowMs, perRoom } = refused.limit;
      throw new ApiError(
        ApiCode.RATE_LIMITED,
        `more than ${limit} ${name} requests per ${windowMs / 1000} s ${perRoom ? 'for this room' : 'for this AppId'}`,
      );
    }
    return await action({ appID: app.appID, params, rooms: this.o.rooms });
  }

  /** Checks the public parameters and the signature; returns the app the request is for. */
  private async authenticate(params: ApiParams): Promise<AppConfig> {
    const rawAppID = params.get('AppId');
    const appID = Number(rawAppID);
    if (!rawAppID || !/^\d+$/.test(rawAppID) || !Number.isSafeInteger(appID)) {
      throw new ApiError(ApiCode.INVALID_APP_ID, 'AppId must be the app’s numeric ID');
    }
    const rawTimestamp = params.get('Timestamp');
    if (!rawTimestamp) throw new ApiError(ApiCode.TIMESTAMP_MISSING, 'Timestamp is required');
    if (!/^\d{1,12}$/.test(rawTimestamp)) {
      throw new ApiError(ApiCode.TIMESTAMP_INVALID, 'Timestamp must be a Unix time in seconds');
    }
    const timestamp = Number(rawTimestamp);
    const nonce = params.get('SignatureNonce');
    if (!nonce) throw new ApiError(ApiCode.NONCE_MISSING, 'SignatureNonce is required');
    // Each nonce is kept for 20 minutes, in Redis too: a bounded length keeps that memory bounded.
    if (nonce.length > MAX_NONCE_LENGTH) {
      throw new ApiError(
        ApiCode.INPUT_PARAMETER,
        `SignatureNonce is longer than ${MAX_NONCE_LENGTH} characters`,
      );
    }
    const signature = params.get('Signature');
    if (!signature) throw new ApiError(ApiCode.SIGNATURE_MISSING, 'Signature is required');
    const version = params.get('SignatureVersion');
    if (!version) throw new ApiError(ApiCode.SIGNATURE_VERSION_MISSING, 'SignatureVersion is required');
    if (version !== SIGNATURE_VERSION) {
      throw new ApiError(
        ApiCode.SIGNATURE_VERSION_UNSUPPORTED,
        `SignatureVersion must be ${SIGNATURE_VERSION}`,
      );
    }
    const app = this.apps.get(appID);
    if (!app) throw new ApiError(ApiCode.SECRET_NOT_FOUND, `no app ${appID} on this server`);
    if (Math.abs(timestamp * 1000 - this.now()) > API_TIMESTAMP_WINDOW_MS) {
      throw new ApiError(
        ApiCode.SIGNATURE_EXPIRED,
        'Timestamp is more than 10 minutes off the server’s clock',
      );
    }
    if (!signatureMatches(signature, appID, nonce, app.serverSecret, timestamp)) {
      throw new ApiError(ApiCode.SIGNATURE_INVALID, 'the Signature does not match');
    }
    // Only a correctly signed request spends its nonce, so nobody can burn another's nonces. It is remembered for
    // the whole window a timestamp is accepted in, after which the timestamp check refuses a replay anyway.
    const fresh = await this.o.rooms.state.claimOnce(`api:${appID}:${nonce}`, 2 * API_TIMESTAMP_WINDOW_MS);
    if (!fresh) throw new ApiError(ApiCode.SIGNATURE_INVALID, 'this SignatureNonce was used already');
    return app;
  }
}

/** A request ID: 16 random hex characters, unique enough to find one request in the logs. */
function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

function write(res: ServerResponse, status: number, reply: ApiReply): void {
  const text = JSON.stringify(reply);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
