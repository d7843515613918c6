// Renders every conversation of tests/data/chat_conversations.json with every real chat template in
// tests/data/chat_templates/ through @huggingface/jinja (the renderer transformers.js uses), and
// tokenizes each render as one string with the real Qwen vocabulary, as Hugging Face's
// apply_chat_template(tokenize=True) does. qwenrt's native templates must reproduce both.
// Usage: node render_chat.mjs OUT_DIR   (writes OUT_DIR/chat/<family>.json, one per template file)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "@huggingface/jinja";
import { loadTransformersTokenizer } from "./qwen_reference.mjs";

const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error("usage: node render_chat.mjs OUT_DIR");

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "data");
const templateDir = path.join(dataDir, "chat_templates");
const conversations = JSON.parse(fs.readFileSync(path.join(dataDir, "chat_conversations.json"), "utf8"));
const tokenizer = loadTransformersTokenizer({ recogniseAddedTokens: true });

// The variables transformers' apply_chat_template passes: tools only when given, enable_thinking only
// when the caller set it (Qwen3's template tests `enable_thinking is defined`).
function templateVariables(conversation) {
  const variables = {
    messages: conversation.messages,
    add_generation_prompt: conversation.add_generation_prompt ?? true,
  };
  if (conversation.tools) variables.tools = conversation.tools;
  if (conversation.enable_thinking !== undefined) variables.enable_thinking = conversation.enable_thinking;
  return variables;
}

const outChatDir = path.join(outDir, "chat");
fs.mkdirSync(outChatDir, { recursive: true });
for (const file of fs.readdirSync(templateDir).filter((f) => f.endsWith(".jinja")).sort()) {
  const template = new Template(fs.readFileSync(path.join(templateDir, file), "utf8"));
  const renders = conversations.map((conversation) => {
    const text = template.render(templateVariables(conversation));
    const ids = Array.from(tokenizer.encode(text, { add_special_tokens: false }));
    return { name: conversation.name, text, ids };
  });
  const family = path.basename(file, ".jinja");
  fs.writeFileSync(path.join(outChatDir, `${family}.json`), JSON.stringify({ template: file, renders }, null, 1));
  console.log(`chat/${family}.json: ${renders.length} renders`);
}
