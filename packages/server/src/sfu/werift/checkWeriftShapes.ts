/**
 * The start-up check that werift still has every private shape the SFU relies on (shapes.ts). It builds
 * werift's objects without any I/O — a peer connection with one transceiver (no description set, so nothing
 * gathers and no socket opens), a candidate pair over a parsed candidate, SRTP sessions over zero keys — and
 * looks for each field and method by name. A werift upgrade that renamed one then stops the server at once
 * with the version and the missing shapes, instead of failing later as lost media or a silent slow path.
 *
 * One shape is left to the tests: the fields of the UDP transport under a nominated pair (`type`, `socket`,
 * `closed`), because werift's `UdpTransport` opens its socket in its constructor and its class text differs
 * between werift's CommonJS and ESM builds. sendOnPair falls back to werift's own send when they are not
 * there (correct, one tick slower), and test/sfu/weriftShapes.test.ts pins them on a live connection.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  Candidate,
  CandidatePair,
  DtlsServer,
  RTCPeerConnection,
  SrtcpSession,
  SrtpAuthenticationError,
  SrtpSession,
  StunProtocol,
} from 'werift';
import { pairHookProblems } from './pairHooks.js';
import { hookedMethodProblems } from './senderFields.js';
import { DTLS_CHECKED, DTLS_COUNTERS, SENDER_CHECKED, SENDER_COUNTERS } from './shapes.js';

/** The werift version Parley is built and tested against (pinned in packages/server/package.json). */
export const TESTED_WERIFT_VERSION = '0.25.2';

/** What a shape's value must be; `present` accepts any value, undefined included, of a declared key. */
type Kind = 'number' | 'boolean' | 'string' | 'function' | 'object' | 'array' | 'present';

/** werift objects built for the check; tests pass doctored ones to see a missing shape reported. */
export interface WeriftShapeSubjects {
  transceiver: object;
  sender: object;
  receiver: object;
  peer: object;
  dtls: object;
  ice: object;
  pair: object;
  protocol: object;
  srtpSession: object;
  srtcpSession: object;
  dtlsServer: object;
}

/** werift lacks shapes the SFU relies on. */
export class WeriftShapeError extends Error {
  override readonly name = 'WeriftShapeError';

  constructor(
    readonly version: string,
    readonly problems: readonly string[],
  ) {
    super(
      `werift ${version} lacks what Parley's SFU relies on (tested with werift ${TESTED_WERIFT_VERSION}; ` +
        `see packages/server/src/sfu/werift/shapes.ts): ${problems.join('; ')}`,
    );
  }
}

/** The version of the werift package this process loads, or 'unknown'. */
export function installedWeriftVersion(): string {
  try {
    // werift's exports map hides its package.json: find it above the module's entry point.
    let dir = dirname(createRequire(import.meta.url).resolve('werift'));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === 'werift' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // no package.json here: look further up
      }
      const parent = dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  } catch {
    return 'unknown';
  }
}

/** Builds the objects to inspect; `dispose()` closes the throwaway peer connection. */
export function weriftShapeSubjects(): { subjects: WeriftShapeSubjects; dispose(): Promise<void> } {
  const pc = new RTCPeerConnection({ iceUseIpv6: false });
  const transceiver = pc.addTransceiver('audio', { direction: 'sendonly' });
  const dtls = transceiver.dtlsTransport;
  const protocol = new StunProtocol();
  const candidate = Candidate.fromSdp('candidate:1 1 udp 2130706431 127.0.0.1 9 typ host');
  const config = {
    keys: {
      localMasterKey: Buffer.alloc(16),
      localMasterSalt: Buffer.alloc(14),
      remoteMasterKey: Buffer.alloc(16),
      remoteMasterSalt: Buffer.alloc(14),
    },
    profile: 1,
  };
  return {
    subjects: {
      transceiver,
      sender: transceiver.sender,
      receiver: transceiver.receiver,
      peer: pc,
      dtls,
      ice: dtls.iceTransport.connection,
      pair: new CandidatePair(protocol, candidate, false),
      protocol,
      srtpSession: new SrtpSession(config),
      srtcpSession: new SrtcpSession(config),
      // A DTLS server over a socket stand-in that only takes its data handler: it sends nothing until a
      // ClientHello comes, and without a certificate it parses no key.
      dtlsServer: new DtlsServer({ transport: {} } as unknown as ConstructorParameters<typeof DtlsServer>[0]),
    },
    dispose: () => pc.close().catch(() => {}),
  };
}

