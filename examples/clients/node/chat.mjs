// One question, one whole answer, with OpenAI's official Node.js SDK pointed at qwenrt.
//   npm ci && node chat.mjs --base-url http://localhost:8000/v1 "What is the capital of France?"
import { clientOptions, reportError, withModel } from './options.mjs';

const { client, request } = clientOptions();
try {
  const completion = await client.chat.completions.create(await withModel(client, request));
  const choice = completion.choices[0];
  console.log(choice.message.content);
  console.error(`[${completion.usage.completion_tokens} tokens, finish: ${choice.finish_reason}]`);
} catch (error) {
  reportError(error);
}
