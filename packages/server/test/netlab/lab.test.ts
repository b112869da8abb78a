/**
 * The network lab itself: each host has its addresses, TCP and UDP from each client to the server behave as the
 * topology says (the NAT router's address is what the server sees; the firewall stops UDP and all TCP but the
 * allowed ports), the lab refuses to be built where a real interface exists, and close() leaves nothing.
 * Runs only as root in a loopback-only namespace: `unshare -n bash -c 'ip link set lo up && node
 * scripts/test.mjs netlab'` (CI runs `npm test` so).
 */
import assert from 'node:assert/strict';
import { access, readdir, readlink } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../sfu/support/waitFor.js';
import { currentInterfaces, labSkip } from '../support/netlab/isolation.js';
import { JsonLines } from '../support/netlab/JsonLines.js';
import { NetLab } from '../support/netlab/NetLab.js';
import { type HostName, inBenchmarkRange } from '../support/netlab/topology.js';

const PROBE = fileURLToPath(new URL('../support/netlab/probe.js', import.meta.url));
const NETLAB = fileURLToPath(new URL('../support/netlab/NetLab.js', import.meta.url));
/** The server host is a namespace of its own, so fixed ports cannot collide with anything. */
const OPEN_PORT = 7000;
const CLOSED_PORT = 7001;

/** Runs probe.js in `host` and returns what it printed last, once it exits. */
async function probe(lab: NetLab, host: HostName, mode: 'tcp' | 'udp', port: number) {
  const child = lab.spawn(host, process.execPath, [PROBE, mode, lab.address('server'), String(port)]);
  const out = new JsonLines(child, `${mode} probe from ${host}`);
  return out.until((line) => 'seenAs' in line || 'error' in line, 'a result');
}

const ipOf = (endpoint: unknown) => String(endpoint).split(':')[0];

