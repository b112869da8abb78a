import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveServerUrl } from '../src/index.js';

test('server addresses become signaling URLs', () => {
  assert.equal(resolveServerUrl('ws://127.0.0.1:8080/ws'), 'ws://127.0.0.1:8080/ws');
  assert.equal(resolveServerUrl('ws://127.0.0.1:8080'), 'ws://127.0.0.1:8080/ws');
  assert.equal(resolveServerUrl('wss://rtc.example.com/custom/path'), 'wss://rtc.example.com/custom/path');
  assert.equal(resolveServerUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/ws');
  assert.equal(resolveServerUrl('https://rtc.example.com'), 'wss://rtc.example.com/ws');
});

test('an empty server means the page origin, which Node does not have', () => {
  assert.throws(() => resolveServerUrl(''), TypeError);
  const g = globalThis as { location?: unknown };
  g.location = { protocol: 'https:', host: 'meet.example.com:8443' };
  try {
    assert.equal(resolveServerUrl(''), 'wss://meet.example.com:8443/ws');
    assert.equal(resolveServerUrl(undefined), 'wss://meet.example.com:8443/ws');
  } finally {
    delete g.location;
  }
});

test('anything else is a TypeError', () => {
  assert.throws(() => resolveServerUrl('not a url'), TypeError);
  assert.throws(() => resolveServerUrl('ftp://host'), TypeError);
  assert.throws(() => resolveServerUrl(42), TypeError);
});
