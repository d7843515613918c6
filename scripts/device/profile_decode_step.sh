#!/usr/bin/env bash
# Runs on the GPU machine: where one decode step of a model goes, kernel by kernel. Nsight Compute
# times every kernel of the last step of `qwenrt bench latency --no-cuda-graphs --input-len 128
# --output-len 3` one at a time (INPUT_LEN=N for another prompt length), caches left warm (COLD=1
# flushes them before each kernel, ncu's default). Beside the sum it prints the graph-replayed ms/step
# of the same batch (contexts of 128-256 there, 130 here with the default prompt): at small batches
# their difference is mostly what the boundaries between kernels cost. Usage:
#   scripts/device/profile_decode_step.sh BIN_DIR MODEL_DIR BATCH OUT_DIR
set -uo pipefail
bin="$1"
model="$2"
batch="$3"
out="$4"
mkdir -p "$out"
cache_control=none
input_len="${INPUT_LEN:-128}"
[[ "${COLD:-0}" == 1 ]] && cache_control=all
timeout 120 "$bin/qwenrt" bench latency -m "$model" --device cuda --batch "$batch" --input-len "$input_len" --output-len 128 \
  --json > "$out/latency_b$batch.json" || echo "bench latency: exit status $?"
timeout 300 ncu --cache-control "$cache_control" --clock-control none --metrics gpu__time_duration.sum --csv \
  "$bin/qwenrt" bench latency -m "$model" --device cuda --batch "$batch" --input-len "$input_len" --output-len 3 \
  --no-cuda-graphs > "$out/ncu_b$batch.csv" 2> "$out/ncu_b$batch.err" || echo "ncu: exit status $?"
python3 - "$out/ncu_b$batch.csv" "$out/latency_b$batch.json" <<'PY'
import collections, csv, json, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
head, rows = rows[0], rows[1:]
name_at, value_at, unit_at = head.index("Kernel Name"), head.index("Metric Value"), head.index("Metric Unit")
# Every step starts with the embedding gather; the last step is a decode step.
steps, current = [], []
for r in rows:
    if "embedding_gather" in r[name_at] and current:
        steps.append(current)
        current = []
    current.append(r)
steps.append(current)
scale = {"nsecond": 1e-3, "ns": 1e-3, "usecond": 1.0, "us": 1.0, "msecond": 1e3, "ms": 1e3}
per_kernel = collections.defaultdict(lambda: [0.0, 0])
for r in steps[-1]:
    us = float(r[value_at].replace(",", "")) * scale[r[unit_at]]
    entry = per_kernel[r[name_at].split("(")[0].replace("void ", "")[:80]]
    entry[0] += us
    entry[1] += 1
total = sum(t for t, _ in per_kernel.values())
try:
    step_ms = json.load(open(sys.argv[2]))["decode_ms_per_step"]
    replayed = f"; a graph-replayed step takes {step_ms * 1e3:.0f} us"
except Exception:
    replayed = ""
print(f"last decode step: {len(steps[-1])} kernels, {total:.0f} us of kernel time{replayed}")
for name, (t, n) in sorted(per_kernel.items(), key=lambda kv: -kv[1][0]):
    print(f"{t:9.1f} us {100 * t / total:5.1f}% {n:4d}x  {name}")
PY
