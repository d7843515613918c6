// Writes qwen.tiktoken, Qwen v1's vocabulary file, from the Qwen2/3 tokenizer.json: the two share the
// same byte-level BPE. One line per base token, "base64(token bytes) rank", ranks 0..151642 (the
// token ids); the special tokens are not in the file (Qwen v1 appends them in code).
// Usage: node make_tiktoken_ranks.mjs OUT_FILE
import fs from "node:fs";
import { byteLevelCharToByte, readTokenizerJson, V1_BASE_VOCAB_SIZE } from "./qwen_reference.mjs";

const [outFile] = process.argv.slice(2);
if (!outFile) throw new Error("usage: node make_tiktoken_ranks.mjs OUT_FILE");

const vocab = readTokenizerJson().model.vocab;
const charToByte = byteLevelCharToByte();
const tokens = new Array(V1_BASE_VOCAB_SIZE);
for (const [token, id] of Object.entries(vocab)) {
  if (!(id >= 0 && id < V1_BASE_VOCAB_SIZE) || tokens[id] !== undefined) {
    throw new Error(`tokenizer.json: vocabulary id ${id} of ${JSON.stringify(token)} is not a unique id below ${V1_BASE_VOCAB_SIZE}`);
  }
  const bytes = Array.from(token, (ch) => {
    const b = charToByte.get(ch);
    if (b === undefined) throw new Error(`tokenizer.json: token ${JSON.stringify(token)} has a non byte-level character`);
    return b;
  });
  tokens[id] = Buffer.from(bytes).toString("base64");
}
const missing = tokens.findIndex((t) => t === undefined);
if (missing >= 0) throw new Error(`tokenizer.json: no vocabulary entry has id ${missing}`);

fs.writeFileSync(outFile, tokens.map((b64, rank) => `${b64} ${rank}\n`).join(""));
console.log(`qwen.tiktoken: ${tokens.length} ranks`);
