#!/usr/bin/env python3
"""The peer of `qwenrt bench throughput`: Hugging Face transformers generating the same requests.

qwenrt writes the requests it drew (`--save-requests FILE`: prompt token ids and output lengths, from
the same ShareGPT file, seed and filter); this script generates them with `model.generate` in static
batches of --batch-size, in the file's order, left-padded, each batch running to its longest output
with EOS suppressed (min_new_tokens), greedy or with the sampling the file names. It reports what
qwenrt reports, as JSON, so bench/compare_throughput.py can set the two side by side:

  requests/s, input+output tokens/s and output tokens/s over the whole run, counting each request's
  own output length (not the padding a static batch also computes);
  TTFT (run start to its batch's first token: every request is submitted at once), ITL (the gaps
  between its batch's steps, for its own tokens), E2E (run start to its batch's end, when generate()
  returns its text) and TPOT = (E2E - TTFT) / (output tokens - 1), at mean, p50, p90 and p99.

Needs only torch and transformers. Run on the GPU machine after qwenrt, for example:

  qwenrt bench throughput -m MODEL --dataset sharegpt.json --save-requests requests.json --json > qwenrt.json
  python3 bench/transformers_throughput.py --model MODEL --requests requests.json --out transformers.json
  python3 bench/compare_throughput.py qwenrt.json transformers.json
"""

import argparse
import json
import sys
import time

import torch
from transformers import AutoModelForCausalLM, StoppingCriteria, StoppingCriteriaList


class StepClock(StoppingCriteria):
    """Records when each generation step's tokens exist; it never stops generation."""

    def __init__(self, device):
        self.device = device
        self.times = []

    def __call__(self, input_ids, scores, **kwargs):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.times.append(time.perf_counter())
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)


def percentile(sorted_values, p):
    """numpy.percentile's default: linear interpolation between the closest ranks (as qwenrt and vLLM)."""
    if not sorted_values:
        return 0.0
    rank = p / 100.0 * (len(sorted_values) - 1)
    below = int(rank)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (sorted_values[above] - sorted_values[below]) * (rank - below)


def summary_ms(values):
    values = sorted(values)
    mean = sum(values) / len(values) if values else 0.0
    return {name: 1e3 * v for name, v in (("mean", mean), ("p50", percentile(values, 50)),
                                          ("p90", percentile(values, 90)), ("p99", percentile(values, 99)))}


def generation_kwargs(sampling, pad_id, new_tokens):
    kwargs = {"max_new_tokens": new_tokens, "min_new_tokens": new_tokens, "pad_token_id": pad_id}
    temperature = sampling.get("temperature", 0.0)
    if temperature <= 0:
        kwargs["do_sample"] = False
        # Greedy as qwenrt's: none of the generation_config's sampling values (Qwen2.5's has a repetition
        # penalty of 1.05, which transformers would apply even to greedy decoding).
        kwargs.update(temperature=None, top_p=None, top_k=None, repetition_penalty=1.0)
    else:
        kwargs.update(do_sample=True, temperature=temperature, top_p=sampling.get("top_p", 1.0),
                      top_k=sampling.get("top_k", 0) or None,
                      repetition_penalty=sampling.get("repetition_penalty", 1.0))
    return kwargs


