// The OpenAI-compatible API as the chat page uses it: the model list, streamed chat completions,
// how stream chunks add up to an answer (with Qwen3's thinking kept apart) and the line of
// statistics under each answer. No DOM here, so Node's test runner checks it too.

import { readServerSentEvents } from './sse.mjs';

// A failed request, carrying OpenAI's error object: {message, type, param, code}.
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.name = 'ApiError';
    this.status = status;
    this.type = error.type ?? null;
    this.param = error.param ?? null;
    this.code = error.code ?? null;
  }
}

function headers(apiKey) {
  const h = { 'Content-Type': 'application/json' };
  if (apiKey) h.Authorization = `Bearer ${apiKey}`;
  return h;
}

// OpenAI's error JSON when the server sent one; otherwise whatever text came, so nothing is hidden.
async function errorOf(response) {
  const text = await response.text();
  try {
    const error = JSON.parse(text).error;
    if (error && typeof error.message === 'string') return new ApiError(response.status, error);
  } catch {
    // not JSON: reported as text below
  }
  const message = text.trim() || `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, { message, type: 'http_error' });
}

// The ids of the models the server offers (GET /v1/models).
export async function listModels({ baseUrl = '', apiKey = '', signal } = {}) {
  const response = await fetch(`${baseUrl}/v1/models`, { headers: headers(apiKey), signal });
  if (!response.ok) throw await errorOf(response);
  const list = await response.json();
  return (list.data ?? []).map((m) => m.id);
}

// POST /v1/chat/completions with stream: true and usage in the last chunk; yields each chunk object.
// An error the server reports in the middle of the stream is thrown as an ApiError.
export async function* streamChatCompletion({ baseUrl = '', apiKey = '', request, signal }) {
  const body = { ...request, stream: true, stream_options: { include_usage: true } };
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: headers(apiKey),
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await errorOf(response);
  for await (const event of readServerSentEvents(response.body)) {
    if (event.data === '[DONE]') return;
    const chunk = JSON.parse(event.data);
    if (chunk.error) throw new ApiError(response.status, chunk.error);
    yield chunk;
  }
}

export function emptyAnswer() {
  return { content: '', reasoning: '', finishReason: null, usage: null };
}

// Adds a chunk's first choice and usage to answer; returns whether it carried any text.
export function applyChunk(answer, chunk) {
  if (chunk.usage) answer.usage = chunk.usage;
  const choice = chunk.choices?.[0];
  if (!choice) return false;
  const delta = choice.delta ?? {};
  // vLLM names the field reasoning_content; newer servers call it reasoning.
  const reasoning = delta.reasoning_content ?? delta.reasoning ?? '';
  const content = delta.content ?? '';
  answer.reasoning += reasoning;
  answer.content += content;
  if (choice.finish_reason) answer.finishReason = choice.finish_reason;
  return reasoning !== '' || content !== '';
}

// Qwen3's thinking when the server leaves it in the content: "<think>...</think>answer", or only
// "...</think>answer" where the template opened the block in the prompt. An unclosed block is all
// thinking so far.
export function splitThinking(content) {
  const text = content.trimStart();
  if (text.startsWith('<think>')) {
    const end = text.indexOf('</think>');
    if (end < 0) return { reasoning: text.slice(7).trim(), answer: '' };
    return { reasoning: text.slice(7, end).trim(), answer: text.slice(end + 8).trimStart() };
  }
  const end = text.indexOf('</think>');
  if (end >= 0) return { reasoning: text.slice(0, end).trim(), answer: text.slice(end + 8).trimStart() };
  return { reasoning: '', answer: content };
}

// The line under an answer. Decode speed counts the tokens after the first over the time after the
// first, so the prompt's processing (shown as the time to the first token) does not dilute it.
// Times are in milliseconds.
export function formatStats({ usage, finishReason, started, firstToken, ended, stopped }) {
  const parts = [];
  const tokens = usage?.completion_tokens;
  if (typeof tokens === 'number') parts.push(`${tokens} token${tokens === 1 ? '' : 's'}`);
  if (typeof tokens === 'number' && tokens > 1 && firstToken != null && ended > firstToken) {
    parts.push(`${(((tokens - 1) * 1000) / (ended - firstToken)).toFixed(1)} tokens/s`);
  }
  if (firstToken != null) parts.push(`first token ${((firstToken - started) / 1000).toFixed(2)} s`);
  if (stopped) parts.push(`stopped after ${((ended - started) / 1000).toFixed(1)} s`);
  if (finishReason === 'length') parts.push('cut at the token limit');
  return parts.join(' · ');
}
