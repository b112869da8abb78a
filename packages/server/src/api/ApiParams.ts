/**
 * The parameters of one server API request, read from the query string and the body (form-encoded or JSON), as
 * ZEGO's server API takes them: arrays repeat their name (`UserId[]=a&UserId[]=b`; `UserId=a&UserId=b` too), a
 * JSON body gives them as arrays. Names are kept as sent, without the `[]`.
 */
import type { IncomingMessage } from 'node:http';
import { ApiCode, ApiError } from './apiCodes.js';

/** Largest request body read (a message content is at most a few KB; a page of user IDs less). */
export const MAX_API_BODY_BYTES = 64 * 1024;

export class ApiParams {
  private constructor(private readonly values: Map<string, string[]>) {}

  /** Parameters from a URL query (or a form body). */
  static fromSearch(search: URLSearchParams, into = new Map<string, string[]>()): ApiParams {
    for (const [rawName, value] of search) add(into, rawName, value);
    return new ApiParams(into);
  }

  /** The request's parameters: its query, then its body for a POST. Throws ApiError for an unreadable body. */
  static async read(req: IncomingMessage, url: URL): Promise<ApiParams> {
    const values = new Map<string, string[]>();
    ApiParams.fromSearch(url.searchParams, values);
    if (req.method !== 'POST') return new ApiParams(values);
    const body = await readBody(req);
    if (body.length === 0) return new ApiParams(values);
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type.includes('json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ApiError(ApiCode.BODY_UNREADABLE, 'the body is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ApiError(ApiCode.BODY_UNREADABLE, 'the JSON body must be an object of parameters');
      }
      for (const [name, value] of Object.entries(parsed)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
            add(values, name, String(item));
          } else {
            throw new ApiError(
              ApiCode.INPUT_PARAMETER,
              `${name} must be a string, a number or an array of them`,
            );
          }
        }
      }
      return new ApiParams(values);
    }
    return ApiParams.fromSearch(new URLSearchParams(body), values);
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  /** Every value of `name` (none: an empty list). */
  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  /** The value of `name`, or ApiError 2 naming it. */
  required(name: string): string {
    const value = this.get(name);
    if (value === undefined || value === '')
      throw new ApiError(ApiCode.INPUT_PARAMETER, `${name} is required`);
    return value;
  }

  /** An integer parameter in [min, max]; `fallback` when absent. */
  integer(name: string, min: number, max: number, fallback: number): number {
    const raw = this.get(name);
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ApiError(ApiCode.INPUT_PARAMETER, `${name} must be an integer from ${min} to ${max}`);
    }
    return value;
  }
}

function add(into: Map<string, string[]>, rawName: string, value: string): void {
  const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName;
  const list = into.get(name);
  if (list) list.push(value);
  else into.set(name, [value]);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_API_BODY_BYTES) {
      throw new ApiError(ApiCode.BODY_UNREADABLE, `the body is larger than ${MAX_API_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
