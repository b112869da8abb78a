/**
 * A program that serves one HTML page over HTTPS inside a lab host (`node httpsPage.js <ip> <port> <cert>
 * <key>`), and prints `{"event":"listening"}` then one `{"event":"request","from":…,"url":…}` per request: a
 * stand-in origin for browser tests of the lab itself.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [ip, port, certFile, keyFile] = process.argv.slice(2);
if (!ip || !port || !certFile || !keyFile) {
  console.error('usage: httpsPage.js <ip> <port> <cert.pem> <key.pem>');
  process.exit(2);
}
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
const page = '<!doctype html><meta charset="utf-8"><title>netlab</title><p>netlab</p>';
createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  print({ event: 'request', from: `${req.socket.remoteAddress}:${req.socket.remotePort}`, url: req.url });
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
}).listen(Number(port), ip, () => print({ event: 'listening' }));
