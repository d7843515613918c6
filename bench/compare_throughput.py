#!/usr/bin/env python3
"""Sets two throughput reports side by side: `qwenrt bench throughput --json` and its peer's
(bench/transformers_throughput.py), measured in the same run on the same requests.

  python3 bench/compare_throughput.py qwenrt.json transformers.json

Prints each rate and latency with the ratio of the first to the second; for rates higher is better,
for latencies lower is. Warns when the two did not run the same requests. Standard library only.
"""

import json
import sys

RATES = [
    ("requests_per_s", "requests/s"),
    ("total_tokens_per_s", "input+output tokens/s"),
    ("output_tokens_per_s", "output tokens/s"),
]
LATENCIES = [("ttft_ms", "TTFT"), ("tpot_ms", "TPOT"), ("itl_ms", "ITL"), ("e2e_ms", "E2E")]
SAME = ["num_prompts", "completed", "total_input_tokens", "total_output_tokens"]


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"compare_throughput.py: {path}: {e}")


def cell(value):
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_throughput.py QWENRT.json PEER.json")
    a, b = load(sys.argv[1]), load(sys.argv[2])
    name_a, name_b = a.get("backend", "first"), b.get("backend", "second")
    for key in SAME:
        if a.get(key) != b.get(key):
            print(f"warning: {key} differs ({a.get(key)} vs {b.get(key)}): not the same requests", file=sys.stderr)

    rows = [("", name_a, name_b, f"{name_a} / {name_b}")]
    for key, label in RATES:
        rows.append((label + " (higher is better)", cell(a[key]), cell(b[key]), f"{a[key] / b[key]:.2f}x"))
    rows.append(("elapsed s", cell(a["elapsed_s"]), cell(b["elapsed_s"]), f"{a['elapsed_s'] / b['elapsed_s']:.2f}x"))
    for key, label in LATENCIES:
        for stat in ("mean", "p50", "p90", "p99"):
            x, y = a[key][stat], b[key][stat]
            rows.append((f"{label} {stat} ms (lower is better)", cell(x), cell(y), f"{x / y:.2f}x" if y else "-"))
    for key in ("device", "dtype", "batch_size", "max_num_seqs", "preemptions", "peak_kv_use", "prefix_cache_hit_rate"):
        if key in a or key in b:
            rows.append((key, str(a.get(key, "-")), str(b.get(key, "-")), ""))

    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i]) for i in range(4)))


if __name__ == "__main__":
    main()
