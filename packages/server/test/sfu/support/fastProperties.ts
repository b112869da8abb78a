/**
 * Whether V8 keeps an object's properties in fast mode (a hidden class shared with objects built the same
 * way), not in a dictionary of its own: what werift's objects lose when one of their fields is redefined as
 * an accessor (methodHooks.ts). Reads V8's own answer through its natives syntax, enabled for this process.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--allow-natives-syntax');
const check = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

export function hasFastProperties(o: object): boolean {
  return check(o);
}
