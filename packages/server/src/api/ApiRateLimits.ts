/**
 * The server API's rate limits, as ZEGO documents them for its own actions, counted cluster-wide: each limit is a
 * fixed window in the shared state ({@link SharedState.takeFromWindow}), so every node of a cluster counts the
 * same calls, and N nodes behind a load balancer allow what one node does.
 *
 * Sources (ZEGO's server API reference, "Rate Limit" / "调用频率限制" of each action):
 * - CloseRoom: 1 per second per AppID.
 * - ForbidRTCStream, ResumeRTCStream: 20 per second per AppID.
 * - DescribeUserList: 10 per second per AppID, and 6 per 20 seconds per room (the "Server APIs v2" page of
 *   DescribeUserList; ZEGO's newer reference page says 200 per second per AppID and 1 per second per room).
 * - Every other action: 10 per second per AppID (DescribeUsers and the room signaling actions).
 */
import type { SharedState } from '../cluster/SharedState.js';

/** One limit of an action: at most `limit` calls per `windowMs`, per AppID or per AppID and room. */
export interface ApiRateLimit {
  limit: number;
  windowMs: number;
  /** Counted per room (the request's RoomId) instead of per AppID. */
  perRoom?: boolean;
}

/** Requests per second per AppID of an action that ZEGO documents no other limit for. */
export const DEFAULT_API_RATE_PER_SECOND = 10;

const perSecond = (limit: number): ApiRateLimit => ({ limit, windowMs: 1000 });

/** The limits of the actions whose limits are not the default's. */
export const ZEGO_API_RATE_LIMITS: Readonly<Record<string, readonly ApiRateLimit[]>> = {
  CloseRoom: [perSecond(1)],
  ForbidRTCStream: [perSecond(20)],
  ResumeRTCStream: [perSecond(20)],
  DescribeUserList: [perSecond(10), { limit: 6, windowMs: 20_000, perRoom: true }],
};

/** ZEGO's limits of `action` (the default's for an action not in {@link ZEGO_API_RATE_LIMITS}). */
export function zegoApiRateLimits(action: string): readonly ApiRateLimit[] {
  return ZEGO_API_RATE_LIMITS[action] ?? [perSecond(DEFAULT_API_RATE_PER_SECOND)];
}

/** What a limit refused, for the reply's message. */
export interface ApiRateRefusal {
  limit: ApiRateLimit;
}

export class ApiRateLimits {
  constructor(
    private readonly state: SharedState,
    private readonly limitsOf: (action: string) => readonly ApiRateLimit[] = zegoApiRateLimits,
  ) {}

  /**
   * Counts one call of `action` against each of its limits, in order, and resolves with the first limit that
   * refused it (null if none did). `roomID` is the room of a per-room limit. Rejects with SharedStateUnavailable
   * when the shared state cannot be reached.
   */
  async take(appID: number, action: string, roomID: () => string): Promise<ApiRateRefusal | null> {
    for (const limit of this.limitsOf(action)) {
      const scope = limit.perRoom ? `${appID}:${action}:room:${roomID()}` : `${appID}:${action}`;
      // The window's length is part of the key, so a limit changed between two releases of a cluster's nodes
      // never reads another limit's window.
      const key = `api:rate:${limit.windowMs}:${scope}`;
      if (!(await this.state.takeFromWindow(key, limit.limit, limit.windowMs))) return { limit };
    }
    return null;
  }
}
