#!/usr/bin/env python3
"""One question, one whole answer, with OpenAI's official Python SDK (pip install openai) pointed at
qwenrt.

    python3 openai_chat.py --base-url http://localhost:8000/v1 "What is the capital of France?"
"""

import sys

from client_options import parse_options
from openai_setup import connect, create_arguments, reported_errors


def main():
    options = parse_options(__doc__.splitlines()[0])
    with reported_errors(options):
        client, model = connect(options)
        completion = client.chat.completions.create(**create_arguments(options, model))
    choice = completion.choices[0]
    print(choice.message.content)
    print(f"[{completion.usage.completion_tokens} tokens, finish: {choice.finish_reason}]", file=sys.stderr)


if __name__ == "__main__":
    main()
