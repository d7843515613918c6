// The chat page in headless Chromium against a real `qwenrt serve` on the tiny random-weight model:
// streaming, stop, multi-turn history, settings, errors, the API key, restored conversations and
// copying. A screenshot of the page is left in the build folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { freePort, startServe } from '../serve_fixture.mjs';

// The browser driver is one of the test tools in tests/js (scripts/setup.sh installs them).
const { chromium } = createRequire(new URL('../../js/package.json', import.meta.url))('playwright-core');

let server;
let browser;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qwenrt-chromium-'));  // a fresh browser profile

// Debian's Chromium; without the background-networking flags its connections are refused here.
async function launchBrowser() {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh page (empty localStorage) whose script errors fail the test, and the bodies of the chat
// requests it sends.
async function openPage(baseUrl = server.baseUrl) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const requests = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/chat/completions')) requests.push(JSON.parse(request.postData()));
  });
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  return { page, errors, requests };
}

const answers = (page) => page.locator('.message.assistant');
const lastAnswer = (page) => answers(page).last();

async function send(page, text) {
  await page.fill('#prompt', text);
  await page.press('#prompt', 'Enter');
}

async function setField(page, id, value) {
  await page.fill(`#${id}`, String(value));
}

// Waits for an answer to end; returns how: done, stopped or error.
async function finished(answer) {
  const handle = await answer.elementHandle();
  await answer.page().waitForFunction((item) => item.dataset.state !== 'streaming', handle, { timeout: 120_000 });
  return answer.getAttribute('data-state');
}

