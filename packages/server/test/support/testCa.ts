/**
 * A throw-away certificate authority and a server certificate it signed, made with `openssl` in a temporary
 * directory: for HTTPS/WSS tests that trust exactly this CA (never the system's) and nothing else.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The files of a test CA and of a server certificate for `127.0.0.1` (and `localhost`, `parley.test`). */
export interface TestCa {
  dir: string;
  /** The CA certificate (PEM) to trust. */
  ca: Buffer;
  /** Paths of the server certificate and its key, as `tls.cert` and `tls.key` take them. */
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
}

/** The names the server certificate is valid for. */
export const TEST_CERT_NAMES = { ip: '127.0.0.1', dns: ['localhost', 'parley.test'] };

export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-ca-'));
  const path = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(
    'openssl',
    ['req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.pem')].concat(
      ['-days', '2', '-subj', '/CN=Parley test CA', '-addext', 'basicConstraints=critical,CA:TRUE'],
      ['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ),
  );
  await run(
    'openssl',
    ['req', '-new', ...ec, '-keyout', path('server.key'), '-out', path('server.csr')].concat([
      '-subj',
      '/CN=127.0.0.1',
    ]),
  );
  const san = [`IP:${TEST_CERT_NAMES.ip}`, ...TEST_CERT_NAMES.dns.map((d) => `DNS:${d}`)].join(',');
  await writeFile(
    path('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await run(
    'openssl',
    ['x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem')].concat(
      ['-CAkey', path('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path('server.ext')],
      ['-out', path('server.pem')],
    ),
  );
  return {
    dir,
    ca: await readFile(path('ca.pem')),
    certFile: path('server.pem'),
    keyFile: path('server.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
