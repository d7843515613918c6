#!/usr/bin/env bash
# Compares qwenrt's single-thread encode speed with the tiktoken npm package (WASM) on the tokenizer test
# corpus, in one run so both see the same machine load. Both encode the same text to the same ids (the
# exactness tests check qwenrt's ids against tiktoken's). Prints both JSON reports and a table.
# Usage: bench/tokenizer_bench.sh [BUILD_DIR (default: build)] [RUNS (default: 5)]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build}"
runs="${2:-5}"
data="$repo/.testdata/tokenizer"

"$repo/scripts/make_testdata.sh" >&2
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "tokenizer_bench: $build is not a configured build directory (cmake -S $repo -B $build ...)" >&2
  exit 1
fi
cmake --build "$build" --target qwenrt_tokenizer_bench >&2

qwenrt_json="$("$build/bench/qwenrt_tokenizer_bench" --data-dir "$data" --runs "$runs")"
wasm_json="$(node "$repo/bench/tiktoken_wasm_bench.mjs" --data-dir "$data" --runs "$runs")"
echo "$qwenrt_json"
echo "$wasm_json"

node - "$qwenrt_json" "$wasm_json" <<'JS'
const [qwenrt, wasm] = process.argv.slice(2).map((text) => JSON.parse(text));
const wasmSpeed = wasm.results[0].median_mb_per_s;
console.log(`\ncorpus: ${qwenrt.lines} lines, ${(qwenrt.bytes / 1e6).toFixed(2)} MB; median of ${qwenrt.runs} runs, one thread`);
console.log("| vocabulary     | qwenrt MB/s | tiktoken-wasm MB/s | qwenrt / tiktoken-wasm |");
console.log("|----------------|-------------|--------------------|------------------------|");
for (const r of qwenrt.results) {
  console.log(`| ${r.format.padEnd(14)} | ${r.median_mb_per_s.toFixed(2).padStart(11)} | ${wasmSpeed.toFixed(2).padStart(18)} |` +
    ` ${(r.median_mb_per_s / wasmSpeed).toFixed(2).padStart(21)}x |`);
}
JS
