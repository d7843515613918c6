// Encodes every line of OUT_DIR/corpus.jsonl with one reference tokenizer and writes the ids, one JSON
// array per line:
//   hf-parse  -> ref_hf_parse.jsonl  transformers.js on tokenizer.json, added tokens recognised (the
//                                    Hugging Face default)
//   hf-plain  -> ref_hf_plain.jsonl  the same without added tokens: "<|im_start|>" is plain text
//   tiktoken  -> ref_tiktoken.jsonl  tiktoken (WASM) on qwen.tiktoken, as Qwen v1 encodes: NFC first,
//                                    every v1 special token allowed
// Usage: node make_references.mjs KIND OUT_DIR
import fs from "node:fs";
import path from "node:path";
import { loadTiktoken, loadTransformersTokenizer, tiktokenEncodeV1 } from "./qwen_reference.mjs";

const [kind, outDir] = process.argv.slice(2);

function encoderFor(kind) {
  switch (kind) {
    case "hf-parse":
    case "hf-plain": {
      const tokenizer = loadTransformersTokenizer({ recogniseAddedTokens: kind === "hf-parse" });
      return (text) => tokenizer.encode(text);
    }
    case "tiktoken": {
      const tiktoken = loadTiktoken(path.join(outDir, "qwen.tiktoken"));
      return (text) => tiktokenEncodeV1(tiktoken, text);
    }
    default:
      throw new Error("usage: node make_references.mjs hf-parse|hf-plain|tiktoken OUT_DIR");
  }
}

const encode = encoderFor(kind);
const lines = fs.readFileSync(path.join(outDir, "corpus.jsonl"), "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l));
const started = performance.now();
const ids = lines.map((line) => JSON.stringify(encode(line)) + "\n");
const seconds = (performance.now() - started) / 1000;
const outFile = path.join(outDir, `ref_${kind.replace("-", "_")}.jsonl`);
fs.writeFileSync(outFile, ids.join(""));
console.log(`${path.basename(outFile)}: ${lines.length} lines in ${seconds.toFixed(1)} s`);
