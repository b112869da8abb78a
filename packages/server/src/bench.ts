/**
 * `@parley/server/bench`: the few server internals the benchmark tool (`@parley/bench`) measures against, and
 * nothing else. The bench's baseline relay must send as the SFU sends (each packet handed to the kernel as
 * soon as it is sealed) and run with the server's garbage-collector setting, and its light publishers send
 * through the same synchronous lookup, so that the ratio of Parley to the relay measures everything else the
 * server does per packet. (Its SRTP is the SFU's too, from `@parley/rtp`.) These are not part of the server's
 * API for applications (the root export), and this entry point loads none of the SFU, signaling or werift, so
 * the relay's process stays as small as the forwarder it stands for.
 */
export { tuneHeapForForwarding } from './heapTuning.js';
export { makeSendsSynchronous } from './sfu/werift/syncUdpSend.js';