// Waits until the server's /metrics shows no request running.
async function waitUntilIdle() {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    if (/^qwenrt_num_requests_running 0$/m.test(metrics)) return;
    assert.ok(Date.now() < deadline, `requests still running:\n${metrics}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  server = await startServe();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  fs.rmSync(profile, { recursive: true, force: true });
  assert.equal(await server?.stop(), 0, 'graceful shutdown');
});

test('an answer streams in as it is generated; Stop ends it mid-way and the next turn carries it', async () => {
  const { page, errors, requests } = await openPage();
  const models = await (await fetch(`${server.baseUrl}/v1/models`)).json();
  await page.locator('#model-name', { hasText: models.data[0].id }).waitFor();
  await setField(page, 'system-prompt', 'You are terse.');
  await page.uncheck('#thinking');
  await send(page, 'Tell me a very long story.');  // no token limit: it may run to the end of the context

  // The text is on the page, and grows, while the answer is still being generated.
  const answer = lastAnswer(page);
  const content = answer.locator('.content');
  await answer.locator('.content:not(:empty)').waitFor();
  const first = (await content.textContent()).length;
  const seen = await page.waitForFunction(([item, length]) => {
    if (item.dataset.state !== 'streaming') return 'ended';
    return item.querySelector('.content').textContent.length > length ? 'grew' : false;
  }, [await answer.elementHandle(), first]);
  assert.equal(await seen.jsonValue(), 'grew');

  await page.click('#stop');
  assert.equal(await finished(answer), 'stopped');
  const partial = await content.textContent();
  assert.ok(partial.length > first, 'the partial answer stays');
  assert.match(await answer.locator('.stats').textContent(), /stopped after [\d.]+ s/);
  assert.ok(await page.isVisible('#send'));
  assert.ok(await page.isHidden('#stop'));
  // The server stops generating (its metrics show nothing running), and nothing more reaches the page.
  await waitUntilIdle();
  assert.equal(await content.textContent(), partial);

  await setField(page, 'max-tokens', 48);
  await setField(page, 'temperature', 0);
  await send(page, 'And now a short one.');
  const second = lastAnswer(page);
  assert.equal(await finished(second), 'done');
  assert.ok((await second.locator('.content').textContent()).length > 0);
  assert.match(await second.locator('.stats').textContent(),
    /^48 tokens · [\d.]+ tokens\/s · first token [\d.]+ s · cut at the token limit$/);

  assert.equal(requests.length, 2);
  assert.equal(requests[0].model, models.data[0].id);
  assert.equal(requests[0].stream, true);
  assert.deepEqual(requests[0].stream_options, { include_usage: true });
  assert.deepEqual(requests[0].chat_template_kwargs, { enable_thinking: false });
  assert.equal(requests[0].max_tokens, undefined);
  assert.equal(requests[1].max_tokens, 48);
  assert.equal(requests[1].temperature, 0);
  const history = requests[1].messages;
  assert.deepEqual(history.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
  assert.equal(history[0].content, 'You are terse.');
  assert.equal(history[1].content, 'Tell me a very long story.');
  assert.equal(history[2].content.length > 0, true, 'the stopped answer is part of the history');
  assert.equal(history[3].content, 'And now a short one.');
  assert.deepEqual(errors, []);

  await page.screenshot({ path: path.join(process.cwd(), 'chat_page.png'), fullPage: true });
  await page.close();
});

test('a refused request shows the server\'s error and can be retried', async () => {
  const { page, requests } = await openPage();
  await setField(page, 'max-tokens', 1000000);  // beyond the model's context
  await send(page, 'Hi');
  const answer = lastAnswer(page);
  assert.equal(await finished(answer), 'error');
  const error = await answer.locator('.error').textContent();
  assert.match(error, /max_tokens/, error);
  assert.match(error, /HTTP 400/, error);

  await setField(page, 'max-tokens', 4);
  await answer.locator('.retry-button').click();
  assert.equal(await finished(lastAnswer(page)), 'done');
  assert.equal(await answers(page).count(), 1, 'the failed answer is replaced');
  assert.equal(requests.at(-1).max_tokens, 4);
  await page.close();
});

test('a conversation survives a reload; New chat clears it', async () => {
  const { page } = await openPage();
  await setField(page, 'max-tokens', 4);
  await send(page, 'Remember me');
  assert.equal(await finished(lastAnswer(page)), 'done');
  const shown = () => page.locator('.message .content, .message .stats, .reasoning-text').allTextContents();
  const before = await shown();
  await page.reload();
  assert.deepEqual(await shown(), before);
  assert.equal(await page.inputValue('#max-tokens'), '4', 'settings are kept too');
  await page.click('#new-chat');
  assert.equal(await page.locator('.message').count(), 0);
  await page.reload();
  assert.equal(await page.locator('.message').count(), 0);
  await page.close();
});

test('answers render as Markdown with copy buttons on code and on the whole answer', async () => {
  const markdown = '## Steps\n\n1. **Build** it\n2. Run `qwenrt serve`\n\n```sh\necho "<done>"\n```';
  const page = await browser.newPage();
  await page.goto(server.baseUrl);
  await page.evaluate((content) => {
    localStorage.setItem('qwenrt.conversation', JSON.stringify([
      { role: 'user', content: 'How?' },
      { role: 'assistant', content, reasoning: 'First, think.', state: 'done', stats: '20 tokens' },
    ]));
  }, markdown);
  await page.reload();
  const answer = lastAnswer(page);
  assert.equal(await answer.locator('h2').textContent(), 'Steps');
  assert.equal(await answer.locator('ol > li strong').textContent(), 'Build');
  assert.equal(await answer.locator('li code').textContent(), 'qwenrt serve');
  assert.equal(await answer.locator('pre code').textContent(), 'echo "<done>"');
  assert.equal(await answer.locator('.reasoning-text').textContent(), 'First, think.');
  assert.equal(await answer.locator('.reasoning').getAttribute('open'), null, 'thinking starts folded');

  await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  await answer.locator('.code-block .copy-button').click();
  await answer.locator('.code-block .copy-button', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'echo "<done>"');
  await answer.locator('.meta .copy-button').click();
  await answer.locator('.meta .copy-button', { hasText: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), markdown);
  await page.close();
});

test('on the --ui-port of a server with --api-key the page asks for the key, then sends it', async () => {
  const uiPort = await freePort();
  const guarded = await startServe(['--api-key', 'sesame', '--ui-port', String(uiPort)]);
  try {
    const { page, errors } = await openPage(`http://127.0.0.1:${uiPort}`);
    await page.locator('#notice', { hasText: 'API key' }).waitFor();
    assert.equal(await page.textContent('#model-name'), 'not connected');
    await page.fill('#api-key', 'sesame');
    await page.locator('#notice').waitFor({ state: 'hidden' });
    await setField(page, 'max-tokens', 4);
    await send(page, 'Hi');
    assert.equal(await finished(lastAnswer(page)), 'done');
    await page.reload();
    assert.equal(await page.inputValue('#api-key'), 'sesame', 'the key is kept in localStorage');
    assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
    await page.close();
  } finally {
    assert.equal(await guarded.stop(), 0);
  }
});
