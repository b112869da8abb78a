/**
 * Gives werift's per-connection option objects copies that share one hidden class with every other transport's.
 *
 * werift builds three option objects per player transport with object spread: the transceiver's
 * (`{ ...options, simulcast }`), the ICE gatherer's (`{ ...resolveIceServerOptions(), iceLite, ... }`) and the ICE
 * connection's (`{ ...defaultOptions, ...options }`). V8 gives an object made by spread its own map (hidden class)
 * and descriptor array once its clone cache gives up, which it does after the first few transports: a heap
 * snapshot of 60 audio players counted ~2.2 KiB per transport in the maps and descriptor arrays of these three
 * objects (22 fields each for the ICE ones). `Object.assign({}, options)` adds the same fields in the same order
 * through the transitions V8 shares from the empty object's map, so every copy with the same fields has one map
 * for all transports (measured after the change: those maps and descriptor arrays are gone, 2.4 KiB less per
 * transport). The copy replaces the original where werift keeps it; werift made each of them fresh for
 * that one holder, reads their fields by name and, when it changes its ICE servers, replaces the ICE
 * connection's object with a new one, so nothing else holds an original.
 */
import type { RTCPeerConnection } from 'werift';
import { optionHoldersOf } from './shapes.js';

/** Replaces the option objects of `pc`'s transceivers and ICE transports with shared-shape copies. */
export function shareOptionShapes(pc: RTCPeerConnection): void {
  for (const holder of optionHoldersOf(pc)) holder.options = Object.assign({}, holder.options);
}
