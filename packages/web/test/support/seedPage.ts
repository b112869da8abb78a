/**
 * Seed 001's page: the seed's JavaScript (test/pages/seed001.js) with only the SDK line and the server address
 * changed, and hooks at its `// @parley-test: …` lines that record what it saw in `window.__seed`.
 */

/** What the test inserts at the seed's `// @parley-test: …` lines. */
const HOOKS: Record<string, string> = {
  observe: `for (const name of ['roomStateChanged', 'roomUserUpdate', 'roomStreamUpdate', 'publisherStateUpdate',
    'playerStateUpdate', 'publishQualityUpdate', 'playQualityUpdate']) zg.on(name, record(name));`,
  capabilities: 'seen.capabilities = result;',
  logined: 'seen.loginResult = result;',
  'in call': `seen.step = 'in call';
await new Promise((resolve) => { window.__endCall = resolve; });`,
  ended: `seen.step = 'ended';`,
};

/** The page: the SDK line of the variant, what the seed leaves to the developer, then the seed in a try. */
export function seedPage(seed: string, variant: 'module' | 'script'): string {
  const body = seed.replace(/^\/\/ @parley-test: (.+)$/gm, (_line, name: string) => {
    const hook = HOOKS[name];
    if (hook === undefined) throw new Error(`unknown hook ${name}`);
    return hook;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>seed 001 (${variant})</title></head>
<body>
<audio id="remoteAudio" autoplay></audio>
${variant === 'script' ? '<script src="/sdk/parley.js"></script>' : ''}
<script type="module">
${variant === 'module' ? "import { ZegoExpressEngine } from '/sdk/parley.mjs';" : ''}
const params = new URLSearchParams(location.search);
const APP_ID = Number(params.get('appID'));
const roomID = params.get('roomID');
const userID = params.get('userID');
const userName = userID;
const token = params.get('token');
const streamID = params.get('streamID');
const remoteAudio = document.getElementById('remoteAudio');
const seen = (window.__seed = { events: [], step: 'start', error: null });
const record = (name) => (...args) => seen.events.push([name, JSON.parse(JSON.stringify(args))]);
try {
${body}
} catch (err) {
  seen.error = String(err && err.message ? err.message : err);
}
</script>
</body></html>
`;
}

export interface Seen {
  events: [string, unknown[]][];
  step: string;
  error: string | null;
  capabilities?: Record<string, unknown>;
  loginResult?: unknown;
}
