// Writes the tokenizer test corpus: OUT_DIR/corpus.jsonl, one JSON string (a document chunk of 0 to a
// few KB) per line, and OUT_DIR/corpus_nfc.jsonl, the NFC form of each line. Deterministic: every
// part draws from its own seeded generator, and the material comes from Node.js's ICU data, the
// pinned npm packages and Debian's C++ headers, so the corpus changes only when those do.
// Usage: node make_corpus.mjs OUT_DIR
import fs from "node:fs";
import path from "node:path";
import { LOCALES, naturalLanguageDocuments, wordsOf } from "./corpus/natural_language.mjs";
import { Random } from "./corpus/random.mjs";
import { sourceCodeDocuments } from "./corpus/source_code.mjs";
import { contractionDocuments, tinyAndLongLines, whitespaceDocuments } from "./corpus/spacing_and_contractions.mjs";
import { specialTokenDocuments } from "./corpus/special_tokens.mjs";
import { emojiDocuments, numberDocuments } from "./corpus/symbols.mjs";
import { checkRunsAssigned, codePointDocuments, normalisationDocuments } from "./corpus/unicode_samples.mjs";

const [outDir] = process.argv.slice(2);
if (!outDir) throw new Error("usage: node make_corpus.mjs OUT_DIR");
checkRunsAssigned();

const KB = 1000;
const english = wordsOf(["en"]);
// Languages written with many precomposed letters: their NFD forms are the non-NFC text.
const accented = wordsOf(["vi", "fr", "pl", "cs", "el", "ro", "tr", "is", "ko", "yo", "hu", "de", "lt", "ru"]);

const parts = [
  ["natural language", naturalLanguageDocuments(1600 * KB)],
  ["source code", sourceCodeDocuments(1200 * KB)],
  ["special tokens", specialTokenDocuments(350 * KB, english)],
  ["emoji", emojiDocuments(250 * KB, english)],
  ["numbers", numberDocuments(250 * KB, english)],
  ["whitespace", whitespaceDocuments(300 * KB, english)],
  ["contractions", contractionDocuments(150 * KB, english)],
  ["non-NFC and marks", normalisationDocuments(250 * KB, accented)],
  ["random code points", codePointDocuments(350 * KB)],
  ["tiny and long lines", tinyAndLongLines()],
];

// Shuffled, so that any slice of the corpus has some of every part.
const lines = new Random("line-order").shuffle(parts.flatMap(([, docs]) => docs));
// A lone surrogate has no UTF-8 form: it would make the line invalid input for every tokenizer.
const illFormed = lines.findIndex((line) => /\p{Cs}/u.test(line));
if (illFormed >= 0) throw new Error(`corpus line ${illFormed + 1} has a lone surrogate: ${JSON.stringify(lines[illFormed])}`);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, "corpus.jsonl"), lines.map((line) => JSON.stringify(line) + "\n").join(""));
fs.writeFileSync(path.join(outDir, "corpus_nfc.jsonl"),
  lines.map((line) => JSON.stringify(line.normalize("NFC")) + "\n").join(""));

const utf8Bytes = (docs) => docs.reduce((sum, doc) => sum + Buffer.byteLength(doc), 0);
console.log(`corpus: ${LOCALES.length} locales of Node.js ${process.version} (ICU ${process.versions.icu})`);
for (const [name, docs] of parts) {
  console.log(`  ${name.padEnd(20)} ${String(docs.length).padStart(6)} lines ${String(utf8Bytes(docs)).padStart(9)} bytes`);
}
const notNfc = lines.filter((line) => line.normalize("NFC") !== line).length;
const longest = Math.max(...lines.map((line) => Buffer.byteLength(line)));
console.log(`  ${"total".padEnd(20)} ${String(lines.length).padStart(6)} lines ${String(utf8Bytes(lines)).padStart(9)} bytes` +
  ` (${lines.filter((l) => l === "").length} empty, ${notNfc} not NFC, longest ${longest} bytes)`);
