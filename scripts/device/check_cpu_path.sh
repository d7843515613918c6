#!/usr/bin/env bash
# Runs on the GPU machine: qwenrt's CPU path against transformers on layer-reduced checkpoints of real
# width, then `qwenrt bench latency` on a full qwen2.5-0.5b-shaped bf16 checkpoint. Usage:
#   scripts/device/check_cpu_path.sh SHARED_DIR QWENRT_BINARY OUT_DIR
# SHARED_DIR holds make_random_qwen.py and hf_reference.py.
set -euo pipefail
shared="$1"
qwenrt="$2"
out="$3"
work=$(mktemp -d)
mkdir -p "$out"
prompt="9707,11,1879,0,1,2,3,4,5,6,7,8,100,1000,10000,50000,100000,151000,13,198,220,42,777,31"

for preset in qwen2.5-7b qwen3-8b qwen-7b-v1; do
  python3 "$shared/make_random_qwen.py" --preset "$preset" --layers 2 --dtype bfloat16 --seed 3 --out "$work/$preset"
  ref_model="$work/$preset"
  [[ -d "$work/$preset.qwen2" ]] && ref_model="$work/$preset.qwen2"
  python3 "$shared/hf_reference.py" --model "$ref_model" --prompt-ids "$prompt" --steps 16 --dtype float32 \
    --out "$work/$preset.hf.json"
  start=$(date +%s%N)
  "$qwenrt" eval reference --device cpu -m "$work/$preset" --ids "$prompt" --steps 16 --out "$work/$preset.qwenrt.json"
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  {
    echo "== $preset, 2 layers, bf16 weights: transformers (float32) vs qwenrt CPU (${elapsed_ms} ms)"
    "$qwenrt" eval compare "$work/$preset.hf.json" "$work/$preset.qwenrt.json"
  } | tee -a "$out/real_width.txt"
  rm -rf "$work/$preset" "$work/$preset.qwen2"
done

python3 "$shared/make_random_qwen.py" --preset qwen2.5-0.5b --dtype bfloat16 --out "$work/qwen2.5-0.5b"
for batch in 1 8; do
  "$qwenrt" bench latency --device cpu -m "$work/qwen2.5-0.5b" --input-len 128 --output-len 256 --batch "$batch" --json \
    | tee "$out/bench_latency_qwen2.5-0.5b_cpu_b$batch.json"
done
rm -rf "$work"
