// The page's server-sent events parser, on streams cut at every possible place.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SseParser, readServerSentEvents } from '../../../src/server/web/sse.mjs';

const STREAM =
  ': keep-alive comment\n' +
  'data: {"a":1}\n\n' +
  'event: note\r\ndata: first line\r\ndata:second line\r\n\r\n' +
  'data: caf\u00e9 \u4f60\u597d \ud83d\ude00\r\rdata: [DONE]\n\n';

const EXPECTED = [
  { event: 'message', data: '{"a":1}' },
  { event: 'note', data: 'first line\nsecond line' },
  { event: 'message', data: 'caf\u00e9 \u4f60\u597d \ud83d\ude00' },
  { event: 'message', data: '[DONE]' },
];

function bodyOf(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}

test('events, fields, comments and every kind of line ending, in one piece', () => {
  assert.deepEqual(new SseParser().push(STREAM), EXPECTED);
});

test('text pushed one character at a time gives the same events, CRLF split included', () => {
  const parser = new SseParser();
  const events = [];
  for (const c of STREAM) events.push(...parser.push(c));
  assert.deepEqual(events, EXPECTED);
});

test('bytes split at every offset, inside UTF-8 characters too, give the same events', async () => {
  const bytes = new TextEncoder().encode(STREAM);
  for (let cut = 1; cut < bytes.length; ++cut) {
    const events = await collect(readServerSentEvents(bodyOf([bytes.slice(0, cut), bytes.slice(cut)])));
    assert.deepEqual(events, EXPECTED, `cut at byte ${cut}`);
  }
  const byteByByte = [...bytes].map((b) => new Uint8Array([b]));
  assert.deepEqual(await collect(readServerSentEvents(bodyOf(byteByByte))), EXPECTED);
});

test('an event the stream ends in the middle of is dropped; an empty data line is an empty event', async () => {
  const bytes = new TextEncoder().encode('data: whole\n\ndata: cut off');
  assert.deepEqual(await collect(readServerSentEvents(bodyOf([bytes]))), [{ event: 'message', data: 'whole' }]);
  assert.deepEqual(new SseParser().push('data\n\nid: 7\nretry: 10\n\n'), [{ event: 'message', data: '' }]);
});

test('a reader that stops early cancels the stream', async () => {
  let cancelled = false;
  const body = new ReadableStream({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode('data: more\n\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const event of readServerSentEvents(body)) {
    assert.equal(event.data, 'more');
    break;
  }
  assert.equal(cancelled, true);
});
