/**
 * Throw-away TLS certificates for test servers (coturn's TLS port in the lab and on loopback, Parley's HTTPS in
 * the lab), made with openssl: Node can sign with a key but cannot build an X.509 certificate.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.js';

/** A self-signed certificate and its key, as files and as PEM text. */
export interface LabCertificate {
  certFile: string;
  keyFile: string;
  /** The certificate (PEM): also the CA a Node client trusts it with (`tls.connect({ ca })`). */
  cert: string;
  key: string;
  /**
   * base64(SHA-256(SubjectPublicKeyInfo)): what Chromium's `--ignore-certificate-errors-spki-list=` takes to
   * trust this one certificate and no other.
   */
  spkiSha256: string;
}

/**
 * Makes a self-signed P-256 certificate valid for one day for the IP addresses `ips` (and `dnsNames`), in `dir`.
 * @example
 * const cert = await makeCertificate(dir, [lab.address('server')]);
 * https.createServer({ cert: cert.cert, key: cert.key }, app);
 */
export async function makeCertificate(
  dir: string,
  ips: readonly string[],
  dnsNames: readonly string[] = [],
): Promise<LabCertificate> {
  if (ips.length + dnsNames.length === 0) throw new TypeError('a certificate needs an IP address or a name');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const san = [...ips.map((ip) => `IP:${ip}`), ...dnsNames.map((name) => `DNS:${name}`)].join(',');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=parley-test',
    '-addext',
    `subjectAltName=${san}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, cert, key, spkiSha256: createHash('sha256').update(spki).digest('base64') };
}
