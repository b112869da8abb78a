/** The configuration the bench gives Janus, and the `--peer` values. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JANUS_LIB, writeJanusConfig } from '../../src/janus/janusConfig.js';
import { janusVariantsOf } from '../../src/janus/janusPeer.js';

test('Janus gets the videoroom plugin and the HTTP transport only, ICE on its link address, no STUN, no admin API', (t) => {
  const dir = writeJanusConfig({ address: '198.18.99.2', eventLoops: 1 });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(readdirSync(join(dir, 'plugins')), ['libjanus_videoroom.so']);
  assert.equal(
    readlinkSync(join(dir, 'plugins', 'libjanus_videoroom.so')),
    join(JANUS_LIB, 'plugins', 'libjanus_videoroom.so'),
  );
  assert.deepEqual(readdirSync(join(dir, 'transports')), ['libjanus_http.so']);
  assert.deepEqual(readdirSync(join(dir, 'events')), []);
  assert.deepEqual(readdirSync(join(dir, 'loggers')), []);
  const janus = readFileSync(join(dir, 'janus.jcfg'), 'utf8');
  assert.match(janus, /^\tconfigs_folder = "(.+)"$/m);
  assert.equal(/^\tconfigs_folder = "(.+)"$/m.exec(janus)?.[1], dir);
  assert.match(janus, /^\tice_enforce_list = "198\.18\.99\.2"$/m);
  assert.match(janus, /^\tevent_loops = 1$/m);
  assert.match(janus, /^\tipv6 = false$/m);
  assert.doesNotMatch(janus, /stun_server|turn_server|nat_1_1_mapping|admin_secret|ice_lite/);
  const http = readFileSync(join(dir, 'janus.transport.http.jcfg'), 'utf8');
  assert.match(http, /^\tadmin_http = false$/m);
  assert.match(http, /^\thttps = false$/m);
  assert.match(http, /^\tport = 8088$/m);
  // No sample rooms: the bench creates its room over the API.
  assert.equal(readFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'utf8').trim(), 'general: {\n}');
});

test("Janus's default event loops leave event_loops unset", (t) => {
  const dir = writeJanusConfig({ address: '198.18.99.2', eventLoops: undefined });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.doesNotMatch(readFileSync(join(dir, 'janus.jcfg'), 'utf8'), /event_loops/);
});

test('--peer names no Janus, one variant or both, and refuses anything else', () => {
  assert.deepEqual(janusVariantsOf('none'), []);
  assert.deepEqual(janusVariantsOf('janus'), ['janus-1loop', 'janus-default']);
  assert.deepEqual(janusVariantsOf('janus-1loop'), ['janus-1loop']);
  assert.deepEqual(janusVariantsOf('janus-default'), ['janus-default']);
  assert.throws(
    () => janusVariantsOf('mediasoup'),
    /--peer must be one of none, janus, janus-1loop, janus-default/,
  );
});
