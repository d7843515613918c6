// Cross-checks the reference ids of two independent implementations: tiktoken (Rust regex and BPE,
// compiled to WASM) and transformers.js (JavaScript RegExp with the Rust-semantics pattern, its own
// BPE). Where a line gives both the same input they must give the same ids, that is where Hugging
// Face's NFC (Unicode 9.0 tables) and Qwen v1's (current Unicode) agree, and
//  - the line's NFC holds no v1 special-token text: ref_hf_plain == ref_tiktoken;
//  - the line holds no added-token text of either format: ref_hf_parse == ref_tiktoken.
// Prints the counts and the first disagreements; exits with status 1 when there is any.
// Usage: node check_references.mjs OUT_DIR
import fs from "node:fs";
import path from "node:path";
import { huggingFaceNfc, readTokenizerJson, V1_SPECIAL_TOKENS } from "./qwen_reference.mjs";

const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error("usage: node check_references.mjs OUT_DIR");
const readJsonLines = (name) =>
  fs.readFileSync(path.join(outDir, name), "utf8").split("\n").slice(0, -1).map((l) => JSON.parse(l));

const corpus = readJsonLines("corpus.jsonl");
const hfParse = readJsonLines("ref_hf_parse.jsonl");
const hfPlain = readJsonLines("ref_hf_plain.jsonl");
const tiktoken = readJsonLines("ref_tiktoken.jsonl");
for (const [name, refs] of [["ref_hf_parse", hfParse], ["ref_hf_plain", hfPlain], ["ref_tiktoken", tiktoken]]) {
  if (refs.length !== corpus.length) throw new Error(`${name}.jsonl has ${refs.length} lines, corpus.jsonl ${corpus.length}`);
}

const addedTokens = readTokenizerJson().added_tokens.map((t) => t.content);
const v1Specials = Object.keys(V1_SPECIAL_TOKENS);
const holdsAny = (text, tokens) => tokens.some((t) => text.includes(t));
const sameIds = (a, b) => a.length === b.length && a.every((id, i) => id === b[i]);

function compare(name, expected, applies) {
  const disagreements = [];
  let compared = 0;
  corpus.forEach((line, i) => {
    const nfc = line.normalize("NFC");
    if (huggingFaceNfc(line) !== nfc || !applies(line, nfc)) return;
    ++compared;
    if (!sameIds(expected[i], tiktoken[i])) disagreements.push(i);
  });
  console.log(`${name} vs ref_tiktoken: ${compared} lines compared, ${disagreements.length} disagree`);
  for (const i of disagreements.slice(0, 5)) {
    const at = expected[i].findIndex((id, k) => id !== tiktoken[i][k]);
    console.log(`  line ${i + 1} ${JSON.stringify(corpus[i].slice(0, 120))}\n    first difference at id ${at}:` +
      ` ${JSON.stringify(expected[i].slice(at, at + 6))} vs ${JSON.stringify(tiktoken[i].slice(at, at + 6))}`);
  }
  return disagreements.length;
}

const nfcDiffers = corpus.filter((line) => huggingFaceNfc(line) !== line.normalize("NFC")).length;
console.log(`${nfcDiffers} lines left out: Hugging Face's NFC differs from the current one there`);
const failures =
  compare("ref_hf_plain", hfPlain, (_, nfc) => !holdsAny(nfc, v1Specials)) +
  compare("ref_hf_parse", hfParse, (line, nfc) => !holdsAny(line, addedTokens) && !holdsAny(nfc, v1Specials));
process.exit(failures === 0 ? 0 : 1);
