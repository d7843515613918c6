// The options both examples take, from the command line or the environment variables OpenAI's SDKs
// read themselves (OPENAI_BASE_URL, OPENAI_API_KEY), and the client they make.
import OpenAI from 'openai';
import { parseArgs } from 'node:util';

const USAGE = `usage: node ${process.argv[1].split('/').pop()} [--base-url URL] [--api-key KEY] [--model NAME]
       [--system TEXT] [--max-tokens N] [--temperature T] [--no-thinking] MESSAGE`;

export function clientOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'base-url': { type: 'string', default: process.env.OPENAI_BASE_URL ?? 'http://localhost:8000/v1' },
        // The SDK insists on a key; a server started without --api-key accepts any.
        'api-key': { type: 'string', default: process.env.OPENAI_API_KEY ?? 'none' },
        model: { type: 'string', default: process.env.OPENAI_MODEL },
        system: { type: 'string' },
        'max-tokens': { type: 'string', default: '256' },
        temperature: { type: 'string' },
        'no-thinking': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const client = new OpenAI({ baseURL: values['base-url'], apiKey: values['api-key'] });
  const messages = [];
  if (values.system) messages.push({ role: 'system', content: values.system });
  messages.push({ role: 'user', content: positionals[0] });
  const request = { model: values.model, messages, max_tokens: Number(values['max-tokens']) };
  if (values.temperature !== undefined) request.temperature = Number(values.temperature);
  // Not part of OpenAI's API: qwenrt (like vLLM) passes it to the chat template, where Qwen3 reads it.
  if (values['no-thinking']) request.chat_template_kwargs = { enable_thinking: false };
  return { client, request };
}

// Without --model, the first model the server lists (qwenrt serves one).
export async function withModel(client, request) {
  if (request.model) return request;
  const page = await client.models.list();
  return { ...request, model: page.data[0].id };
}

// The SDK's APIError carries the server's status and OpenAI error object.
export function reportError(error) {
  if (error instanceof OpenAI.APIError) {
    console.error(`error ${error.status ?? ''}: ${error.error?.message ?? error.message}`);
  } else {
    console.error(`error: ${error.message}`);
  }
  process.exit(1);
}
