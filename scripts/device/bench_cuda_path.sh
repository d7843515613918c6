#!/usr/bin/env bash
# Runs on the GPU machine: the speed of the CUDA path and where its time goes. The linear-layer
# benchmark (qwenrt's small-m kernel against cuBLASLt, both against the device's copy rate), `qwenrt
# bench latency --device cuda` on a full-size qwen2.5-7b-shaped bf16 checkpoint (batch 1 and 8), then
# the duration of every kernel of a short run of it under Nsight Compute (one metric, clocks left
# alone), written as CSV for summing per kernel. Usage:
#   scripts/device/bench_cuda_path.sh SHARED_DIR BIN_DIR OUT_DIR
# BIN_DIR holds qwenrt and qwenrt_cuda_linear_bench built for sm_90a.
set -uo pipefail
shared="$1"
bin="$2"
out="$3"
mkdir -p "$out"
work=$(mktemp -d)
timeout 120 "$bin/qwenrt_cuda_linear_bench" 2>&1 | tee "$out/linear_bench.txt"
python3 "$shared/make_random_qwen.py" --preset qwen2.5-7b --dtype bfloat16 --out "$work/q7" | tail -1
for batch in 1 8; do
  timeout 120 "$bin/qwenrt" bench latency -m "$work/q7" --device cuda --input-len 128 --output-len 256 \
    --batch "$batch" --json | tee "$out/bench_latency_qwen2.5-7b_cuda_b$batch.json"
done
# Five forward passes: warm-up prefill and decode, timed prefill, two timed decode steps.
timeout 200 ncu --clock-control none --metrics gpu__time_duration.sum --csv --log-file "$out/ncu_decode.csv" \
  "$bin/qwenrt" bench latency -m "$work/q7" --device cuda --input-len 16 --output-len 3 --json > /dev/null
echo "ncu exit status $?, $(wc -l < "$out/ncu_decode.csv") lines"
rm -rf "$work"
