#!/usr/bin/env bash
# Runs on the GPU machine: the CUDA tests, the CUDA path against transformers on layer-reduced
# checkpoints of real width, and compute-sanitizer over the kernel tests (bench_cuda_path.sh times
# it). Every stage runs (and is time-limited) even if an earlier one fails; the logs say which passed.
# Usage:
#   [STAGES="tests real-width sanitizer"] [PRESETS="qwen2.5-7b qwen3-8b qwen-7b-v1"] \
#     scripts/device/check_cuda_path.sh SHARED_DIR BIN_DIR OUT_DIR
# STAGES and PRESETS pick a part, for a device call short of time (both default to everything).
# SHARED_DIR holds make_random_qwen.py and hf_reference.py; BIN_DIR the qwenrt binary, the test
# binaries cuda_device_tests, cuda_kernel_tests, cuda_engine_tests, cuda_sampling_tests, engine_tests
# built for sm_90a, and source_dir.txt: the source folder they were built from.
set -uo pipefail
shared="$1"
bin="$2"
out="$3"
stages=" ${STAGES:-tests real-width sanitizer} "
presets="${PRESETS:-qwen2.5-7b qwen3-8b qwen-7b-v1}"
mkdir -p "$out"
work=$(mktemp -d)
# The test binaries find tests/data through the source path they were built with.
source_dir=$(cat "$bin/source_dir.txt")
if [[ ! -e "$source_dir" ]]; then mkdir -p "$(dirname "$source_dir")" && ln -s "$PWD" "$source_dir"; fi
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee "$out/tests.log"

[[ $stages == *" tests "* ]] && for t in cuda_device_tests cuda_kernel_tests cuda_engine_tests cuda_sampling_tests engine_tests; do
  echo "== $t" | tee -a "$out/tests.log"
  timeout 150 "$bin/$t" 2>&1 | tail -n 60 | tee -a "$out/tests.log"
  echo "exit status ${PIPESTATUS[0]}" | tee -a "$out/tests.log"
done

prompt="9707,11,1879,0,1,2,3,4,5,6,7,8,100,1000,10000,50000,100000,151000,13,198,220,42,777,31"
[[ $stages == *" real-width "* ]] && for preset in $presets; do
  python3 "$shared/make_random_qwen.py" --preset "$preset" --layers 2 --dtype bfloat16 --seed 3 --out "$work/$preset" | tail -1
  ref_model="$work/$preset"
  [[ -d "$work/$preset.qwen2" ]] && ref_model="$work/$preset.qwen2"
  python3 "$shared/hf_reference.py" --model "$ref_model" --prompt-ids "$prompt" --steps 16 --dtype float32 \
    --out "$work/$preset.hf.json" | tail -1
  # transformers itself in bf16: how far bf16 arithmetic alone moves the float32 answer (the floor).
  python3 "$shared/hf_reference.py" --model "$ref_model" --prompt-ids "$prompt" --steps 16 --dtype bfloat16 \
    --out "$work/$preset.hf-bf16.json" | tail -1
  for device in cuda cpu; do
    timeout 60 "$bin/qwenrt" eval reference -m "$work/$preset" --ids "$prompt" --steps 16 --device "$device" \
      --out "$work/$preset.$device.json"
  done
  # Dependent launches (kernels/cuda/dependent_launch.cuh) only move kernels' start times: with them
  # switched off the logits must be the same bits.
  QWENRT_NO_DEPENDENT_LAUNCH=1 timeout 60 "$bin/qwenrt" eval reference -m "$work/$preset" --ids "$prompt" --steps 16 \
    --device cuda --out "$work/$preset.cuda-ordinary.json"
  if cmp -s "$work/$preset.cuda.json" "$work/$preset.cuda-ordinary.json"; then
    echo "== $preset: dependent launches on and off give identical logits" | tee -a "$out/real_width.txt"
  else
    echo "== $preset: dependent launches on and off DIFFER" | tee -a "$out/real_width.txt"
  fi
  {
    echo "== $preset, 2 layers, bf16 weights: transformers (float32) vs qwenrt CUDA"
    "$bin/qwenrt" eval compare "$work/$preset.hf.json" "$work/$preset.cuda.json"
    echo "== $preset: transformers (float32) vs transformers (bfloat16)"
    "$bin/qwenrt" eval compare "$work/$preset.hf.json" "$work/$preset.hf-bf16.json"
    echo "== $preset: qwenrt CPU vs qwenrt CUDA"
    "$bin/qwenrt" eval compare "$work/$preset.cpu.json" "$work/$preset.cuda.json"
    # Where the top-1 differs: transformers' own margin between its choice and the GPU's there.
    python3 - "$work/$preset.hf.json" "$work/$preset.cuda.json" <<'PY'
import json, sys
hf, gpu = (json.load(open(f)) for f in sys.argv[1:3])
for p, (a, b) in enumerate(zip(hf["top20"], gpu["top20"])):
    if a[0][0] != b[0][0]:
        other = dict(a).get(b[0][0])
        margin = "not in its top 20" if other is None else f"{a[0][1] - other:.5f}"
        print(f"position {p}: top-1 {a[0][0]} (transformers) vs {b[0][0]} (CUDA); transformers' margin {margin}")
PY
  } 2>&1 | tee -a "$out/real_width.txt"
  rm -rf "$work/$preset" "$work/$preset.qwen2"
done

[[ $stages == *" sanitizer "* ]] && echo "== compute-sanitizer memcheck, cuda_kernel_tests (without the long-context case) and cuda_sampling_tests" \
  | tee "$out/sanitizer.log"
[[ $stages == *" sanitizer "* ]] && for t in "cuda_kernel_tests --gtest_filter=-*LongContexts*" "cuda_sampling_tests --gtest_filter=*Greedy*:*Logprobs*"; do
  timeout 90 compute-sanitizer --tool memcheck $bin/$t 2>&1 | tail -n 8 | tee -a "$out/sanitizer.log"
done
rm -rf "$work"
