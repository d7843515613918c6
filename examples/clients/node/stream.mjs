// One question, the answer printed token by token as the server streams it, with OpenAI's official
// Node.js SDK. Ctrl-C stops the answer: aborting the request closes the connection, and the server
// stops generating for it at once.
//   npm ci && node stream.mjs --base-url http://localhost:8000/v1 "Write a haiku about GPUs."
import { clientOptions, reportError, withModel } from './options.mjs';

const { client, request } = clientOptions();
try {
  const stream = await client.chat.completions.create({
    ...(await withModel(client, request)),
    stream: true,
    stream_options: { include_usage: true },  // a last chunk with the token counts
  });
  process.once('SIGINT', () => stream.controller.abort());
  let usage = null;
  for await (const chunk of stream) {
    // Qwen3's thinking arrives as reasoning_content (not in OpenAI's types, so read it as is).
    const delta = chunk.choices[0]?.delta ?? {};
    if (delta.reasoning_content) process.stderr.write(delta.reasoning_content);
    if (delta.content) process.stdout.write(delta.content);
    if (chunk.usage) usage = chunk.usage;
  }
  process.stdout.write('\n');
  if (usage) console.error(`[${usage.completion_tokens} tokens]`);
} catch (error) {
  if (error.name === 'APIUserAbortError') {
    console.error('\n[stopped]');
  } else {
    reportError(error);
  }
}
