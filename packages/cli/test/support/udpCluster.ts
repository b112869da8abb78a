/**
 * A tiny `node:cluster` program for exclusiveUdp.test.ts: two workers each bind two UDP sockets on port 0 (the
 * two ways werift and the STUN responder bind them) and report the ports; the primary prints them as JSON.
 * Usage: node udpCluster.js patched|plain
 */
import cluster from 'node:cluster';
import { createSocket, type Socket } from 'node:dgram';
import { makeUdpSocketsExclusive } from '../../src/workers/exclusiveUdp.js';

const mode = process.argv[2];

if (cluster.isPrimary) {
  const reports: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const worker = cluster.fork();
    worker.on('message', (report: unknown) => {
      reports.push(report);
      if (reports.length < 2) return;
      process.stdout.write(JSON.stringify(reports));
      for (const w of Object.values(cluster.workers ?? {})) w?.send('exit');
    });
  }
} else {
  if (mode === 'patched') makeUdpSocketsExclusive();
  const listening = (socket: Socket) => new Promise<void>((resolve) => socket.once('listening', resolve));
  const byOptions = createSocket('udp4');
  byOptions.bind({ address: '127.0.0.1' });
  const byPort = createSocket('udp4');
  byPort.bind(0, '127.0.0.1');
  await Promise.all([listening(byOptions), listening(byPort)]);
  process.on('message', () => {
    byOptions.close();
    byPort.close();
    process.disconnect();
  });
  process.send!({ pid: process.pid, ports: [byOptions.address().port, byPort.address().port] });
}
