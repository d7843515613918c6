// The client examples of examples/clients/ run as a user would run them, against a real
// `qwenrt serve` started with --api-key on the tiny chat model. Greedy decoding makes the answer
// to one prompt the same whichever way it is asked, so every client, whole or streamed, must print
// exactly that answer; with a wrong key each must fail with the server's message.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startServe } from './serve_fixture.mjs';

const run = promisify(execFile);
const clients = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/clients');
const KEY = 'example-key';
const ASK = ['--temperature', '0', '--max-tokens', '8', 'Hello! Who are you?'];

let server;
let expected;  // the greedy answer to ASK, asked of the API directly

before(async () => {
  server = await startServe(['--api-key', KEY]);
  const models = await (await fetch(`${server.baseUrl}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` } })).json();
  const response = await fetch(`${server.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: models.data[0].id, temperature: 0, max_tokens: 8,
      messages: [{ role: 'user', content: 'Hello! Who are you?' }] }),
  });
  expected = (await response.json()).choices[0].message.content;
  assert.ok(expected.length > 0);
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'graceful shutdown');
});

// Runs a client with the environment a user would set; resolves to {code, stdout, stderr}.
async function client(command, args, key = KEY) {
  const env = { ...process.env, OPENAI_BASE_URL: `${server.baseUrl}/v1`, OPENAI_API_KEY: key };
  try {
    const { stdout, stderr } = await run(command, args, { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error.code === undefined || typeof error.code === 'string') throw error;
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

const CLIENTS = {
  'curl': ['bash', [`${clients}/curl/chat.sh`]],
  'curl --stream': ['bash', [`${clients}/curl/chat.sh`, '--stream']],
  'node openai': ['node', [`${clients}/node/chat.mjs`]],
  'node openai stream': ['node', [`${clients}/node/stream.mjs`]],
  'python urllib': ['python3', [`${clients}/python/urllib_client.py`]],
  'python urllib --stream': ['python3', [`${clients}/python/urllib_client.py`, '--stream']],
  'python asyncio': ['python3', [`${clients}/python/asyncio_sse_client.py`]],
};

for (const [name, [command, args]] of Object.entries(CLIENTS)) {
  test(`${name} prints the answer and its token count`, async () => {
    const { code, stdout, stderr } = await client(command, [...args, ...ASK]);
    assert.equal(code, 0, stderr);
    // The curl stream prints the token count after the answer; the others print it on stderr.
    const tokens = /\n\[8 tokens\]\n$/;
    const answer = name === 'curl --stream' ? stdout.replace(tokens, '\n') : stdout;
    assert.equal(answer, `${expected}\n`);
    assert.match(name === 'curl --stream' ? stdout : stderr, /\[(request 1: )?8 tokens/);
  });

  test(`${name} reports a refused key with the server's message`, async () => {
    const { code, stderr } = await client(command, [...args, ...ASK], 'wrong-key');
    assert.equal(code, 1, stderr);
    assert.match(stderr, /401/);
    assert.match(stderr, /key/i);
  });
}

test('python asyncio sends requests in parallel and prints each answer', async () => {
  const { code, stdout, stderr } = await client('python3', [`${clients}/python/asyncio_sse_client.py`, '--parallel', '3', ...ASK]);
  assert.equal(code, 0, stderr);
  for (const label of ['request 1', 'request 2', 'request 3']) {
    assert.ok(stdout.includes(`--- ${label}\n${expected}\n`), stdout);
    assert.match(stderr, new RegExp(`\\[${label}: 8 tokens in [\\d.]+ s`));
  }
});

test('the OpenAI SDK Python examples compile (no Python package index here to install the SDK)', async () => {
  const files = ['openai_chat.py', 'openai_stream.py', 'openai_setup.py'].map((f) => `${clients}/python/${f}`);
  const { code, stderr } = await client('python3', ['-c',
    'import sys\nfor f in sys.argv[1:]: compile(open(f).read(), f, "exec")', ...files]);
  assert.equal(code, 0, stderr);
});
