/**
 * A program the connectivity tests run inside lab hosts (`node probe.js <mode> <ip> <port>`); it reports on
 * stdout in JSON lines.
 * - `serve`: listens on TCP and UDP `ip:port`; answers every connection and datagram with the address it came
 *   from, and reports each as `{"event":"tcp"|"udp","from":"a.b.c.d:port"}` after `{"event":"listening"}`.
 * - `tcp`: connects, prints `{"seenAs":"…"}` with what the server saw, exits 0; or `{"error":"CODE"}`, exit 1.
 * - `udp`: sends a datagram every 100 ms until the answer comes, prints `{"seenAs":"…"}`, exits 0.
 */
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';

const [mode, ip, portText] = process.argv.slice(2);
const port = Number(portText);
if (!ip || !Number.isInteger(port)) {
  console.error('usage: probe.js serve|tcp|udp <ip> <port>');
  process.exit(2);
}

const report = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'serve') {
  let ready = 0;
  const listening = () => {
    if (++ready === 2) report({ event: 'listening' });
  };
  const server = createServer((socket) => {
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    report({ event: 'tcp', from });
    socket.end(from);
  });
  server.listen(port, ip, listening);
  const udp = createSocket('udp4');
  udp.on('message', (_msg, rinfo) => {
    const from = `${rinfo.address}:${rinfo.port}`;
    report({ event: 'udp', from });
    udp.send(from, rinfo.port, rinfo.address);
  });
  udp.bind(port, ip, listening);
} else if (mode === 'tcp') {
  const socket = connect(port, ip);
  let seenAs = '';
  socket.on('data', (chunk) => {
    seenAs += chunk.toString();
  });
  socket.on('end', () => {
    report({ seenAs });
    process.exit(0);
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    report({ error: error.code ?? error.message });
    process.exit(1);
  });
} else if (mode === 'udp') {
  const udp = createSocket('udp4');
  udp.on('message', (msg) => {
    report({ seenAs: msg.toString() });
    process.exit(0);
  });
  udp.on('error', (error: NodeJS.ErrnoException) => {
    report({ error: error.code ?? error.message });
    process.exit(1);
  });
  // UDP may lose a datagram; send again until the answer comes (the test ends this program otherwise).
  const send = () => udp.send('probe', port, ip);
  udp.bind(0, () => {
    send();
    setInterval(send, 100);
  });
} else {
  console.error(`unknown mode ${String(mode)}`);
  process.exit(2);
}