describe('network lab', { skip: labSkip() }, () => {
  it('builds the hosts with their addresses only, and none in the namespace the test runs in', async (t) => {
    const lab = await NetLab.create();
    try {
      t.diagnostic(
        `set-up ${JSON.stringify(lab.timings, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
      );
      assert.deepEqual(currentInterfaces(), ['lo']);
      const expected: Record<HostName, string[]> = {
        server: ['198.18.0.1/24'],
        lan: ['198.18.0.2/24'],
        natRouter: ['198.18.0.3/24', '198.19.1.1/24'],
        natted: ['198.19.1.2/24'],
        fwRouter: ['198.18.0.4/24', '198.19.2.1/24'],
        firewalled: ['198.19.2.2/24'],
      };
      for (const [host, addresses] of Object.entries(expected) as [HostName, string[]][]) {
        const { stdout } = await lab.exec(host, 'ip', ['-o', 'addr', 'show', 'scope', 'global']);
        const found = stdout
          .trim()
          .split('\n')
          .map((line) => line.split(/\s+/)[3] ?? '');
        assert.deepEqual(found.sort(), addresses, `${host}: ${stdout}`);
        assert.ok(found.every((a) => inBenchmarkRange(a.split('/')[0]!)));
        // IPv6 is off, so no link-local address can turn up as an ICE candidate.
        assert.doesNotMatch(stdout, /inet6/);
      }
    } finally {
      const started = performance.now();
      await lab.close();
      t.diagnostic(`close ${Math.round(performance.now() - started)} ms`);
    }
  });

  it('TCP and UDP to the server: direct from the LAN, masqueraded through both routers, UDP stopped by the firewall', async () => {
    const lab = await NetLab.create({ firewallTcpPorts: [OPEN_PORT] });
    try {
      const servers = [OPEN_PORT, CLOSED_PORT].map((port) => {
        const child = lab.spawn('server', process.execPath, [
          PROBE,
          'serve',
          lab.address('server'),
          String(port),
        ]);
        return new JsonLines(child, `probe server :${port}`);
      });
      await Promise.all(servers.map((s) => s.untilField('event', 'listening')));
      const [open] = servers;

      // Who the server sees: the LAN client itself, and each router for the client behind it.
      const seen = async (host: HostName, mode: 'tcp' | 'udp') => {
        const result = await probe(lab, host, mode, OPEN_PORT);
        assert.ok('seenAs' in result, `${mode} from ${host}: ${JSON.stringify(result)}`);
        return ipOf(result['seenAs']);
      };
      const matrix = [
        ['lan', 'tcp', 'lan'],
        ['lan', 'udp', 'lan'],
        ['natted', 'tcp', 'natRouter'],
        ['natted', 'udp', 'natRouter'],
        ['firewalled', 'tcp', 'fwRouter'],
      ] as const;
      const seenAs = await Promise.all(matrix.map(([host, mode]) => seen(host, mode)));
      assert.deepEqual(
        seenAs,
        matrix.map(([, , as]) => lab.address(as)),
      );

      // UDP from behind the firewall: the firewall counts the datagram it dropped, the server never sees it.
      const before = await lab.firewallDrops();
      const udp = lab.spawn('firewalled', process.execPath, [
        PROBE,
        'udp',
        lab.address('server'),
        String(OPEN_PORT),
      ]);
      await waitFor(async () => (await lab.firewallDrops()).udp > before.udp, 'the firewall to drop UDP');
      udp.kill();
      // TCP to a port the firewall does not allow: its SYN is dropped, until the port is allowed; TCP's own
      // retransmission then gets through.
      const blocked = probe(lab, 'firewalled', 'tcp', CLOSED_PORT);
      await waitFor(async () => (await lab.firewallDrops()).tcp > before.tcp, 'the firewall to drop a SYN');
      await lab.allowThroughFirewall(CLOSED_PORT);
      assert.equal(ipOf((await blocked)['seenAs']), lab.address('fwRouter'));
      assert.ok(
        !open!.lines.some(
          (line) => line['event'] === 'udp' && ipOf(line['from']) === lab.address('fwRouter'),
        ),
        'no UDP from behind the firewall reached the server',
      );

      // Nothing routes towards the private links: the server cannot reach a client behind a router.
      const direct = lab.spawn('server', process.execPath, [
        PROBE,
        'tcp',
        lab.address('natted'),
        String(OPEN_PORT),
      ]);
      const refused = await new JsonLines(direct, 'server to natted').until((l) => 'error' in l, 'an error');
      assert.equal(refused['error'], 'ENETUNREACH');
    } finally {
      await lab.close();
    }
  });

  it('refuses to be built in a namespace that has an interface besides lo', async () => {
    const lab = await NetLab.create();
    try {
      const script = `import(${JSON.stringify(NETLAB)}).then((m) => m.NetLab.create()).then(
        (lab) => lab.close().then(() => console.log(JSON.stringify({ built: true }))),
        (e) => console.log(JSON.stringify({ refused: e.message })))`;
      const child = lab.spawn('lan', process.execPath, ['--input-type=module', '-e', script]);
      const result = await new JsonLines(child, 'NetLab.create in the lan host').until(
        (line) => 'built' in line || 'refused' in line,
        'a result',
      );
      assert.match(String(result['refused']), /refusing to build a network lab: .*eth0 besides lo/);
    } finally {
      await lab.close();
    }
  });

  it('close() ends every process in the lab, whoever started it, and releases every namespace', async () => {
    const lab = await NetLab.create();
    const netns = (['server', 'natted', 'fwRouter'] as const).map((name) => lab.host(name).netns);
    // A shell that starts a process of its own: the grandchild is not this test's child, yet must end too.
    const shell = lab.spawn('natted', 'sh', ['-c', 'sleep 1000 & echo started; wait'], { stdio: 'pipe' });
    await new Promise((resolve) => shell.stdout?.once('data', resolve));
    const inside = await lab.host('natted').processes();
    assert.equal(inside.length, 2, `the shell and its sleep: ${inside.join(', ')}`);
    const wrapper = await lab.executableIn('server', '/bin/true');
    await lab.close();
    for (const pid of inside) await assert.rejects(access(`/proc/${pid}/ns/net`), `process ${pid} is gone`);
    const stillThere: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const ns = await readlink(`/proc/${entry}/ns/net`).catch(() => '');
      if (netns.includes(ns)) stillThere.push(Number(entry));
    }
    assert.deepEqual(stillThere, []);
    // Nor does this process hold any of them open: the kernel has freed them with their links.
    const held = await Promise.all(
      (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
    );
    assert.deepEqual(
      held.filter((link) => netns.includes(link)),
      [],
    );
    await assert.rejects(access(wrapper), 'the wrapper scripts are removed');
    assert.throws(() => lab.spawn('server', 'true'), /closed/);
  });
});
