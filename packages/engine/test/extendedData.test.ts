import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamDeleteExtendedData } from '../src/index.js';

test('DELETE extendedData names each stream and its reason code', () => {
  const text = streamDeleteExtendedData([
    { stream_id: 's1', code: 1 },
    { stream_id: 's-2', code: 3 },
  ]);
  assert.equal(text, '{"stream_delete_reason":[{"stream_id":"s1","code":1},{"stream_id":"s-2","code":3}]}');
  assert.deepEqual(JSON.parse(text), {
    stream_delete_reason: [
      { stream_id: 's1', code: 1 },
      { stream_id: 's-2', code: 3 },
    ],
  });
});

test('DELETE extendedData without reasons is an empty list, never invalid JSON', () => {
  assert.equal(streamDeleteExtendedData(undefined), '{"stream_delete_reason":[]}');
  assert.equal(streamDeleteExtendedData([]), '{"stream_delete_reason":[]}');
});

test('only the documented fields are copied', () => {
  const text = streamDeleteExtendedData([{ stream_id: 's1', code: 2, extra: 'x' } as any]);
  assert.equal(text, '{"stream_delete_reason":[{"stream_id":"s1","code":2}]}');
});
