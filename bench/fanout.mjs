/**
 * Fan-out capacity: one publisher sends numbered RTP packets (Opus payload type, 160 bytes) at a stepped rate
 * to N players through a Parley server running in its own process (pinned to CPU 0; run this script pinned to
 * CPU 1: `taskset -c 1 node bench/fanout.mjs`). Every player counts the distinct packet numbers it receives;
 * loss is what never arrived. Reports, per step, the packets/s the server forwarded, the loss, and the server's
 * CPU time per forwarded packet. Usage: node bench/fanout.mjs [players=50] [rates=50,100,200,400] [seconds=4]
 */
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { generateToken04 } from '../packages/token/dist/src/index.js';
import { APP, startServerProcess } from './lib/serverProcess.mjs';
import { connect } from './lib/signal.mjs';

const players = Number(process.argv[2] ?? 50);
const rates = (process.argv[3] ?? '50,100,200,400').split(',').map(Number);
const seconds = Number(process.argv[4] ?? 4);

const server = await startServerProcess({
  cpu: 0,
  options: { media: { maxPlayersPerStream: players + 10 } },
});
const token = (u) => generateToken04(APP.appID, u, APP.serverSecret, 3600, '');
const opus = () => [
  new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 }),
];
const peerConfig = (stunUrl) => ({
  iceServers: [{ urls: stunUrl }],
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  bundlePolicy: 'max-bundle',
  codecs: { audio: opus(), video: [] },
});
const connected = (pc) =>
  new Promise((resolve) => {
    if (pc.connectionState === 'connected') resolve();
    pc.connectionStateChange.subscribe((s) => s === 'connected' && resolve());
  });

async function login(userID) {
  const c = await connect(server.url);
  await c.request('login', {
    appID: APP.appID,
    roomID: 'fanout',
    user: { userID, userName: userID },
    auth: { kind: 'token', token: token(userID) },
    config: { userUpdate: false, maxMemberCount: 0 },
  });
  return c;
}

// The publisher.
const pubSignal = await login('pub');
const pub = new RTCPeerConnection(peerConfig(pubSignal.hello.iceServers[0]));
const transceiver = pub.addTransceiver('audio', { direction: 'sendonly' });
await pub.setLocalDescription(await pub.createOffer());
const { sdp: answer } = await pubSignal.request('publish', {
  roomID: 'fanout',
  streamID: 'fan',
  sdp: pub.localDescription.sdp,
});
await pub.setRemoteDescription({ type: 'answer', sdp: answer });
await connected(pub);
let seq = 0;
let ts = 0;
let counter = 0;
const send = () => {
  counter += 1;
  const payload = Buffer.alloc(160, 0xab);
  payload.writeUInt32BE(counter, 0);
  const header = new RtpHeader({
    payloadType: 111,
    sequenceNumber: seq,
    timestamp: ts,
    marker: false,
    ssrc: transceiver.sender.ssrc,
  });
  seq = (seq + 1) & 0xffff;
  ts = (ts + 960) >>> 0;
  void transceiver.sender.sendRtp(new RtpPacket(header, payload));
};
send(); // media flows: the stream is announced and playable

// The players.
const seen = [];
const peers = [];
for (let i = 0; i < players; i++) {
  const s = await login(`p${i}`);
  const pc = new RTCPeerConnection(peerConfig(s.hello.iceServers[0]));
  const got = new Set();
  seen.push(got);
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((p) => got.add(p.payload.readUInt32BE(0))));
  const { sdp: offer } = await s.request('play', { streamID: 'fan' });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await s.request('playAnswer', { streamID: 'fan', sdp: pc.localDescription.sdp });
  await connected(pc);
  peers.push({ pc, s });
  process.stdout.write(`\rplayers connected: ${i + 1}/${players}`);
}
process.stdout.write('\n');
await new Promise((r) => setTimeout(r, 500));

const results = [];
for (const rate of rates) {
  for (const got of seen) got.clear();
  const first = counter + 1;
  const cpu0 = server.cpuMs();
  const total = rate * seconds;
  const start = performance.now();
  let sent = 0;
  // Paced in 10 ms ticks.
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        send();
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await new Promise((r) => setTimeout(r, 700)); // drain
  const cpuMs = server.cpuMs() - cpu0;
  const last = counter;
  let received = 0;
  for (const got of seen) for (const n of got) if (n >= first && n <= last) received += 1;
  const expected = total * players;
  const r = {
    ratePerSecondIn: rate,
    forwardedPerSecond: Math.round((received / seconds) * 10) / 10,
    lossPercent: Math.round(((expected - received) / expected) * 10000) / 100,
    serverCpuPercent: Math.round((cpuMs / (seconds * 1000 + 700)) * 1000) / 10,
    serverCpuMicrosPerForwardedPacket:
      received > 0 ? Math.round(((cpuMs * 1000) / received) * 10) / 10 : null,
  };
  results.push(r);
  console.log(JSON.stringify(r));
}

for (const { pc, s } of peers) {
  await pc.close();
  s.close();
}
await pub.close();
pubSignal.close();
await server.stop();
const ok = results.filter((r) => r.lossPercent === 0);
console.log(
  JSON.stringify(
    {
      players,
      seconds,
      serverPinned: server.pinned,
      highestLosslessForwardedPerSecond: ok.at(-1)?.forwardedPerSecond ?? 0,
      results,
    },
    null,
    2,
  ),
);
process.exit(0);
