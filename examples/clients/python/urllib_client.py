#!/usr/bin/env python3
"""Asks qwenrt one question with nothing but Python's standard library (urllib), and prints the answer:
whole, or with --stream token by token as the server sends it as server-sent events.

    python3 urllib_client.py [--stream] [--base-url URL] [--api-key KEY] "What is 2 + 2?"
"""

import json
import sys
import urllib.error
import urllib.request

from client_options import chat_request, error_message, first_model, headers, parse_options


def print_whole(response):
    answer = json.load(response)
    print(answer["choices"][0]["message"]["content"])
    print(f"[{answer['usage']['completion_tokens']} tokens, finish: {answer['choices'][0]['finish_reason']}]",
          file=sys.stderr)


def print_stream(response):
    # The body is a series of lines: "data: {chunk}", a blank line after each event, "data: [DONE]" last.
    # urllib undoes the chunked transfer encoding; reading line by line hands over each piece as it comes.
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line.startswith("data:"):
            continue  # blank lines between events, ": comments" (keep-alives)
        data = line[5:].strip()
        if data == "[DONE]":
            break
        chunk = json.loads(data)
        if "error" in chunk:  # the request failed after the stream began
            raise SystemExit(f"\nerror: {chunk['error']['message']}")
        for choice in chunk["choices"]:
            print(choice["delta"].get("content") or "", end="", flush=True)
        if chunk.get("usage"):
            print(f"\n[{chunk['usage']['completion_tokens']} tokens]", file=sys.stderr)
    print()


def main():
    options = parse_options(__doc__.splitlines()[0], stream_flag=True)
    body = chat_request(options, first_model(options), options.stream)
    request = urllib.request.Request(f"{options.base_url}/chat/completions", data=json.dumps(body).encode(),
                                     headers=headers(options), method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            (print_stream if options.stream else print_whole)(response)
    except urllib.error.HTTPError as error:
        raise SystemExit(error_message(error.code, error.read())) from None
    except urllib.error.URLError as error:
        raise SystemExit(f"cannot reach {options.base_url}: {error.reason}") from None


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\n[stopped]", file=sys.stderr)  # leaving the with-block closed the connection: the server stops
        sys.exit(130)
