/**
 * The settings of the per-address limits and of the HTTP server's timeouts, with their defaults, defined once:
 * `ServerOptions.limits` and `ServerOptions.http` are partial versions of these.
 *
 * The defaults are meant for a server reached directly by its clients, where one address is one host or one
 * office behind NAT. Behind a reverse proxy every client has the proxy's address: name the proxy in
 * `trustedProxies` so the limits apply to the address it forwards for.
 */

/** Limits per client address (IPv4 address, or IPv6 /64). A numeric limit of 0 turns that limit off. */
export interface AddressLimitSettings {
  /** Open signaling sockets per address; one more is closed at once with 1013 (try again later). Default 500. */
  socketsPerAddress: number;
  /**
   * Sockets per address that have not logged in or resumed a session yet; one more is closed with 1013. With
   * `loginTimeoutMs` this bounds how many idle sockets an address can hold. Default 100.
   */
  preLoginSocketsPerAddress: number;
  /**
   * Frames per second from one address, over all its sockets (bursts of twice as many). Beyond it frames are
   * refused like a socket's own flood: a 1009015 error, and the socket closed with 1008 if it keeps on. Default 1,000.
   */
  framesPerSecondPerAddress: number;
  /** Login requests per second from one address (bursts of twice as many); more are answered 1002071. Default 50. */
  loginsPerSecondPerAddress: number;
  /**
   * Failed logins in a row (wrong AppID, AppSign or token) from one address before it is locked out. Each
   * further failure doubles the lockout, up to `loginBackoffMaxMs`; a successful login ends it. Logins during a
   * lockout are answered 1002071 without being checked. Default 10.
   */
  loginFailuresBeforeBackoff: number;
  /** The first lockout. Default 1,000 ms. */
  loginBackoffMs: number;
  /** The longest lockout. Default 60,000 ms. */
  loginBackoffMaxMs: number;
  /** An address's failures are forgotten after this long without a new one. Default 600,000 ms (10 minutes). */
  loginFailureMemoryMs: number;
  /**
   * Addresses remembered at most. Addresses with open sockets are always kept; beyond this many, the idle ones
   * seen longest ago are forgotten first, so a flood of addresses cannot grow memory without bound. Default 100,000.
   */
  maxTrackedAddresses: number;
  /**
   * Reverse proxies (addresses or CIDR ranges, e.g. `"10.0.0.0/8"`) whose `X-Forwarded-For` is believed: a
   * socket from one of them is counted under the right-most forwarded address that is not itself a trusted
   * proxy. Default none.
   */
  trustedProxies: string[];
}

/** Timeouts of the HTTP server, which bound slow clients (slowloris) before a socket becomes a WebSocket. */
export interface HttpTimeoutSettings {
  /**
   * Time a connection has to send a complete request head, counted from its opening or its previous request.
   * This bounds WebSocket upgrade requests too: a pending upgrade is answered 408 and closed. Default 10,000 ms.
   */
  headersTimeoutMs: number;
  /** Time a connection has to send a complete request, body included. At least `headersTimeoutMs`. Default 30,000 ms. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept after a response. Default 5,000 ms. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_ADDRESS_LIMITS: Readonly<AddressLimitSettings> = Object.freeze({
  socketsPerAddress: 500,
  preLoginSocketsPerAddress: 100,
  framesPerSecondPerAddress: 1000,
  loginsPerSecondPerAddress: 50,
  loginFailuresBeforeBackoff: 10,
  loginBackoffMs: 1000,
  loginBackoffMaxMs: 60_000,
  loginFailureMemoryMs: 600_000,
  maxTrackedAddresses: 100_000,
  trustedProxies: [],
});

export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeoutSettings> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
});

type NumericKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/**
 * The limits with defaults filled in.
 * @throws TypeError naming the setting, for a negative or non-numeric value or an unknown key.
 */
export function resolveAddressLimits(given: Partial<AddressLimitSettings> = {}): AddressLimitSettings {
  const settings = resolveNumbers('limits', DEFAULT_ADDRESS_LIMITS, given, ['trustedProxies']);
  const proxies = given.trustedProxies ?? DEFAULT_ADDRESS_LIMITS.trustedProxies;
  if (!Array.isArray(proxies) || proxies.some((p) => typeof p !== 'string')) {
    throw new TypeError('limits.trustedProxies must be an array of addresses or CIDR ranges');
  }
  return { ...settings, trustedProxies: [...proxies] };
}

/**
 * The HTTP timeouts with defaults filled in.
 * @throws TypeError naming the setting, for a bad value or a request timeout shorter than the headers timeout.
 */
export function resolveHttpTimeouts(given: Partial<HttpTimeoutSettings> = {}): HttpTimeoutSettings {
  const settings = resolveNumbers('http', DEFAULT_HTTP_TIMEOUTS, given, []);
  for (const key of Object.keys(settings) as (keyof HttpTimeoutSettings)[]) {
    if (settings[key] < 1 || !Number.isInteger(settings[key])) {
      throw new TypeError(`http.${key} must be a whole number of milliseconds ≥ 1`);
    }
  }
  if (settings.requestTimeoutMs < settings.headersTimeoutMs) {
    throw new TypeError('http.requestTimeoutMs must be at least http.headersTimeoutMs');
  }
  return settings;
}

function resolveNumbers<T extends object>(
  group: string,
  defaults: Readonly<T>,
  given: Partial<T>,
  others: (keyof T)[],
): T {
  if (typeof given !== 'object' || given === null) throw new TypeError(`${group} must be an object`);
  const out = { ...defaults };
  for (const [key, value] of Object.entries(given) as [keyof T & string, unknown][]) {
    if (!(key in defaults)) throw new TypeError(`${group}.${key} is not a setting`);
    if (others.includes(key) || value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`${group}.${key} must be a number ≥ 0 (got ${String(value)})`);
    }
    (out as Record<NumericKey<T> & string, number>)[key as NumericKey<T> & string] = value;
  }
  return out;
}
