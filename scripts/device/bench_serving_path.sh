#!/usr/bin/env bash
# Runs on the GPU machine: the serving benchmarks of issue 5 on a full-size qwen2.5-7b random bf16
# checkpoint carrying the real Qwen vocabulary. A ShareGPT-format file from `qwenrt bench
# make-dataset`; `qwenrt bench throughput` on 1,000 of its requests; the same 64 requests through
# qwenrt and through Hugging Face transformers (bench/transformers_throughput.py, the peer measured in
# the same run); then `qwenrt serve` with `qwenrt bench serving` at 4 and 16 requests/s. JSON reports go to
# OUT_DIR; the comparison and a summary end the output. Usage:
#   scripts/device/bench_serving_path.sh SHARED_DIR BIN_DIR TOKENIZER_DIR OUT_DIR
# TOKENIZER_DIR holds tokenizer.json and tokenizer_config.json (Qwen2's).
set -uo pipefail
shared="$1"
bin="$2"
tokenizer="$3"
out="$4"
mkdir -p "$out"
work=$(mktemp -d)
model="$work/qwen2.5-7b"
python3 "$shared/make_random_qwen.py" --preset qwen2.5-7b --dtype bfloat16 --tokenizer "$tokenizer" --out "$model" | tail -1
"$bin/qwenrt" bench make-dataset -m "$model" --out "$work/sharegpt_like.json" --conversations 4000 --seed 0 --json \
  > "$out/dataset.json"

timeout 240 "$bin/qwenrt" bench throughput -m "$model" --device cuda --dataset "$work/sharegpt_like.json" \
  --num-prompts 1000 --json > "$out/throughput_1000.json" || echo "throughput 1000: exit status $?"
timeout 120 "$bin/qwenrt" bench throughput -m "$model" --device cuda --dataset "$work/sharegpt_like.json" \
  --num-prompts 64 --seed 1 --save-requests "$work/requests_64.json" --json > "$out/throughput_64.json" \
  || echo "throughput 64: exit status $?"
timeout 200 python3 bench/transformers_throughput.py --model "$model" --requests "$work/requests_64.json" \
  --batch-size 64 --out "$out/transformers_64.json" > /dev/null || echo "transformers: exit status $?"

"$bin/qwenrt" serve -m "$model" --device cuda --port 8000 > "$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 120); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)" \
    2> /dev/null && break
  sleep 1
done
# 4 requests/s is the issue's load; 16 shows the headroom.
for rate in 4 16; do
  timeout 150 "$bin/qwenrt" bench serving --base-url http://127.0.0.1:8000 --tokenizer "$model" \
    --dataset "$work/sharegpt_like.json" --num-prompts 200 --request-rate "$rate" --json \
    > "$out/serving_rate$rate.json" || echo "serving at $rate/s: exit status $?"
done
kill -TERM "$server"
wait "$server"
echo "serve exit status $?"
tail -3 "$out/serve.log"
rm -rf "$work"

python3 bench/compare_throughput.py "$out/throughput_64.json" "$out/transformers_64.json"
python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
def load(name):
    try:
        return json.loads((out / name).read_text())
    except Exception as e:
        return {"error": str(e)}
for name in ("dataset.json", "throughput_1000.json", "serving_rate4.json", "serving_rate16.json"):
    r = load(name)
    flat = {k: v for k, v in r.items() if not isinstance(v, (dict, list))}
    print(name, json.dumps(flat)[:900])
    for k, v in r.items():
        if isinstance(v, dict):
            print("  ", k, json.dumps(v)[:300])
PY
