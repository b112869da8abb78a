/**
 * What the per-address limits and the HTTP server's timeouts need to know. Their defaults, checks and
 * documentation are the `limits` and `http` groups of the settings schema (config/schema.ts), whose resolved
 * values satisfy these interfaces; the signaling layer does not import the configuration.
 *
 * The defaults are meant for a server reached directly by its clients, where one address is one host or one
 * office behind NAT. Behind a reverse proxy every client has the proxy's address: name the proxy in
 * `trustedProxies` so the limits apply to the address it forwards for.
 */

/** Limits per client address (IPv4 address, or IPv6 /64). A numeric limit of 0 turns that limit off. */
export interface AddressLimitSettings {
  /** Open signaling sockets per address; one more is closed at once with 1013 (try again later). */
  socketsPerAddress: number;
  /**
   * Sockets per address that have not logged in or resumed a session yet; one more is closed with 1013. With
   * `loginTimeoutMs` this bounds how many idle sockets an address can hold.
   */
  preLoginSocketsPerAddress: number;
  /**
   * Frames per second from one address, over all its sockets (bursts of twice as many). Beyond it frames are
   * refused like a socket's own flood: a 1009015 error, and the socket closed with 1008 if it keeps on.
   */
  framesPerSecondPerAddress: number;
  /** Login requests per second from one address (bursts of twice as many); more are answered 1002071. */
  loginsPerSecondPerAddress: number;
  /**
   * Failed logins in a row (wrong AppID, AppSign or token) from one address before it is locked out. Each
   * further failure doubles the lockout, up to `loginBackoffMaxMs`; a successful login ends it. Logins during a
   * lockout are answered 1002071 without being checked.
   */
  loginFailuresBeforeBackoff: number;
  /** The first lockout. */
  loginBackoffMs: number;
  /** The longest lockout. */
  loginBackoffMaxMs: number;
  /** An address's failures are forgotten after this long without a new one. */
  loginFailureMemoryMs: number;
  /**
   * Addresses remembered at most. Addresses with open sockets are always kept; beyond this many, the idle ones
   * seen longest ago are forgotten first, so a flood of addresses cannot grow memory without bound.
   */
  maxTrackedAddresses: number;
  /**
   * Reverse proxies (addresses or CIDR ranges, e.g. `"10.0.0.0/8"`) whose `X-Forwarded-For` is believed: a
   * socket from one of them is counted under the right-most forwarded address that is not itself a trusted
   * proxy.
   */
  trustedProxies: string[];
}

/** Timeouts of the HTTP server, which bound slow clients (slowloris) before a socket becomes a WebSocket. */
export interface HttpTimeoutSettings {
  /**
   * Time a connection has to send a complete request head, counted from its opening or its previous request.
   * This bounds WebSocket upgrade requests too: a pending upgrade is answered 408 and closed.
   */
  headersTimeoutMs: number;
  /** Time a connection has to send a complete request, body included. At least `headersTimeoutMs`. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept after a response. */
  keepAliveTimeoutMs: number;
}
