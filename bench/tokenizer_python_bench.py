#!/usr/bin/env python3
"""Single-thread encode speed of Python tiktoken (with qwen.tiktoken, as Qwen v1 uses it) and Hugging
Face `tokenizers` (tokenizer.json) on the tokenizer test corpus of scripts/make_testdata.sh, measured as
bench/tokenizer_encode_bench.cpp measures qwenrt: every corpus line encoded in turn, added tokens
parsed, median MB/s (10^6 bytes of UTF-8 input per second) of several timed passes after a warm-up.

With --check it also compares their ids line by line with the references: Hugging Face's with
ref_hf_parse.jsonl (transformers.js) and tiktoken's with ref_tiktoken.jsonl (tiktoken WASM); it exits
with status 1 on any mismatch. Needs only the packages tiktoken and tokenizers, no network.
Usage: tokenizer_python_bench.py [--data-dir DIR] [--runs N] [--check]
"""
import argparse
import base64
import json
import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # encode() is single-threaded; keep it so
import tiktoken  # noqa: E402
import tokenizers  # noqa: E402

# Qwen v1's special tokens follow its 151643 base tokens (tokenization_qwen.py).
V1_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] + [f"<|extra_{i}|>" for i in range(205)]


def read_json_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def load_tiktoken(data_dir):
    """qwen.tiktoken's ranks, tokenizer.json's pre-tokenizer pattern (Qwen v1's PAT_STR), v1 specials."""
    ranks = {}
    for line in (data_dir / "qwen.tiktoken").read_bytes().splitlines():
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    tokenizer_json = json.loads((data_dir / "tokenizer.json").read_text(encoding="utf-8"))
    split = next(p for p in tokenizer_json["pre_tokenizer"]["pretokenizers"] if p["type"] == "Split")
    specials = {name: len(ranks) + i for i, name in enumerate(V1_SPECIALS)}
    encoding = tiktoken.Encoding("qwen", pat_str=split["pattern"]["Regex"], mergeable_ranks=ranks,
                                 special_tokens=specials)
    return lambda text: encoding.encode(unicodedata.normalize("NFC", text), allowed_special="all",
                                        disallowed_special=())


def load_hf(data_dir):
    tokenizer = tokenizers.Tokenizer.from_file(str(data_dir / "tokenizer.json"))
    return lambda text: tokenizer.encode(text).ids


def measure(encode, lines, corpus_bytes, runs):
    tokens = sum(len(encode(line)) for line in lines)  # warm-up pass
    speeds = []
    for _ in range(runs):
        start = time.perf_counter()
        for line in lines:
            encode(line)
        speeds.append(corpus_bytes / 1e6 / (time.perf_counter() - start))
    return {"tokens": tokens, "median_mb_per_s": statistics.median(speeds), "runs_mb_per_s": speeds}


def check(name, encode, lines, reference_file, shown=5):
    """Number of lines whose ids differ from the reference file; prints the first few to stderr."""
    expected = read_json_lines(reference_file)
    if len(expected) != len(lines):
        sys.exit(f"{reference_file}: {len(expected)} lines, corpus.jsonl {len(lines)}")
    mismatches = 0
    for number, (line, want) in enumerate(zip(lines, expected), start=1):
        got = encode(line)
        if got == want:
            continue
        mismatches += 1
        if mismatches <= shown:
            at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            print(f"  {name} line {number} {line[:100]!r}\n    first difference at id #{at}: expected "
                  f"{want[max(0, at - 2):at + 5]} got {got[max(0, at - 2):at + 5]}", file=sys.stderr)
    print(f"{name} vs {reference_file.name}: {len(lines)} lines, {mismatches} mismatching", file=sys.stderr)
    return mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(__file__).resolve().parent.parent / ".testdata" / "tokenizer")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="compare the ids with the reference files")
    args = parser.parse_args()

    lines = read_json_lines(args.data_dir / "corpus.jsonl")
    corpus_bytes = sum(len(line.encode("utf-8")) for line in lines)
    encoders = [("tiktoken", "qwen.tiktoken", load_tiktoken(args.data_dir), "ref_tiktoken.jsonl"),
                ("hf-tokenizers", "tokenizer.json", load_hf(args.data_dir), "ref_hf_parse.jsonl")]

    mismatches = 0
    if args.check:
        for name, _, encode, reference in encoders:
            mismatches += check(name, encode, lines, args.data_dir / reference)
    results = [{"tokenizer": name, "version": getattr(tiktoken if name == "tiktoken" else tokenizers, "__version__", "?"),
                "format": file, **measure(encode, lines, corpus_bytes, args.runs)}
               for name, file, encode, _ in encoders]
    print(json.dumps({"lines": len(lines), "bytes": corpus_bytes, "runs": args.runs, "results": results}))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
