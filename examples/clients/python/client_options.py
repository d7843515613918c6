"""The options every Python example takes, from the command line or from the environment variables
OpenAI's SDKs read themselves (OPENAI_BASE_URL, OPENAI_API_KEY), and what the standard-library
clients share: the request body, the headers and the server's error message."""

import argparse
import json
import os
import urllib.error
import urllib.request


def parse_options(description, stream_flag=False, parallel_flag=False):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("message", help="what to ask")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", "http://localhost:8000/v1"),
                        help="the API's root, ending in /v1 (default: $OPENAI_BASE_URL or %(default)s)")
    parser.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY", ""),
                        help="for a server started with --api-key (default: $OPENAI_API_KEY)")
    parser.add_argument("--model", default=os.environ.get("OPENAI_MODEL"),
                        help="the model to ask (default: the first one the server lists)")
    parser.add_argument("--system", help="a system prompt")
    parser.add_argument("--max-tokens", type=int, default=256, help="the longest answer (default: %(default)s)")
    parser.add_argument("--temperature", type=float, help="0 for greedy decoding (default: the model's)")
    parser.add_argument("--no-thinking", action="store_true", help="ask Qwen3 to answer without thinking first")
    if stream_flag:
        parser.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    if parallel_flag:
        parser.add_argument("--parallel", type=int, default=1, help="send this many requests at once (default: 1)")
    options = parser.parse_args()
    options.base_url = options.base_url.rstrip("/")
    return options


def messages(options):
    result = [{"role": "system", "content": options.system}] if options.system else []
    return result + [{"role": "user", "content": options.message}]


def chat_request(options, model, stream):
    """The body of POST /v1/chat/completions."""
    body = {"model": model, "messages": messages(options), "max_tokens": options.max_tokens, "stream": stream}
    if options.temperature is not None:
        body["temperature"] = options.temperature
    if stream:
        body["stream_options"] = {"include_usage": True}  # a last chunk with the token counts
    if options.no_thinking:
        # Not part of OpenAI's API: qwenrt (like vLLM) passes it to the chat template, where Qwen3 reads it.
        body["chat_template_kwargs"] = {"enable_thinking": False}
    return body


def headers(options):
    result = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if options.api_key:
        result["Authorization"] = f"Bearer {options.api_key}"
    return result


def error_message(status, body):
    """OpenAI's error JSON, {"error": {"message": ...}}, as one line; any other body as it came."""
    try:
        return f"HTTP {status}: {json.loads(body)['error']['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {status}: {body.decode(errors='replace').strip()}"


def first_model(options):
    """Without --model, the first model GET /v1/models lists (qwenrt serves one)."""
    if options.model:
        return options.model
    request = urllib.request.Request(f"{options.base_url}/models", headers=headers(options))
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)["data"][0]["id"]
    except urllib.error.HTTPError as error:
        raise SystemExit(error_message(error.code, error.read())) from None
    except urllib.error.URLError as error:
        raise SystemExit(f"cannot reach {options.base_url}: {error.reason}") from None
