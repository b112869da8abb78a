import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBanner, hidePassword, NAT_HINT } from '../src/banner.js';
import { main } from '../src/index.js';
import { capture } from './support/cli.js';

const base = {
  version: '0.1.0',
  httpUrl: 'http://0.0.0.0:8080',
  wsUrl: 'ws://0.0.0.0:8080/ws',
  devApp: null,
  apps: [],
  cluster: null,
};

describe('the banner and the help of parley serve', () => {
  it('says when the media addresses were taken from the interfaces, with the hint for 1:1 NAT', () => {
    const banner = formatBanner({
      ...base,
      media: { announcedAddresses: ['192.168.1.20', '2001:db8::5'], origin: 'interfaces' },
    });
    assert.match(
      banner,
      /\n {2}Media +192\.168\.1\.20, 2001:db8::5 +\(every interface address, announced as none was set\)\n/,
    );
    assert.ok(banner.includes(`\n              ${NAT_HINT}\n`));
    assert.equal(NAT_HINT, 'Behind 1:1 NAT (a cloud VM)? set --announce <public IP>');
    const configured = formatBanner({
      ...base,
      media: { announcedAddresses: ['203.0.113.9'], origin: 'configured' },
    });
    assert.ok(!configured.includes(NAT_HINT));
  });

  it('names the cluster: its Redis (password hidden) and this node, or each worker with its media ports', () => {
    const media = { announcedAddresses: ['127.0.0.1'], origin: 'loopback' as const };
    const node = formatBanner({
      ...base,
      media,
      cluster: { redis: 'redis://:hunter2@10.0.0.5:6379/0', privateRedis: false, nodeID: 'edge-a' },
    });
    assert.ok(
      node.includes(
        '\n  Cluster     redis://:***@10.0.0.5:6379/0   (every node with this Redis is one Parley)\n' +
          '  Node        edge-a\n',
      ),
      node,
    );
    assert.ok(!node.includes('hunter2'));
    const workers = formatBanner({
      ...base,
      media,
      cluster: {
        redis: 'unix:/srv/.parley/redis/redis.sock',
        privateRedis: true,
        workers: [
          { index: 0, pid: 101, nodeID: 'vm-9-w0-aaaaaa', portRange: [50000, 50499], stunPort: 3479 },
          { index: 1, pid: 102, nodeID: 'vm-9-w1-bbbbbb', udpPort: 0, stunPort: 0 },
          { index: 2, pid: 103, nodeID: 'vm-9-w2-cccccc', udpPort: 40002, stunPort: 0 },
        ],
      },
    });
    assert.ok(
      workers.includes(
        [
          '  Cluster     unix:/srv/.parley/redis/redis.sock   (private Redis of these workers, stopped with them)',
          '  Workers     3 node processes sharing port 8080:',
          '    worker 0   pid 101   node vm-9-w0-aaaaaa   media UDP 50000-50499, STUN 3479',
          '    worker 1   pid 102   node vm-9-w1-bbbbbb   media UDP any free port, STUN any free port',
          '    worker 2   pid 103   node vm-9-w2-cccccc   media UDP 40002, STUN any free port',
        ].join('\n'),
      ),
      workers,
    );
    assert.equal(hidePassword('redis://10.0.0.5:6379'), 'redis://10.0.0.5:6379');
    assert.equal(hidePassword('rediss://user:pw@redis.lan:6380'), 'rediss://user:***@redis.lan:6380');
  });

  it('lists every flag with its variable and default', async () => {
    const c = capture();
    assert.equal(await main(['serve', '--help'], c.io), 0);
    const help = c.out();
    const expected: Array<[string, RegExp]> = [
      ['--host ADDR', /PARLEY_HOST, default 127\.0\.0\.1/],
      ['-p, --port N', /PARLEY_PORT, default 8080/],
      ['--announce IP', /\(env PARLEY_MEDIA_ANNOUNCED_ADDRESSES\)/],
      ['--media-bind ADDR', /PARLEY_MEDIA_BIND_ADDRESS/],
      ['--port-range A-B', /PARLEY_MEDIA_PORT_RANGE/],
      ['--tls-cert FILE', /PARLEY_TLS_CERT/],
      ['--tls-key FILE', /PARLEY_TLS_KEY/],
      ['--turn-url URL', /PARLEY_TURN_URLS/],
      ['--turn-secret S', /PARLEY_TURN_SECRET/],
      ['--log-level LEVEL', /PARLEY_LOG_LEVEL, default info/],
      ['-c, --config FILE', /PARLEY_CONFIG/],
      ['--data-dir DIR', /PARLEY_DATA_DIR/],
      ['--redis URL', /PARLEY_CLUSTER_REDIS/],
      ['--node-id NAME', /PARLEY_CLUSTER_NODE_ID/],
      ['--workers N', /PARLEY_WORKERS/],
      ['--no-dev-app', /development app/],
    ];
    for (const [flag, note] of expected) {
      const line = help.split('\n').find((l) => l.startsWith(`  ${flag} `));
      assert.ok(line !== undefined, `${flag} in\n${help}`);
      assert.match(line, note, flag);
    }
  });
});
