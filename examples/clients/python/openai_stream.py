#!/usr/bin/env python3
"""One question, the answer printed token by token as qwenrt streams it, with OpenAI's official Python
SDK (pip install openai). Ctrl-C stops the answer: closing the stream closes the connection, and the
server stops generating for it at once.

    python3 openai_stream.py --base-url http://localhost:8000/v1 "Write a haiku about GPUs."
"""

import sys

from client_options import parse_options
from openai_setup import connect, create_arguments, reported_errors


def main():
    options = parse_options(__doc__.splitlines()[0])
    usage = None
    with reported_errors(options):
        client, model = connect(options)
        # include_usage: a last chunk, without choices, carries the token counts.
        stream = client.chat.completions.create(**create_arguments(options, model), stream=True,
                                                stream_options={"include_usage": True})
        try:
            for chunk in stream:
                if chunk.choices:
                    delta = chunk.choices[0].delta
                    # Qwen3's thinking arrives as reasoning_content, a field OpenAI's types do not declare:
                    # the SDK keeps such fields, and getattr reads them.
                    thinking = getattr(delta, "reasoning_content", None)
                    if thinking:
                        print(thinking, end="", file=sys.stderr, flush=True)
                    if delta.content:
                        print(delta.content, end="", flush=True)
                if chunk.usage:
                    usage = chunk.usage
        except KeyboardInterrupt:
            stream.close()
            print("\n[stopped]", file=sys.stderr)
            sys.exit(130)
    print()
    if usage:
        print(f"[{usage.completion_tokens} tokens]", file=sys.stderr)


if __name__ == "__main__":
    main()
