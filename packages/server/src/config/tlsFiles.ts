/** The certificate and key of HTTPS/WSS, read from their PEM files when the server starts. */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './ConfigError.js';

/** A certificate chain and its private key, as PEM. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads `tls.cert` and `tls.key` and checks that they make a usable pair.
 * @returns null without TLS settings.
 * @throws ConfigError naming the setting and the file that is missing, unreadable or unusable.
 */
export async function readTlsFiles(tls: {
  cert?: string | undefined;
  key?: string | undefined;
}): Promise<TlsFiles | null> {
  if (tls.cert === undefined || tls.key === undefined) return null;
  const cert = await readPem('cert', tls.cert);
  const key = await readPem('key', tls.key);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const reason = `names ${tls.cert}, which is not a certificate for the key in ${tls.key} (${(err as Error).message})`;
    throw new ConfigError([{ path: 'tls.cert', reason, keys: ['tls', 'cert'], params: {} }]);
  }
  return { cert, key };
}

async function readPem(name: 'cert' | 'key', file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    const reason = `names ${file}, which ${why}`;
    throw new ConfigError([{ path: `tls.${name}`, reason, keys: ['tls', name], params: {} }]);
  }
}
