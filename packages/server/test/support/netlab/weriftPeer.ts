/**
 * A werift peer run as a program inside a lab host (`node weriftPeer.js '<json config>'`), driven by
 * {@link LabPeer}: JSON lines in on stdin, JSON lines out on stdout.
 *
 * Config: `{ role: 'offerer' | 'answerer', iceServers, iceTransportPolicy?, turnCa? }`.
 * - offerer: opens a data channel, prints `{"event":"description","sdp":…}` once gathering is complete (no
 *   trickle), takes the answer as `{"type":"description","sdp":…}` on stdin.
 * - answerer: takes the offer on stdin and prints its answer.
 * Both print `{"event":"candidates","types":[…]}` (their gathered candidates), `{"event":"connected",
 * "pair":{…}}` with the selected pair from getStats, and `{"event":"message","data":…}` for each data channel
 * message: the offerer sends "ping from offerer", the answerer answers each with "pong: <message>".
 * A peer whose TURN allocation is refused only logs it (with DEBUG=werift*) and goes on without a relay
 * candidate; turnAllocate.js tells why a server refuses.
 */
import { createInterface } from 'node:readline';
import { type PeerConfig, type RTCDataChannel, RTCPeerConnection } from 'werift';

/** What the program is given as its first argument. */
export interface WeriftPeerConfig {
  role: 'offerer' | 'answerer';
  iceServers: { urls: string; username?: string; credential?: string }[];
  iceTransportPolicy?: 'all' | 'relay';
  /** The PEM certificate that verifies the TURN server's TLS certificate. */
  turnCa?: string;
}

const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function peer(config: WeriftPeerConfig): Promise<void> {
  const options: Partial<PeerConfig> = {
    // Always explicit: werift's default is a public STUN server.
    iceServers: config.iceServers,
    iceTransportPolicy: config.iceTransportPolicy ?? 'all',
    iceUseIpv6: false,
  };
  if (config.turnCa) options.turnTlsOptions = { ca: config.turnCa };
  const pc = new RTCPeerConnection(options);
  const gathered = new Promise<void>((resolve) =>
    pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()),
  );
  const onChannel = (channel: RTCDataChannel) => {
    channel.onMessage.subscribe((data) => {
      const text = data.toString();
      print({ event: 'message', data: text });
      if (config.role === 'answerer') channel.send(`pong: ${text}`);
    });
  };
  pc.connectionStateChange.subscribe(async (state) => {
    print({ event: 'state', state });
    if (state !== 'connected') return;
    const stats = [...(await pc.getStats()).values()] as unknown as Record<string, unknown>[];
    const pair = stats.find((s) => s['type'] === 'candidate-pair' && s['nominated'] === true);
    const byId = (id: unknown) => stats.find((s) => s['id'] === id) ?? {};
    const local = byId(pair?.['localCandidateId']);
    const remote = byId(pair?.['remoteCandidateId']);
    print({
      event: 'connected',
      pair: {
        localType: local['candidateType'],
        local: `${local['address']}:${local['port']}`,
        remoteType: remote['candidateType'],
        remote: `${remote['address']}:${remote['port']}`,
      },
    });
  });
  const describe = async () => {
    await gathered;
    const sdp = pc.localDescription?.sdp ?? '';
    const types = [...sdp.matchAll(/^a=candidate:.* typ (\w+)/gm)].map((m) => m[1]);
    print({ event: 'candidates', types });
    print({ event: 'description', sdp });
  };

  if (config.role === 'offerer') {
    const channel = pc.createDataChannel('lab');
    onChannel(channel);
    channel.stateChanged.subscribe((state) => state === 'open' && channel.send('ping from offerer'));
    await pc.setLocalDescription(await pc.createOffer());
    await describe();
  } else {
    pc.onDataChannel.subscribe(onChannel);
  }
  createInterface({ input: process.stdin }).on('line', async (text) => {
    const message = JSON.parse(text) as { type: string; sdp: string };
    if (message.type !== 'description') return;
    await pc.setRemoteDescription({ type: config.role === 'offerer' ? 'answer' : 'offer', sdp: message.sdp });
    if (config.role === 'answerer') {
      await pc.setLocalDescription(await pc.createAnswer());
      await describe();
    }
  });
  process.on('SIGTERM', async () => {
    await pc.close();
    process.exit(0);
  });
}

const config = JSON.parse(process.argv[2] ?? '{}') as WeriftPeerConfig;
peer(config).catch((error: Error) => {
  print({ event: 'error', error: error.stack ?? error.message });
  process.exit(1);
});
