/**
 * What the bench takes from the server beyond its public API, in one place: the synchronous UDP sends of the
 * SFU and the server's garbage-collector setting, from `@parley/server/bench`, an entry point the server keeps
 * for the bench alone, so that the baseline relay sends and collects garbage as Parley does. (The SRTP both
 * share comes from `@parley/rtp`.)
 */
export { makeSendsSynchronous, tuneHeapForForwarding } from '@parley/server/bench';
