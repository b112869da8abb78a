/**
 * Why a pipe end closed.
 * - `closed`: its owner closed it (`close()`).
 * - `remoteClosed`: the other node closed its end (RTCP BYE).
 * - `inactive`: nothing heard from the other node for the pipe inactivity timeout (a node or link gone).
 * - `timeout`: a pipe-in was not connected (no answer) within the connect timeout.
 * - `replaced`: a pipe-in whose stream key got a newer source; a pipe-out whose pipe ID was opened again.
 * - `sourceClosed`: a pipe-out whose stream's tracks all closed (the publisher left without a successor).
 * - `sourceChanged`: a pipe-out whose restarted publisher sends another codec: the remote must reopen.
 * - `failed`: setting it up failed.
 * - `routerClosed`: the SFU router closed.
 */
export type PipeCloseReason =
  | 'closed'
  | 'remoteClosed'
  | 'inactive'
  | 'timeout'
  | 'replaced'
  | 'sourceClosed'
  | 'sourceChanged'
  | 'failed'
  | 'routerClosed';
