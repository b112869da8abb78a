/**
 * The network lab for end-to-end tests across real topologies (see NetLab.ts and topology.ts). Other
 * packages' tests load it at run time from the server's build, e.g. from packages/web/test:
 * `import type * as Lab from '../../server/test/support/netlab/index.js'` for the types and
 * `await import(new URL('../../../server/dist/test/support/netlab/index.js', import.meta.url).href)` for the
 * code (the compiled test sits one folder deeper than its source).
 */

export { Coturn, type CoturnOptions, type TurnIceServer, type TurnTransport } from './Coturn.js';
export { type LabCertificate, makeCertificate } from './certificate.js';
export type { DropCounters } from './firewall.js';
export { assertIsolated, currentInterfaces, isolationProblem, labSkip, missingForLab } from './isolation.js';
export { JsonLines } from './JsonLines.js';
export { LabHost } from './LabHost.js';
export { allocateRelay, LabPeer } from './LabPeer.js';
export { NetLab, type NetLabOptions, type NetLabTimings } from './NetLab.js';
export { type RunOptions, type RunResult, run } from './run.js';
export { ADDRESSES, HOST_NAMES, type HostName, inBenchmarkRange } from './topology.js';
export type { TurnAllocateConfig } from './turnAllocate.js';
export type { WeriftPeerConfig } from './weriftPeer.js';