/** Each shape: the object it is on, the path to it, what it must be. */
const SHAPES: readonly [keyof WeriftShapeSubjects, string, Kind][] = [
  // The option objects shareOptionShapes copies: the transceiver's, the ICE gatherer's and connection's.
  ['transceiver', 'options', 'object'],
  ['transceiver', 'dtlsTransport.iceTransport.iceGather.options', 'object'],
  ['transceiver', 'dtlsTransport.iceTransport.connection.options', 'object'],
  // RTCRtpSender: FastRtpSender, SenderReports.
  ['sender', 'stopped', 'boolean'],
  ['sender', 'ssrc', 'number'],
  ['sender', 'cname', 'present'],
  ['sender', 'dtlsTransport', 'present'],
  ['sender', 'headerExtensions', 'present'],
  ['sender', 'redRedundantPayloadType', 'present'],
  ['sender', 'seqOffset', 'number'],
  ['sender', 'timestampOffset', 'number'],
  ['sender', 'rtpContinuityPending', 'boolean'],
  ['sender', 'sequenceNumber', 'present'],
  ['sender', 'timestamp', 'present'],
  ['sender', 'octetCount', 'number'],
  ['sender', 'packetCount', 'number'],
  ['sender', 'headerBytesSent', 'number'],
  ['sender', 'retransmittedPacketsSent', 'number'],
  ['sender', 'retransmittedBytesSent', 'number'],
  ['sender', 'lastSRtimestamp', 'present'],
  ['sender', 'lastSentSRTimestamp', 'present'],
  ['sender', 'runRtcp', 'function'],
  // RTCRtpSender: what a receiver report updates (reportsInMux).
  ['sender', 'remotePacketsLost', 'present'],
  ['sender', 'remoteFractionLost', 'present'],
  ['sender', 'rtt', 'present'],
  ['sender', 'totalRoundTripTime', 'number'],
  ['sender', 'roundTripTimeMeasurements', 'number'],
  // SDPManager: dropDescriptions (the negotiated descriptions, and the pending ones it checks first).
  ['peer', 'sdpManager.currentLocalDescription', 'present'],
  ['peer', 'sdpManager.currentRemoteDescription', 'present'],
  ['peer', 'sdpManager.pendingLocalDescription', 'present'],
  ['peer', 'sdpManager.pendingRemoteDescription', 'present'],
  // RtpRouter, RTCRtpReceiver, the remote track, the receive counters: receiveInMux.
  ['peer', 'router.ssrcTable', 'object'],
  ['receiver', 'stopped', 'boolean'],
  ['receiver', 'codecs', 'object'],
  ['receiver', 'trackBySSRC', 'object'],
  ['receiver', 'remoteStreams', 'object'],
  ['receiver', 'receiverTWCC', 'present'],
  ['receiver', 'nackEnabled', 'present'],
  ['receiver', 'twccEnabled', 'present'],
  ['receiver', 'rtcpRunning', 'boolean'],
  ['receiver', 'nack.addPacket', 'function'],
  ['receiver', 'track.kind', 'string'],
  ['receiver', 'track.onReceiveRtp.execute', 'function'],
  ['dtls', 'bytesReceived', 'number'],
  ['dtls', 'packetsReceived', 'number'],
  ['pair', 'packetsReceived', 'number'],
  ['pair', 'bytesReceived', 'number'],
  // RTCDtlsTransport: Transport (profiles), weriftSrtp, FastRtpSender, SenderReports.
  ['dtls', 'srtpProfiles', 'array'],
  ['dtls', 'srtp', 'present'],
  ['dtls', 'srtcp', 'present'],
  ['dtls', 'srtpStarted', 'boolean'],
  ['dtls', 'state', 'string'],
  ['dtls', 'bytesSent', 'number'],
  ['dtls', 'packetsSent', 'number'],
  ['dtls', 'onStateChange.subscribe', 'function'],
  ['dtls', 'onRtcp.execute', 'function'],
  ['dtls', 'iceTransport.connection', 'object'],
  // RTCDtlsTransport: earlyDtls (the role), unpoolHandshake (the session, undefined until the handshake).
  ['dtls', 'role', 'string'],
  ['dtls', 'dtls', 'present'],
  // ICE Connection: sendOnPair, PairRoute, followNomination, connectOnFirstCheck, answerChecks.
  ['ice', 'iceLite', 'boolean'],
  ['ice', 'nominated', 'present'],
  ['ice', 'send', 'function'],
  ['ice', 'canSendApplicationData', 'function'],
  ['ice', 'checkComplete', 'function'],
  ['ice', 'checkIncoming', 'function'],
  ['ice', 'checkList', 'array'],
  ['ice', 'stateChanged.subscribe', 'function'],
  // ICE Connection: the UDP mux's credentials (registerIce), earlyDtls's data event.
  ['ice', 'localUsername', 'string'],
  ['ice', 'localPassword', 'string'],
  ['ice', 'userHistory', 'object'],
  ['ice', 'protocols', 'array'],
  ['ice', 'onData.subscribe', 'function'],
  ['ice', 'onData.execute', 'function'],
  // CandidatePair and its protocol: sendOnPair, followNomination.
  ['pair', 'protocol', 'object'],
  ['pair', 'remoteCandidate.host', 'string'],
  ['pair', 'remoteCandidate.port', 'number'],
  ['pair', 'packetsSent', 'number'],
  ['pair', 'bytesSent', 'number'],
  ['pair', 'nominated', 'boolean'],
  ['pair', 'remoteNominated', 'boolean'],
  ['pair', 'state', 'number'],
  // CandidatePair: answerChecks (the check counters werift's checkIncoming keeps).
  ['pair', 'requestsReceived', 'number'],
  ['pair', 'responsesSent', 'number'],
  ['protocol', 'transport', 'present'],
  // SrtpSession / SrtcpSession: @parley/werift-srtp (keys, and the per-SSRC state carried over).
  ['srtpSession', 'config.keys.localMasterKey', 'object'],
  ['srtpSession', 'config.keys.localMasterSalt', 'object'],
  ['srtpSession', 'config.keys.remoteMasterKey', 'object'],
  ['srtpSession', 'config.keys.remoteMasterSalt', 'object'],
  ['srtpSession', 'config.profile', 'number'],
  ['srtpSession', 'localContext.srtpSSRCStates', 'object'],
  ['srtpSession', 'remoteContext.srtpSSRCStates', 'object'],
  ['srtpSession', 'encrypt', 'function'],
  ['srtpSession', 'decrypt', 'function'],
  ['srtcpSession', 'localContext.srtcpSSRCStates', 'object'],
  ['srtcpSession', 'remoteContext.srtcpSSRCStates', 'object'],
  ['srtcpSession', 'encrypt', 'function'],
  ['srtcpSession', 'decrypt', 'function'],
  // DtlsServer: trimHandshake (what a connected server keeps of its handshake, and what it drops).
  ['dtlsServer', 'connected', 'boolean'],
  ['dtlsServer', 'extensions', 'array'],
  ['dtlsServer', 'flight6', 'present'],
  ['dtlsServer', 'dtls.flight', 'number'],
  ['dtlsServer', 'dtls.handshakeCache', 'object'],
  ['dtlsServer', 'dtls.lastMessage', 'array'],
  ['dtlsServer', 'dtls.checkHandshakesExist', 'function'],
  ['dtlsServer', 'cipher.localPrivateKey', 'present'],
  ['dtlsServer', 'cipher.localKeyPair', 'present'],
  ['dtlsServer', 'cipher.remoteKeyPair', 'present'],
  ['dtlsServer', 'renegotiation', 'function'],
];

