#!/usr/bin/env bash
# Runs on the GPU machine: the speed of the CUDA path. `qwenrt bench latency --device cuda` on
# full-size random checkpoints: qwen2.5-7b at batch 1 (with and without CUDA graphs, and with
# dependent launches switched off: the peers in the same run), 8, 32 and 64 decoding 256 tokens after
# 128, and a 512-token prefill; qwen3-8b and qwen2.5-0.5b at batch 1. Each run's JSON goes to OUT_DIR;
# a table of them ends the output. Usage:
#   scripts/device/bench_cuda_path.sh SHARED_DIR BIN_DIR OUT_DIR [PRESETS]
# BIN_DIR holds qwenrt built for sm_90a; PRESETS defaults to "qwen2.5-7b qwen3-8b qwen2.5-0.5b".
set -uo pipefail
shared="$1"
bin="$2"
out="$3"
presets="${4:-qwen2.5-7b qwen3-8b qwen2.5-0.5b}"
mkdir -p "$out"
work=$(mktemp -d)
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"

bench() {  # name model args...
  local name="$1" model="$2"
  shift 2
  timeout 240 "$bin/qwenrt" bench latency -m "$model" --device cuda --json "$@" > "$out/$name.json" \
    || echo "$name: exit status $?" | tee -a "$out/failures.txt"
}

for preset in $presets; do
  python3 "$shared/make_random_qwen.py" --preset "$preset" --dtype bfloat16 --out "$work/$preset" | tail -1
  if [[ "$preset" == qwen2.5-7b ]]; then
    bench "$preset-b1" "$work/$preset" --batch 1
    bench "$preset-b1-nographs" "$work/$preset" --batch 1 --no-cuda-graphs
    QWENRT_NO_DEPENDENT_LAUNCH=1 bench "$preset-b1-ordinary-launch" "$work/$preset" --batch 1
    for b in 8 32 64; do bench "$preset-b$b" "$work/$preset" --batch "$b"; done
    bench "$preset-prefill512" "$work/$preset" --batch 1 --input-len 512 --output-len 16
  else
    bench "$preset-b1" "$work/$preset" --batch 1
  fi
  rm -rf "$work/$preset" "$work/$preset.qwen2"
done
rm -rf "$work"

python3 - "$out" <<'PY'
import json, pathlib, sys
print(f"{'run':28} {'decode tok/s':>12} {'ms/step':>8} {'of bound':>8} {'prefill tok/s':>13} {'TTFT ms':>8} {'GPU MiB':>8}")
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    r = json.loads(f.read_text() or "{}")
    if not r:
        continue
    print(f"{f.stem:28} {r['decode_tokens_per_s']:12.1f} {r['decode_ms_per_step']:8.3f} "
          f"{100 * r['decode_fraction_of_bound']:7.1f}% {r['prefill_tokens_per_s']:13.0f} "
          f"{1e3 * r['ttft_seconds']:8.1f} {r['gpu_memory_in_use_bytes'] / 2**20:8.0f}")
print("copy rate GB/s:", ", ".join(f"{json.loads(f.read_text())['copy_bandwidth_gb_per_s']:.0f}"
                                   for f in sorted(pathlib.Path(sys.argv[1]).glob("*.json")) if f.read_text()))
PY
