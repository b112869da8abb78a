/**
 * The baseline relay: the thinnest SRTP forwarder the benchmark can compare Parley with. Run as its own
 * process (by baseline.ts, pinned like the server), it receives SRTP on one UDP socket on 127.0.0.1,
 * unprotects each packet with its source's key (AES_CM_128_HMAC_SHA1_80), and for each receiver of that
 * source re-protects it with the receiver's key and sends it. The SRTP is Parley's own contexts
 * (@parley/rtp, the SFU's: one reused cipher, keystream computed ahead, HMAC pads computed once), the
 * cheapest SRTP this runtime has, and its sends leave synchronously as Parley's do (syncUdpSend), so the
 * ratio measures everything else Parley does per packet; its process has Parley's garbage-collector setting.
 * No ICE, no DTLS, no RTCP, no header rewriting, no NACK or keyframe handling: keys are agreed out of band,
 * through these commands on stdin (one JSON line each, one JSON answer line each on the bench's channel,
 * childChannel.ts):
 *   { op: 'source', ssrc, key, salt }        packets of SSRC `ssrc` are protected with this master key/salt (hex)
 *   { op: 'receiver', id, port, key, salt }  receiver `id` listens on 127.0.0.1:`port` and has this key
 *   { op: 'route', ssrc, receiver }          forward SSRC `ssrc` to receiver `id`
 *   { op: 'stats' }                          packets in, out, and refused (unknown SSRC or bad tag)
 */
import { createSocket } from 'node:dgram';
import { SRTP_AES128_CM_HMAC_SHA1_80, SrtpCryptoContext } from '@parley/rtp';
import { answerCommands } from './childChannel.js';
import { makeSendsSynchronous, tuneHeapForForwarding } from './serverParts.js';

/** A command on the relay's stdin. */
export type RelayCommand =
  | { op: 'source'; ssrc: number; key: string; salt: string }
  | { op: 'receiver'; id: number; port: number; key: string; salt: string }
  | { op: 'route'; ssrc: number; receiver: number }
  | { op: 'stats' };

/** The relay's counters. */
export interface RelayStats {
  packetsIn: number;
  packetsOut: number;
  refused: number;
}

/** The relay's answer to a command. */
export type RelayAnswer = { ok: true } | { error: string } | RelayStats;

interface Receiver {
  port: number;
  context: SrtpCryptoContext;
}

// The garbage-collector setting of Parley's server process (it allocates keystream the same way).
tuneHeapForForwarding();

const sources = new Map<number, { context: SrtpCryptoContext; receivers: Receiver[] }>();
const receivers = new Map<number, Receiver>();
let packetsIn = 0;
let packetsOut = 0;
let refused = 0;

const socket = createSocket('udp4');
socket.on('message', (packet) => {
  const ssrc = packet.length >= 12 ? packet.readUInt32BE(8) : 0;
  const source = sources.get(ssrc);
  let plain: Buffer | undefined;
  try {
    plain = source?.context.unprotectRtp(packet);
  } catch {
    // authentication failed
  }
  if (!plain || !source) {
    refused += 1;
    return;
  }
  packetsIn += 1;
  const header = plain.subarray(0, 12);
  const payload = plain.subarray(12);
  for (const r of source.receivers) {
    const stream = r.context.stream(ssrc);
    const out = stream.sealRtp(header, payload) ?? r.context.protectRtpCopy(header, payload, stream);
    socket.send(out, r.port, '127.0.0.1');
    packetsOut += 1;
  }
});
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
// As Parley's forwarding path does: each packet reaches the kernel as soon as it is sealed, no tick per send.
makeSendsSynchronous(socket);

const context = (cmd: { key: string; salt: string }): SrtpCryptoContext =>
  new SrtpCryptoContext(
    SRTP_AES128_CM_HMAC_SHA1_80,
    Buffer.from(cmd.key, 'hex'),
    Buffer.from(cmd.salt, 'hex'),
  );
function handle(cmd: RelayCommand): RelayAnswer {
  switch (cmd.op) {
    case 'source':
      sources.set(cmd.ssrc, { context: context(cmd), receivers: [] });
      return { ok: true };
    case 'receiver':
      receivers.set(cmd.id, { port: cmd.port, context: context(cmd) });
      return { ok: true };
    case 'route': {
      const source = sources.get(cmd.ssrc);
      const receiver = receivers.get(cmd.receiver);
      if (!source || !receiver) return { error: `no source ${cmd.ssrc} or receiver ${cmd.receiver}` };
      source.receivers.push(receiver);
      return { ok: true };
    }
    case 'stats':
      return { packetsIn, packetsOut, refused };
    default:
      return { error: `unknown op ${(cmd as { op: unknown }).op}` };
  }
}
const toBench = answerCommands(
  (cmd) => handle(cmd as RelayCommand),
  () => socket.close(),
);
toBench({ port: socket.address().port, pid: process.pid });