/** The class each subject is, for the messages. */
const CLASS_OF: Record<keyof WeriftShapeSubjects, string> = {
  transceiver: 'RTCRtpTransceiver',
  sender: 'RTCRtpSender',
  receiver: 'RTCRtpReceiver',
  peer: 'RTCPeerConnection',
  dtls: 'RTCDtlsTransport',
  ice: 'ice Connection',
  pair: 'CandidatePair',
  protocol: 'StunProtocol',
  srtpSession: 'SrtpSession',
  srtcpSession: 'SrtcpSession',
  dtlsServer: 'DtlsServer',
};

/** The shapes missing from `subjects`, one line each (`RTCRtpSender.packetCount: number`); empty if none. */
export function weriftShapeProblems(subjects: WeriftShapeSubjects): string[] {
  const problems: string[] = [];
  for (const [subject, path, kind] of SHAPES) {
    if (!has(subjects[subject], path, kind)) problems.push(`${CLASS_OF[subject]}.${path}: ${kind}`);
  }
  // The state a context keeps per SSRC, as the carry-over reads it.
  const context = (subjects.srtpSession as { localContext?: Record<string, unknown> }).localContext;
  const srtpState = callIfFunction(context?.['getSrtpSsrcState'], context, 1);
  for (const field of ['rolloverCounter', 'lastSequenceNumber']) {
    if (!has(srtpState, field, 'number')) problems.push(`SrtpSession per-SSRC state.${field}: number`);
  }
  const rtcpContext = (subjects.srtcpSession as { localContext?: Record<string, unknown> }).localContext;
  const srtcpState = callIfFunction(rtcpContext?.['getSrtcpSsrcState'], rtcpContext, 1);
  if (!has(srtcpState, 'srtcpIndex', 'number'))
    problems.push('SrtcpSession per-SSRC state.srtcpIndex: number');
  if (typeof SrtpAuthenticationError !== 'function') problems.push('SrtpAuthenticationError: function');
  // The fields senderFields.ts counts beside werift and reads from it: own data properties, written and read
  // only by the werift methods it hooks.
  for (const field of [...SENDER_COUNTERS, ...SENDER_CHECKED]) {
    if (!isOwnDataField(subjects.sender, field)) problems.push(`RTCRtpSender.${field}: own data property`);
  }
  for (const field of [...DTLS_COUNTERS, ...DTLS_CHECKED]) {
    if (!isOwnDataField(subjects.dtls, field)) problems.push(`RTCDtlsTransport.${field}: own data property`);
  }
  problems.push(...hookedMethodProblems(), ...pairHookProblems());
  return problems;
}

