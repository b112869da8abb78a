/**
 * Per-AppID rate limits of the server API: one token bucket per AppID and action, refilled at the action's rate
 * per second with a burst of one second's worth. ZEGO documents 10 requests per second per AppID for its room
 * signaling actions (DescribeUserNum, DescribeUserList, KickoutUser, CloseRoom, the message actions), which is
 * the default of every action here. The buckets are this node's: a cluster of N nodes behind a load balancer
 * allows up to N times the rate.
 */
import { TokenBucket } from '../util/TokenBucket.js';

/** Requests per second per AppID and action when the action has no rate of its own. */
export const DEFAULT_API_RATE_PER_SECOND = 10;

export class ApiRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: (action: string) => number = () => DEFAULT_API_RATE_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one request of the AppID's budget for `action`; false when it is spent. */
  take(appID: number, action: string): boolean {
    const key = `${appID}:${action}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const rate = this.ratePerSecond(action);
      bucket = new TokenBucket(rate, rate, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
