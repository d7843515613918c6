// Source code cut into chunks at line boundaries: the TypeScript and JavaScript of the pinned npm test
// tools, and C++ headers of the packages scripts/setup.sh installs (libstdc++, ICU, nlohmann-json,
// GoogleTest). Both are fixed for a given package-lock.json and Debian release; qwenrt's own sources
// are left out so that editing them does not change the corpus.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Random } from "./random.mjs";

const NODE_MODULES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules");
const NPM_SOURCES = ["@huggingface/jinja/src", "@huggingface/jinja/README.md", "@lenml/tokenizers/src",
  "@lenml/tokenizers/readme.md", "tiktoken/README.md", "tiktoken/lite"];
const SOURCE_EXTENSIONS = new Set([".ts", ".js", ".cjs", ".mjs", ".md", ".h", ".hpp", ".tcc", ""]);

function listFiles(root) {
  if (!fs.existsSync(root)) return [];
  if (fs.statSync(root).isFile()) return [root];
  return fs.readdirSync(root, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(root, entry.name);
      if (entry.isDirectory()) return listFiles(full);
      return entry.isFile() && SOURCE_EXTENSIONS.has(path.extname(entry.name)) ? [full] : [];
    });
}

// The newest libstdc++ of /usr/include/c++ and the other headers the build depends on.
export function headerRoots() {
  const cxx = "/usr/include/c++";
  const versions = fs.existsSync(cxx) ? fs.readdirSync(cxx).filter((v) => /^\d+$/.test(v)) : [];
  if (versions.length === 0) throw new Error(`${cxx}: no libstdc++ headers (run scripts/setup.sh)`);
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return [path.join(cxx, newest), "/usr/include/unicode", "/usr/include/nlohmann", "/usr/include/gtest"];
}

function chunksOf(text, random) {
  const lines = text.split(/(?<=\n)/);
  const chunks = [];
  let chunk = "";
  let target = random.length(4000);
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= target) {
      chunks.push(chunk);
      chunk = "";
      target = random.length(4000);
    }
  }
  if (chunk) chunks.push(chunk);
  return chunks;
}

// Every chunk of the npm sources, then chunks of randomly chosen headers up to about targetBytes.
export function sourceCodeDocuments(targetBytes) {
  const random = new Random("source-code");
  const documents = [];
  let bytes = 0;
  const take = (file) => {
    for (const chunk of chunksOf(fs.readFileSync(file, "utf8"), random)) {
      documents.push(chunk);
      bytes += Buffer.byteLength(chunk);
    }
  };
  NPM_SOURCES.flatMap((source) => listFiles(path.join(NODE_MODULES, source))).forEach(take);
  const headers = random.shuffle(headerRoots().flatMap(listFiles));
  for (const file of headers) {
    if (bytes >= targetBytes) break;
    take(file);
  }
  return documents;
}
