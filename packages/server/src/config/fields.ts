/**
 * The kinds of value a setting can have, as zod schemas whose every failure reads "must …" (so a message can be
 * prefixed with where the value came from and its key), each with a short `type` text for the documentation.
 */
import { isIP, isIPv4 } from 'node:net';
import { z } from 'zod';
import { parseAddressRange } from '../signaling/clientAddress.js';

/** What a setting's metadata holds besides zod's `description`. */
export interface SettingMeta {
  /** The value's kind in a few words, for the documentation (`integer 0..65535`). */
  type?: string;
  /** The value is a file path: the CLI takes it relative to the config file that names it. */
  file?: boolean;
}

/**
 * A group of settings: an object with exactly the keys of `shape`.
 * @example
 * export const limitsSchema = group({ maxRooms: positive('rooms').default(1000).describe('…') }).prefault({});
 */
export function group<const S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, { error: because('must be an object of settings') });
}

/** A message that says "is missing" for an absent value and `problem` otherwise. */
function because(problem: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is missing' : problem);
}

/** An integer in `min..max`. */
export function integer(min: number, max: number, type = `integer ${min}..${max}`) {
  const problem = `must be an integer in ${min}..${max}`;
  return z
    .int({ error: because(problem) })
    .min(min, { error: problem })
    .max(max, { error: problem })
    .meta({ type });
}

/** A duration in whole milliseconds, at least `min`. */
export function milliseconds(min: number) {
  const problem = `must be an integer number of milliseconds ≥ ${min}`;
  return z
    .int({ error: because(problem) })
    .min(min, { error: problem })
    .max(Number.MAX_SAFE_INTEGER, { error: problem })
    .meta({ type: `integer ≥ ${min} (ms)` });
}

/** A positive rate or count, at least 1. */
export function positive(unit: string) {
  const problem = `must be an integer ≥ 1 (${unit})`;
  return z
    .int({ error: because(problem) })
    .min(1, { error: problem })
    .max(Number.MAX_SAFE_INTEGER, { error: problem })
    .meta({ type: `integer ≥ 1 (${unit})` });
}

/** A rate that may be fractional (`0.5` per second), or 0 for "no limit". */
export function rateOrOff(unit: string) {
  const problem = `must be a number ≥ 0 (${unit}; 0 turns the limit off)`;
  return z
    .number({ error: because(problem) })
    .min(0, { error: problem })
    .max(1e9, { error: problem })
    .meta({ type: `number ≥ 0 (${unit}), 0 = off` });
}

/** A count, or 0 for "no limit". */
export function countOrOff(unit: string) {
  return integer(0, 1e9, `integer ≥ 0 (${unit}), 0 = off`);
}

/** A non-empty string. */
export function text(type = 'string') {
  const problem = 'must be a non-empty string';
  return z
    .string({ error: because(problem) })
    .trim()
    .min(1, { error: problem })
    .meta({ type });
}

/** One of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: because(`must be one of ${values.join(', ')}`) }).meta({
    type: values.map((v) => `\`${v}\``).join(', '),
  });
}

/** An IPv4 or IPv6 address (no host name: candidates carry addresses). */
export function ipAddress() {
  return z
    .string({ error: because('must be an IP address') })
    .refine((v) => isIP(v) !== 0, { error: (issue) => `must be an IP address (got ${show(issue.input)})` })
    .meta({ type: 'IP address' });
}

/** An IPv4 address. */
export function ipv4Address() {
  return z
    .string({ error: because('must be an IPv4 address') })
    .refine((v) => isIPv4(v), { error: (issue) => `must be an IPv4 address (got ${show(issue.input)})` })
    .meta({ type: 'IPv4 address' });
}

/** A list of IP addresses, each at most once. */
export function ipAddressList() {
  return z
    .array(ipAddress(), { error: because('must be a list of IP addresses') })
    .refine((list) => new Set(list).size === list.length, { error: 'must not list an address twice' })
    .meta({ type: 'list of IP addresses' });
}

/** A list of addresses or CIDR ranges (`"10.0.0.0/8"`). */
export function addressRangeList() {
  return z
    .array(
      z.string().refine((v) => parseAddressRange(v) !== null, {
        error: (issue) => `must list addresses or CIDR ranges (got ${show(issue.input)})`,
      }),
      { error: because('must be a list of addresses or CIDR ranges') },
    )
    .meta({ type: 'list of addresses or CIDR ranges' });
}

/** Lowest port of a media port range: ports below 1024 are privileged and never meant for media. */
export const MIN_MEDIA_PORT = 1024;

/**
 * An inclusive UDP port range, written `"A-B"` (or `[A, B]` in code), with 1024 ≤ A ≤ B ≤ 65535.
 * The resolved value is the pair.
 */
export function portRange() {
  const problem = `must be "A-B" with ${MIN_MEDIA_PORT} ≤ A ≤ B ≤ 65535`;
  return z
    .union([z.string(), z.tuple([z.int(), z.int()])], { error: because(problem) })
    .transform((value, ctx): [number, number] => {
      const written = typeof value === 'string' ? /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(value) : null;
      if (typeof value === 'string' && written === null) {
        ctx.addIssue({ code: 'custom', message: `${problem} (got ${show(value)})` });
        return z.NEVER;
      }
      const [low, high] =
        written === null ? (value as [number, number]) : [Number(written[1]), Number(written[2])];
      if (!(low >= MIN_MEDIA_PORT && low <= high && high <= 65535)) {
        const why = low > high ? `: ${low}-${high} is reversed` : ` (got ${low}-${high})`;
        ctx.addIssue({ code: 'custom', message: problem + why });
        return z.NEVER;
      }
      return [low, high];
    })
    .meta({ type: `"A-B", ${MIN_MEDIA_PORT} ≤ A ≤ B ≤ 65535` });
}

/** The path of a PEM file; read when the server starts. */
export function pemFile() {
  return text('path of a PEM file').meta({ type: 'path of a PEM file', file: true });
}

/** A list of `turn:` / `turns:` URLs (RFC 7065): `turn:host[:port][?transport=udp|tcp]`. */
export function turnUrls() {
  const problem = 'must be a turn: or turns: URL such as turn:turn.example.org:3478?transport=udp';
  const url = z
    .string({ error: because(problem) })
    .refine((v) => /^turns?:(\[[0-9a-fA-F:.]+\]|[^\s:?/@[\]]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/.test(v), {
      error: (issue) => `${problem} (got ${show(issue.input)})`,
    });
  return z.array(url, { error: because('must be a list of turn: or turns: URLs') }).meta({
    type: 'list of `turn:`/`turns:` URLs',
  });
}

/** A value as a message shows it: strings quoted, other kinds by their type. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return JSON.stringify(value);
  }
  return Array.isArray(value) ? 'a list' : typeof value;
}
