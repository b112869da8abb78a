/**
 * The configuration directory the bench gives Janus: only the videoroom plugin and the HTTP transport are
 * loadable (the plugin and transport folders hold links to those two libraries alone), no STUN or TURN server,
 * ICE on the bench link's address only (the HTTP API on every address of Janus's namespace), no admin API, no sample rooms (the bench creates its room over the API).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's janus package keeps its plugins and transports. */
export const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';
/** The port of Janus's HTTP API on its link address. */
export const JANUS_HTTP_PORT = 8088;

export interface JanusConfigOptions {
  /** Janus's address: the only one it binds its HTTP API to and gathers ICE candidates on. */
  address: string;
  /**
   * `event_loops`: 1 runs every handle's media on one shared event loop (one thread); undefined leaves Janus's
   * default, a thread per handle.
   */
  eventLoops: number | undefined;
}

/** Writes the configuration under a new temporary directory; returns the directory (`janus -F <dir>`). */
export function writeJanusConfig({ address, eventLoops }: JanusConfigOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-janus-'));
  const folder = (name: string, libraries: string[]): string => {
    const path = join(dir, name);
    mkdirSync(path);
    for (const lib of libraries) symlinkSync(join(JANUS_LIB, name, lib), join(path, lib));
    return path;
  };
  const plugins = folder('plugins', ['libjanus_videoroom.so']);
  const transports = folder('transports', ['libjanus_http.so']);
  const events = folder('events', []);
  const loggers = folder('loggers', []);
  const general = [
    `configs_folder = "${dir}"`,
    `plugins_folder = "${plugins}"`,
    `transports_folder = "${transports}"`,
    `events_folder = "${events}"`,
    `loggers_folder = "${loggers}"`,
    // Warnings and errors only: logging every session and handle would cost CPU inside the measured window.
    'debug_level = 3',
    'debug_timestamps = true',
    `interface = "${address}"`,
    // The bench's one session long-polls for events; a stalled poll must not end it while a step is measured.
    'session_timeout = 0',
    'hide_dependencies = true',
    ...(eventLoops === undefined ? [] : [`event_loops = ${eventLoops}`]),
  ];
  const janus = [
    `general: {\n\t${general.join('\n\t')}\n}`,
    'certificates: {\n}',
    // No IPv6 and no link-local candidates: the link has one IPv4 address.
    'media: {\n\tipv6 = false\n\tipv6_linklocal = false\n}',
    // No stun_server / turn_server: Janus announces host candidates on the enforced address only.
    `nat: {\n\tnice_debug = false\n\tice_enforce_list = "${address}"\n\tignore_mdns = true\n}`,
    'plugins: {\n}',
    'transports: {\n}',
    'loggers: {\n}',
    'events: {\n\tbroadcast = false\n}',
  ];
  writeFileSync(join(dir, 'janus.jcfg'), `${janus.join('\n')}\n`);
  // The HTTP API listens on every IPv4 address of Janus's namespace (its loopback and its end of the link: the
  // namespace has nothing else): Janus 1.1.2's HTTP transport fails to bind when given the link's address.
  writeFileSync(
    join(dir, 'janus.transport.http.jcfg'),
    `general: {\n\tjson = "compact"\n\tbase_path = "/janus"\n\thttp = true\n\tport = ${JANUS_HTTP_PORT}\n\tip = "0.0.0.0"\n\thttps = false\n}\n` +
      'admin: {\n\tadmin_http = false\n\tadmin_https = false\n}\n',
  );
  // No rooms configured: the bench creates the one it uses, over the API.
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
  return dir;
}