/** Whether `target[name]` is an own data property (not an accessor). */
function isOwnDataField(target: object, name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(target, name);
  return d !== undefined && 'value' in d;
}

/**
 * Throws {@link WeriftShapeError} naming the werift version and every missing shape, if any is missing from
 * `subjects` (by default, werift objects built for the check and released after it).
 */
export function checkWeriftShapes(subjects?: WeriftShapeSubjects): void {
  let problems: string[];
  if (subjects) problems = weriftShapeProblems(subjects);
  else {
    const built = weriftShapeSubjects();
    try {
      problems = weriftShapeProblems(built.subjects);
    } finally {
      void built.dispose();
    }
  }
  if (problems.length > 0) throw new WeriftShapeError(installedWeriftVersion(), problems);
}

let verified = false;

/** {@link checkWeriftShapes} once per process: the SFU router calls it when it starts. */
export function ensureWeriftShapes(): void {
  if (verified) return;
  checkWeriftShapes();
  verified = true;
}

/** Whether `root` has `path` (dotted) whose value is of `kind`. */
function has(root: unknown, path: string, kind: Kind): boolean {
  let value: unknown = root;
  const keys = path.split('.');
  for (let i = 0; i < keys.length; i++) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
    const key = keys[i]!;
    if (!(key in value)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  switch (kind) {
    case 'present':
      return true;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null;
    default:
      return typeof value === kind;
  }
}

function callIfFunction(f: unknown, self: unknown, arg: number): unknown {
  return typeof f === 'function' ? (f as (this: unknown, a: number) => unknown).call(self, arg) : undefined;
}