def left_padded(batch, pad_id, device):
    width = max(len(r["prompt_ids"]) for r in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, request in enumerate(batch):
        prompt = request["prompt_ids"]
        ids[row, width - len(prompt):] = torch.tensor(prompt, dtype=torch.long)
        mask[row, width - len(prompt):] = 1
    return ids.to(device), mask.to(device)


def pad_token_id(model):
    config = model.generation_config
    if config.pad_token_id is not None:
        return config.pad_token_id
    eos = config.eos_token_id
    if isinstance(eos, list):
        eos = eos[0] if eos else None
    return eos if eos is not None else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="model folder (Hugging Face layout), as given to qwenrt")
    parser.add_argument("--requests", required=True, help="the file `qwenrt bench throughput --save-requests` wrote")
    parser.add_argument("--batch-size", type=int, default=32, help="requests generated together (default 32)")
    parser.add_argument("--dtype", default="auto", choices=["auto", "bfloat16", "float16", "float32"],
                        help="weights' dtype (default: the checkpoint's)")
    parser.add_argument("--device", default="cuda", help="torch device (default cuda)")
    parser.add_argument("--out", help="also write the report JSON to this file")
    args = parser.parse_args()
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")

    with open(args.requests, encoding="utf-8") as f:
        saved = json.load(f)
    requests = saved["requests"]
    sampling = saved.get("about", {}).get("sampling", {"temperature": 0.0})
    if not requests:
        sys.exit(f"{args.requests}: no requests")

    device = torch.device(args.device)
    dtype = args.dtype if args.dtype == "auto" else getattr(torch, args.dtype)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype).to(device).eval()
    pad_id = pad_token_id(model)
    seed = saved.get("about", {}).get("seed", 0)

    # Warm-up, as qwenrt's run has one: CUDA context, kernels and allocator are ready before the clock.
    with torch.inference_mode():
        ids, mask = left_padded([{"prompt_ids": requests[0]["prompt_ids"][:16]}], pad_id, device)
        model.generate(input_ids=ids, attention_mask=mask, **generation_kwargs(sampling, pad_id, 4))
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    torch.manual_seed(seed)

    ttft, itl, e2e, outputs, computed = [], [], [], [], 0
    start = time.perf_counter()
    for first in range(0, len(requests), args.batch_size):
        batch = requests[first:first + args.batch_size]
        new_tokens = max(r["output_len"] for r in batch)
        ids, mask = left_padded(batch, pad_id, device)
        clock = StepClock(device)
        try:
            with torch.inference_mode():
                model.generate(input_ids=ids, attention_mask=mask, stopping_criteria=StoppingCriteriaList([clock]),
                               **generation_kwargs(sampling, pad_id, new_tokens))
        except torch.cuda.OutOfMemoryError:
            sys.exit(f"transformers_throughput.py: out of GPU memory with --batch-size {args.batch_size} "
                     f"(prompts up to {ids.shape[1]} tokens, {new_tokens} new): lower it")
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        batch_end = time.perf_counter()
        computed += len(batch) * new_tokens
        for request in batch:
            n = request["output_len"]
            times = clock.times[:n]
            ttft.append(times[0] - start)
            itl.extend(b - a for a, b in zip(times, times[1:]))
            e2e.append(batch_end - start)
            outputs.append(n)
        print(f"batch {first // args.batch_size + 1}: {len(batch)} requests, {new_tokens} steps, "
              f"{batch_end - start:.1f} s so far", file=sys.stderr)
    elapsed = time.perf_counter() - start

    tpot = [(e - t) / (n - 1) for e, t, n in zip(e2e, ttft, outputs) if n > 1]
    input_tokens = sum(len(r["prompt_ids"]) for r in requests)
    output_tokens = sum(outputs)
    report = {
        "backend": "transformers",
        "model": args.model,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else str(device),
        "dtype": str(model.dtype).replace("torch.", ""),
        "num_prompts": len(requests),
        "batch_size": args.batch_size,
        "sampling": "greedy" if sampling.get("temperature", 0.0) <= 0 else "model",
        "computed_output_tokens": computed,
        "completed": len(requests),
        "failed": 0,
        "failures": {},
        "elapsed_s": elapsed,
        "total_input_tokens": input_tokens,
        "total_output_tokens": output_tokens,
        "requests_per_s": len(requests) / elapsed,
        "output_tokens_per_s": output_tokens / elapsed,
        "total_tokens_per_s": (input_tokens + output_tokens) / elapsed,
        "ttft_ms": summary_ms(ttft),
        "tpot_ms": summary_ms(tpot),
        "itl_ms": summary_ms(itl),
        "e2e_ms": summary_ms(e2e),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
