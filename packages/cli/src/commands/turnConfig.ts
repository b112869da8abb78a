/**
 * `parley turn-config`: prints the `turnserver.conf` of a Debian coturn that matches the server's settings, as
 * `parley serve` would resolve them (same flags, environment and config file): the shared secret of `turn.secret`,
 * the listening ports of the `turn.urls`, and relaying only to the addresses the SFU announces.
 */
import { resolve } from 'node:path';
import { mediaAddresses, turnServerConfig } from '@parley/server/config';
import type { Command } from '../command.js';
import { resolveServeConfig } from '../config.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { flagHelpLines } from '../serveFlags.js';

const SYNOPSIS = `Usage: parley turn-config [--realm NAME] [--turn-cert FILE --turn-key FILE] [parley serve options]`;

const HELP = `${SYNOPSIS}

Print a turnserver.conf for Debian's coturn that works with this Parley server: coturn checks the short-lived
credentials Parley hands its clients with the shared secret (turn.secret, use-auth-secret), listens on the
ports of the turn: and turns: URLs (turn.urls; 3478 and 5349 when a URL names none), and relays only to the
media addresses the SFU announces. Install it as /etc/turnserver.conf (readable by coturn only: it holds the
secret).

Options:
  --realm NAME       The TURN realm (default: the host of the first TURN URL)
  --turn-cert FILE   Certificate (PEM) of coturn's TLS port, for turns: URLs (default: tls.cert)
  --turn-key FILE    Private key (PEM) of --turn-cert (default: tls.key)

The settings are read as \`parley serve\` reads them (flags, PARLEY_* variables, the config file):
${flagHelpLines().join('\n')}

Example:
  parley turn-config --config parley.json --realm rtc.example.org > turnserver.conf
`;

/** The options of this command, taken out before the rest go to the settings of `parley serve`. */
const OWN = ['realm', 'turn-cert', 'turn-key'] as const;
type Own = Partial<Record<(typeof OWN)[number], string>>;

/** `parley turn-config`. */
export const turnConfigCommand: Command = {
  name: 'turn-config',
  summary: 'Print a coturn turnserver.conf for the configured TURN servers',
  synopsis: SYNOPSIS,
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { own, rest } = splitArgs(args);
    const { server } = await resolveServeConfig(rest, io.env, io.cwd);
    const { secret, urls } = server.turn;
    if (secret === undefined) {
      throw CliError.config(
        'no TURN secret: set turn.secret (--turn-secret, PARLEY_TURN_SECRET or "turn": {"secret": …})',
      );
    }
    if (urls.length === 0) {
      throw CliError.config(
        'no TURN server: set turn.urls (--turn-url, PARLEY_TURN_URLS or "turn": {"urls": […]})',
      );
    }
    const plain = portsOf(urls, 'turn');
    const secure = portsOf(urls, 'turns');
    const certFile = own['turn-cert'] ?? server.tls.cert;
    const keyFile = own['turn-key'] ?? server.tls.key;
    if ((certFile === undefined) !== (keyFile === undefined))
      throw CliError.usage('--turn-cert and --turn-key go together', 'turn-config');
    if (secure.length > 0 && certFile === undefined) {
      throw CliError.config(
        `${secure[0]!.url} needs a certificate for coturn: give --turn-cert and --turn-key (or tls.cert and tls.key)`,
      );
    }
    const realm = own.realm ?? hostOf(urls[0]!);
    try {
      io.stdout(
        turnServerConfig({
          secret,
          realm,
          peerIps: mediaAddresses(server.host, server.media).announced,
          port: single(plain, 'turn', 3478),
          tlsPort: single(secure, 'turns', 5349),
          ...(certFile !== undefined &&
            keyFile !== undefined && {
              tls: { certFile: resolve(io.cwd, certFile), keyFile: resolve(io.cwd, keyFile) },
            }),
        }),
      );
    } catch (err) {
      if (err instanceof TypeError)
        throw CliError.config(`cannot write the coturn configuration: ${err.message}`);
      throw err;
    }
    return 0;
  },
};

/** This command's own options apart (`--realm x` or `--realm=x`), and the arguments for the settings. */
function splitArgs(args: readonly string[]): { own: Own; rest: string[] } {
  const own: Own = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = OWN.find((o) => arg === `--${o}` || arg.startsWith(`--${o}=`));
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
    if (value === undefined || value === '') throw CliError.usage(`--${name} needs a value`, 'turn-config');
    own[name] = value;
  }
  return { own, rest };
}

/** The ports the URLs of one scheme name (their default where a URL names none). */
function portsOf(urls: readonly string[], scheme: 'turn' | 'turns'): { url: string; port: number }[] {
  const out: { url: string; port: number }[] = [];
  for (const url of urls) {
    const match = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?/i.exec(url);
    if (!match || match[1]!.toLowerCase() !== scheme) continue;
    out.push({ url, port: match[3] === undefined ? (scheme === 'turn' ? 3478 : 5349) : Number(match[3]) });
  }
  return out;
}

/** The one port coturn listens on for a scheme: every URL of it must name the same. */
function single(list: { url: string; port: number }[], scheme: string, fallback: number): number {
  const ports = [...new Set(list.map((p) => p.port))];
  if (ports.length > 1) {
    throw CliError.config(
      `the ${scheme}: URLs name ports ${ports.join(' and ')}; coturn listens on one ${scheme}: port (${list
        .map((p) => p.url)
        .join(', ')})`,
    );
  }
  return ports[0] ?? fallback;
}

function hostOf(url: string): string {
  const match = /^turns?:(\[[^\]]+\]|[^:?]+)/i.exec(url);
  return match ? match[1]!.replace(/^\[|\]$/g, '') : url;
}
