#!/usr/bin/env bash
# Runs on the GPU machine: the decode speed of two qwenrt binaries side by side in one call, since the
# peer of a kernel change is the binary before it on the same machine (machines of the pool differ by
# about 2%). `qwenrt bench latency --input-len 128 --output-len 256` (INPUT_LEN=N for another prompt
# length) at each batch, the two binaries alternating so that neither always finds the GPU warmer.
# MODEL is a checkpoint folder, or a preset of make_random_qwen.py (full size, bf16) written for the
# run. Each run's JSON goes to OUT_DIR; a table of the pairs with their decode ratio, and of their
# prefill ratio, ends the output. Usage:
#   scripts/device/compare_latency.sh SHARED_DIR BASE_BIN NEW_BIN MODEL "BATCHES" OUT_DIR [DEVICE]
# BASE_BIN and NEW_BIN are qwenrt executables; DEVICE defaults to cuda.
set -uo pipefail
shared="$1"
base="$2"
new="$3"
model="$4"
batches="$5"
out="$6"
device="${7:-cuda}"
input_len="${INPUT_LEN:-128}"
mkdir -p "$out"
work=$(mktemp -d)
if [[ ! -d "$model" ]]; then
  python3 "$shared/make_random_qwen.py" --preset "$model" --dtype bfloat16 --out "$work/model" | tail -1
  model="$work/model"
fi
for b in $batches; do
  for side in base new; do
    bin="$base"
    [[ "$side" == new ]] && bin="$new"
    timeout 240 "$bin" bench latency -m "$model" --device "$device" --batch "$b" --input-len "$input_len" --output-len 256 \
      --json > "$out/b$b-$side.json" || echo "batch $b, $side: exit status $?"
  done
done
rm -rf "$work"

python3 - "$out" $batches <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
def rate(batch, side, key):
    text = (out / f"b{batch}-{side}.json").read_text()
    return json.loads(text)[key] if text else float("nan")
for key in ("decode_tokens_per_s", "prefill_tokens_per_s"):
    print(f"{key}:")
    print(f"{'batch':>5} {'base tok/s':>11} {'new tok/s':>10} {'new/base':>9}")
    for batch in sys.argv[2:]:
        b, n = rate(batch, "base", key), rate(batch, "new", key)
        print(f"{batch:>5} {b:11.1f} {n:10.1f} {n / b:9.3f}")
PY
