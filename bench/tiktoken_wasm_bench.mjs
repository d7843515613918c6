// Single-thread encode speed of the tiktoken npm package (OpenAI's Rust tiktoken compiled to WASM) on
// the tokenizer test corpus, measured as bench/tokenizer_encode_bench.cpp measures qwenrt: every line
// encoded in turn as Qwen v1 encodes it (NFC, then tiktoken with the special tokens allowed), median
// MB/s (10^6 bytes of UTF-8 input per second) of several timed passes after a warm-up pass. JSON on stdout.
// Usage: node tiktoken_wasm_bench.mjs [--data-dir DIR] [--runs N]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadTiktoken, tiktokenEncodeV1 } from "../tests/js/qwen_reference.mjs";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { "data-dir": { type: "string", default: path.join(repo, ".testdata", "tokenizer") },
    runs: { type: "string", default: "5" } },
});
const dataDir = values["data-dir"];
const runs = Number(values.runs);

const lines = fs.readFileSync(path.join(dataDir, "corpus.jsonl"), "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l));
const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
const tiktoken = loadTiktoken(path.join(dataDir, "qwen.tiktoken"));

function encodeCorpus() {
  let tokens = 0;
  const start = performance.now();
  for (const line of lines) tokens += tiktokenEncodeV1(tiktoken, line).length;
  return { seconds: (performance.now() - start) / 1000, tokens };
}

const { tokens } = encodeCorpus();
const mbPerS = Array.from({ length: runs }, () => bytes / 1e6 / encodeCorpus().seconds);
const median = [...mbPerS].sort((a, b) => a - b)[Math.floor(runs / 2)];
console.log(JSON.stringify({ tokenizer: "tiktoken-wasm", lines: lines.length, bytes, runs,
  results: [{ format: "qwen.tiktoken", tokens, median_mb_per_s: median, runs_mb_per_s: mbPerS }] }));
