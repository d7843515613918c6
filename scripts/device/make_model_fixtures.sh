#!/usr/bin/env bash
# Runs on the GPU machine (PyTorch + transformers): writes the small random-weight checkpoints and the
# transformers reference outputs that tests/data/models holds. Usage:
#   scripts/device/make_model_fixtures.sh SHARED_DIR OUT_DIR
# SHARED_DIR holds make_random_qwen.py and hf_reference.py (the project's shared device scripts).
set -euo pipefail
shared="$1"
out="$2"
mkdir -p "$out"
work=$(mktemp -d)
prompt="3,141,59,265,358,97,93,238,46,264,338,327,95,2,88,419,71,69,399,37,510,58,209,74"
vocab=512

# name preset dtype config-style
fixtures=(
  "qwen2-f32 tiny-qwen2 float32 hub"
  "qwen2-bf16 tiny-qwen2 bfloat16 transformers5"
  "qwen3-f32 tiny-qwen3 float32 transformers5"
  "qwen3-bf16 tiny-qwen3 bfloat16 hub"
  "qwen-v1-f32 tiny-qwen-v1 float32 hub"
  "qwen-v1-bf16 tiny-qwen-v1 bfloat16 hub"
)
for f in "${fixtures[@]}"; do
  read -r name preset dtype style <<<"$f"
  python3 "$shared/make_random_qwen.py" --preset "$preset" --dtype "$dtype" --vocab "$vocab" --seed 7 \
    --config-style "$style" --out "$work/$name"
  # transformers has no Qwen v1 model: its reference comes from the same weights in Qwen2 layout.
  ref_model="$work/$name"
  [[ -d "$work/$name.qwen2" ]] && ref_model="$work/$name.qwen2"
  python3 "$shared/hf_reference.py" --model "$ref_model" --prompt-ids "$prompt" --steps 16 --dtype float32 \
    --out "$work/$name/reference.json"
  mkdir -p "$out/$name"
  cp "$work/$name"/{config.json,model.safetensors,reference.json} "$out/$name/"
  [[ -f "$work/$name/generation_config.json" ]] && cp "$work/$name/generation_config.json" "$out/$name/"
done
python3 - "$out" <<'PY'
import json, sys, pathlib
for ref in sorted(pathlib.Path(sys.argv[1]).glob("*/reference.json")):
    r = json.load(open(ref))
    r["model"] = ref.parent.name  # the folder name, not the device machine's temporary path
    json.dump(r, open(ref, "w"))
    print(ref.parent.name, "greedy", r["greedy_ids"])
PY
rm -rf "$work"
