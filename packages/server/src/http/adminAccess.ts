/**
 * Who may read the server's operator endpoints (`/metrics`, and the server API): the settings `http.adminAllow`
 * (addresses and CIDR ranges) and `http.adminToken` (a bearer token). Both apply when both are set.
 * Without `http.adminAllow`, only loopback may ask — unless a token is set, which then is the protection and
 * any address may ask with it. The address is the client's: behind a trusted reverse proxy
 * (`limits.trustedProxies`) the one it forwards for, so a proxy on the same host does not make the world local.
 *
 * The server API is signed with each app's secret, so it is open by default and never asks for the token (ZEGO's
 * clients cannot send one); only an explicit `http.adminAllow` limits it, to the same addresses as `/metrics`
 * ({@link AdminAccess.apiAllowed}).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { forwardedAddress, parseAddressRange, TrustedProxies, unmapped } from '../signaling/clientAddress.js';

export interface AdminAccessSettings {
  /** A bearer token the requests must carry (`Authorization: Bearer …`); none when undefined. */
  adminToken?: string | undefined;
  /** Addresses and CIDR ranges allowed; undefined for the default (see the file comment). */
  adminAllow?: readonly string[] | undefined;
  /** Reverse proxies whose `X-Forwarded-For` is believed. */
  trustedProxies: readonly string[];
}

/** Why a request is refused: its address is not allowed (403), or it lacks the token (401). */
export type AdminVerdict = 'allowed' | 'address' | 'token';

const LOOPBACK = ['127.0.0.0/8', '::1'];

/** The access rule, compiled once from the settings. */
export class AdminAccess {
  private readonly allow: BlockList | null;
  /** `http.adminAllow` as given: null when it was not set (then the server API is open to any address). */
  private readonly explicitAllow: BlockList | null;
  private readonly proxies: TrustedProxies;
  private readonly tokenDigest: Buffer | null;

  /** @throws TypeError for an entry of `adminAllow` or `trustedProxies` that is no address or range. */
  constructor(settings: AdminAccessSettings) {
    this.proxies = new TrustedProxies(settings.trustedProxies);
    this.tokenDigest = settings.adminToken === undefined ? null : digest(settings.adminToken);
    const ranges = settings.adminAllow ?? (settings.adminToken === undefined ? LOOPBACK : null);
    this.allow = ranges === null ? null : blockList(ranges);
    this.explicitAllow = settings.adminAllow === undefined ? null : this.allow;
  }

  /** Whether `req` may use the server API: true unless `http.adminAllow` is set and excludes its address. */
  apiAllowed(req: IncomingMessage): boolean {
    return this.explicitAllow === null || this.addressIn(req, this.explicitAllow);
  }

  /** The verdict on `req`: its address first, then its token. */
  check(req: IncomingMessage): AdminVerdict {
    if (this.allow && !this.addressIn(req, this.allow)) return 'address';
    if (this.tokenDigest) {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      // Compared as digests of equal length, in constant time, so the comparison tells nothing of the token.
      if (!match || !timingSafeEqual(digest(match[1]!), this.tokenDigest)) return 'token';
    }
    return 'allowed';
  }

  private addressIn(req: IncomingMessage, list: BlockList): boolean {
    const address = unmapped(forwardedAddress(req, this.proxies));
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Whether `req` may use the operator endpoints. */
export function adminAllowed(req: IncomingMessage, access: AdminAccess): boolean {
  return access.check(req) === 'allowed';
}

/**
 * Answers `req` with its refusal and returns false, or returns true (and answers nothing) when it is allowed.
 * A refusal says only why, never anything of what was asked for.
 */
export function admitAdmin(req: IncomingMessage, res: ServerResponse, access: AdminAccess): boolean {
  const verdict = access.check(req);
  if (verdict === 'allowed') return true;
  const [status, body, headers] =
    verdict === 'address'
      ? [403, { error: 'not allowed from this address (see http.adminAllow)' }, {}]
      : [
          401,
          { error: 'a bearer token is required (see http.adminToken)' },
          { 'www-authenticate': 'Bearer' },
        ];
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
  return false;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function blockList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of ranges) {
    const range = parseAddressRange(entry);
    if (range === null)
      throw new TypeError(`http.adminAllow: ${JSON.stringify(entry)} is not an address or range`);
    const type = range.family === 4 ? 'ipv4' : 'ipv6';
    if (range.bits === null) list.addAddress(range.address, type);
    else list.addSubnet(range.address, range.bits, type);
  }
  return list;
}
