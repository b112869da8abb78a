/**
 * A small typed client of the server API: it signs each request (a fresh SignatureNonce, the current Timestamp)
 * and returns the parsed reply. A reply with a non-zero Code is returned as it is, not thrown: the caller
 * decides (use {@link ApiClient.call} and check `Code`, or {@link ApiClient.data} to throw on failure).
 * @example
 * const api = new ApiClient({ baseUrl: server.httpUrl, appID: 1, serverSecret: '…32 chars…' });
 * const { UserCountList } = await api.data('DescribeUserNum', { RoomId: ['room1'] });
 */
import type { ApiReply } from './ApiServer.js';
import { apiSignature, newNonce, SIGNATURE_VERSION } from './signature.js';

/** A parameter value: arrays go out as repeated `Name[]=…`. */
export type ApiParamValue = string | number | readonly (string | number)[];

/** What each implemented action takes and what its reply's Data holds. */
export interface ApiActionTypes {
  DescribeUserNum: {
    params: { RoomId: readonly string[] };
    data: { UserCountList: { RoomId: string; UserCount: number; AdminUserCount: number }[] };
  };
  DescribeUsers: {
    params: { RoomId: string; UserId: readonly string[] };
    data: { UserStatusList: { UserId: string; UserName: string; Status: 1 | 2 }[] };
  };
  DescribeUserList: {
    params: { RoomId: string; Mode?: 0 | 1; Limit?: number; Marker?: string };
    data: { Marker: string; UserList: { UserId: string; UserName: string }[] };
  };
  DescribeSimpleStreamList: {
    params: { RoomId: string };
    data: { StreamList: { StreamId: string; UserId: string; UserName: string; ExtraInfo: string }[] };
  };
  DescribeRTCStreamState: {
    params: { StreamId: string };
    data: {
      StreamId: string;
      RoomId: string;
      UserId: string;
      State: 1;
      AudioState: 'OPEN' | 'MUTE';
      VideoState: 'OPEN' | 'MUTE';
    };
  };
  KickoutUser: {
    params: { RoomId: string; UserId: readonly string[]; CustomReason?: string };
    data: { KickedUserIds: string[] };
  };
  CloseRoom: { params: { RoomId: string; CustomReason?: string }; data: { UserCount: number } };
  SendBroadcastMessage: {
    params: {
      RoomId: string;
      UserId: string;
      UserName?: string;
      MessageCategory?: 1 | 2;
      MessageContent: string;
    };
    data: { MessageId: number };
  };
  SendBarrageMessage: {
    params: { RoomId: string; UserId: string; UserName?: string; MessageContent: string };
    data: { MessageId: string };
  };
  SendCustomCommand: {
    params: { RoomId: string; FromUserId: string; ToUserId?: readonly string[]; MessageContent: string };
    data: Record<string, never>;
  };
  ForbidRTCStream: { params: { StreamId: string; Sequence?: number }; data: Record<string, never> };
  AddStream: {
    params: { RoomId: string; UserId: string; UserName?: string; StreamId: string; ExtraInfo?: string };
    data: Record<string, never>;
  };
  DeleteStream: {
    params: { RoomId: string; UserId: string; UserName?: string; StreamId: string };
    data: Record<string, never>;
  };
  ResumeRTCStream: { params: { StreamId: string; Sequence?: number }; data: Record<string, never> };
}

export type ApiActionName = keyof ApiActionTypes;

export interface ApiClientOptions {
  /** The server's HTTP address, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  appID: number;
  /** The app's ServerSecret (the Token04 key). */
  serverSecret: string;
  /** 'GET' puts every parameter in the query; 'POST' sends the action's parameters as a JSON body. */
  method?: 'GET' | 'POST';
  /** Seconds since the epoch; default the clock of this machine. */
  now?: () => number;
}

/** A failed call, thrown by {@link ApiClient.data}: the reply's Code and Message. */
export class ApiCallError extends Error {
  constructor(readonly reply: ApiReply) {
    super(`${reply.Code}: ${reply.Message} (RequestId ${reply.RequestId})`);
    this.name = 'ApiCallError';
  }
}

export class ApiClient {
  constructor(private readonly o: ApiClientOptions) {
    if (!Number.isSafeInteger(o.appID) || o.appID <= 0)
      throw new TypeError('appID must be a positive integer');
    if (typeof o.serverSecret !== 'string' || o.serverSecret === '')
      throw new TypeError('serverSecret is required');
  }

  /** Calls an action; resolves to its reply whatever its Code (rejects only when the server cannot be reached). */
  async call<A extends ApiActionName>(
    action: A,
    params: ApiActionTypes[A]['params'],
  ): Promise<ApiReply & { Data?: ApiActionTypes[A]['data'] }>;
  async call(action: string, params: Record<string, ApiParamValue | undefined>): Promise<ApiReply>;
  async call(action: string, params: Record<string, ApiParamValue | undefined>): Promise<ApiReply> {
    const url = new URL('/', this.o.baseUrl);
    for (const [name, value] of Object.entries(this.signedParams(action))) url.searchParams.set(name, value);
    const method = this.o.method ?? 'GET';
    let body: string | undefined;
    if (method === 'GET') {
      for (const [name, value] of Object.entries(params)) {
        if (value === undefined) continue;
        if (Array.isArray(value))
          for (const item of value) url.searchParams.append(`${name}[]`, String(item));
        else url.searchParams.set(name, String(value));
      }
    } else {
      body = JSON.stringify(params);
    }
    const res = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    return (await res.json()) as ApiReply;
  }

  /** Calls an action and resolves to its Data; rejects with {@link ApiCallError} unless Code is 0. */
  async data<A extends ApiActionName>(
    action: A,
    params: ApiActionTypes[A]['params'],
  ): Promise<ApiActionTypes[A]['data']> {
    const reply = await this.call(action, params);
    if (reply.Code !== 0) throw new ApiCallError(reply);
    return reply.Data as ApiActionTypes[A]['data'];
  }

  /** The public parameters of one request, signed. */
  signedParams(action: string): Record<string, string> {
    const nonce = newNonce();
    const timestamp = Math.floor(this.o.now ? this.o.now() : Date.now() / 1000);
    return {
      Action: action,
      AppId: String(this.o.appID),
      SignatureNonce: nonce,
      Timestamp: String(timestamp),
      Signature: apiSignature(this.o.appID, nonce, this.o.serverSecret, timestamp),
      SignatureVersion: SIGNATURE_VERSION,
    };
  }
}
