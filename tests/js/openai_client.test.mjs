// The official OpenAI client against a running `qwenrt serve` (QWENRT_API_URL, e.g.
// http://127.0.0.1:8000/v1; QWENRT_MODEL names its model): chat and legacy completions, whole and
// streamed, every chunk's shape, usage, n, logprobs, stop, json_object, and the refusals as the
// client's APIError with OpenAI's status and param. Driven by tests/cli/openai_http_test.cpp.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';

const baseURL = process.env.QWENRT_API_URL;
const model = process.env.QWENRT_MODEL;
assert.ok(baseURL && model, 'QWENRT_API_URL and QWENRT_MODEL must be set');
const client = new OpenAI({ baseURL, apiKey: process.env.QWENRT_API_KEY ?? 'unused', maxRetries: 0 });
const messages = [{ role: 'user', content: 'Hello! Who are you?' }];

test('chat completion: shape and usage', async () => {
  const r = await client.chat.completions.create({ model, messages, max_tokens: 5, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.model, model);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 5);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 5);
});

test('chat stream: role, content, finish, usage, and the same text as whole', async () => {
  const whole = await client.chat.completions.create({ model, messages, max_tokens: 6, temperature: 0 });
  const stream = await client.chat.completions.create({
    model, messages, max_tokens: 6, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 3);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id);
  }
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const text = chunks.slice(0, -1).map((c) => c.choices[0].delta.content ?? '').join('');
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'length');
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-1).usage.completion_tokens, 6);
});

test('n choices with logprobs', async () => {
  const r = await client.chat.completions.create({
    model, messages, max_tokens: 4, n: 2, temperature: 1, seed: 3, logprobs: true, top_logprobs: 2,
  });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
  for (const c of r.choices) {
    assert.equal(c.logprobs.content.length, 4);
    for (const t of c.logprobs.content) {
      assert.ok(t.logprob <= 0);
      assert.equal(t.top_logprobs.length, 2);
      assert.ok(Array.isArray(t.bytes));
    }
  }
  assert.equal(r.usage.completion_tokens, 8);
});

test('stop ends the text before the stop string', async () => {
  const first = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 10, temperature: 0 });
  const text = first.choices[0].text;
  const stop = text.slice(3, 5);
  const r = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 10, temperature: 0, stop: [stop] });
  assert.equal(r.choices[0].text, text.slice(0, text.indexOf(stop)));
  assert.equal(r.choices[0].finish_reason, 'stop');
});

test('json_object answers parse as objects', async () => {
  for (let seed = 0; seed < 4; seed++) {
    const r = await client.chat.completions.create({
      model, messages, max_tokens: 12, temperature: 1, seed, response_format: { type: 'json_object' },
    });
    const parsed = JSON.parse(r.choices[0].message.content);
    assert.equal(typeof parsed, 'object');
    assert.ok(!Array.isArray(parsed) && parsed !== null);
  }
});

test('completions whole and streamed, with legacy logprobs', async () => {
  const whole = await client.completions.create({ model, prompt: 'The sky is', max_tokens: 5, temperature: 0, logprobs: 1 });
  assert.equal(whole.object, 'text_completion');
  assert.equal(whole.choices[0].logprobs.tokens.length, 5);
  assert.equal(whole.choices[0].logprobs.text_offset[0], 0);
  const stream = await client.completions.create({
    model, prompt: 'The sky is', max_tokens: 5, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  for await (const c of stream) {
    assert.equal(c.object, 'text_completion');
    if (c.choices.length) text += c.choices[0].text;
    if (c.usage) usage = c.usage;
  }
  assert.equal(text, whole.choices[0].text);
  assert.equal(usage.completion_tokens, 5);
});

test('models lists the served model', async () => {
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => m.id), [model]);
  assert.ok(list.data[0].max_model_len > 0);
});

test('refusals are APIErrors with status and param', async () => {
  const refused = async (body, status, param) => {
    await assert.rejects(client.chat.completions.create({ model, messages, max_tokens: 3, ...body }), (e) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.equal(e.status, status, e.message);
      assert.equal(e.param ?? null, param);
      return true;
    });
  };
  await refused({ temperature: 'hot' }, 400, 'temperature');
  await refused({ top_p: 2 }, 400, 'top_p');
  await refused({ n: 0 }, 400, 'n');
  await refused({ max_tokens: 100000 }, 400, 'max_tokens');
  await refused({ messages: undefined }, 400, 'messages');
  await refused({ model: 'gpt-4o' }, 404, 'model');
  await refused({ response_format: { type: 'json_schema' } }, 400, 'response_format');
  await assert.rejects(client.completions.create({ model, prompt: 'x'.repeat(1) + ' word'.repeat(5000) }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'prompt');
    assert.match(e.message, /the prompt has \d+ tokens/);
    return true;
  });
});
