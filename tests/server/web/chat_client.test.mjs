// How the page adds stream chunks up to an answer, finds Qwen3's thinking and words the statistics
// line. (Requests against a live server are in chat_page.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyChunk, emptyAnswer, formatStats, splitThinking } from '../../../src/server/web/chat_client.mjs';

const chunk = (delta, finish = null) => ({
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

test('content and reasoning deltas add up; the usage-only last chunk carries no text', () => {
  const answer = emptyAnswer();
  assert.equal(applyChunk(answer, chunk({ role: 'assistant', content: '' })), false);
  assert.equal(applyChunk(answer, chunk({ reasoning_content: 'Let me think.' })), true);
  assert.equal(applyChunk(answer, chunk({ content: 'Hello' })), true);
  assert.equal(applyChunk(answer, chunk({ content: ', world' }, 'stop')), true);
  const usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 };
  assert.equal(applyChunk(answer, { object: 'chat.completion.chunk', choices: [], usage }), false);
  assert.deepEqual(answer, { content: 'Hello, world', reasoning: 'Let me think.', finishReason: 'stop', usage });
});

test('the newer "reasoning" field name is read too', () => {
  const answer = emptyAnswer();
  applyChunk(answer, chunk({ reasoning: 'hmm' }));
  assert.equal(answer.reasoning, 'hmm');
});

test('thinking left in the content is split from the answer, while it streams and after', () => {
  assert.deepEqual(splitThinking('<think>\nstep 1'), { reasoning: 'step 1', answer: '' });
  assert.deepEqual(splitThinking('<think>\nstep 1\n</think>\n\nThe answer'), { reasoning: 'step 1', answer: 'The answer' });
  assert.deepEqual(splitThinking('opened by the template</think>\nAnswer'), { reasoning: 'opened by the template', answer: 'Answer' });
  assert.deepEqual(splitThinking('<think>\n\n</think>\n\nNo thinking'), { reasoning: '', answer: 'No thinking' });
  assert.deepEqual(splitThinking('Plain answer'), { reasoning: '', answer: 'Plain answer' });
});

test('statistics: tokens, decode speed after the first token, time to first token, stop and length', () => {
  const usage = { completion_tokens: 11 };
  assert.equal(formatStats({ usage, started: 0, firstToken: 500, ended: 1500 }),
    '11 tokens · 10.0 tokens/s · first token 0.50 s');
  assert.equal(formatStats({ usage: { completion_tokens: 1 }, started: 0, firstToken: 200, ended: 200, finishReason: 'length' }),
    '1 token · first token 0.20 s · cut at the token limit');
  assert.equal(formatStats({ usage: null, started: 0, firstToken: 300, ended: 2345, stopped: true }),
    'first token 0.30 s · stopped after 2.3 s');
  assert.equal(formatStats({ usage: null, started: 0, firstToken: null, ended: 10 }), '');
});
