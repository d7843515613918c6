"""What both OpenAI SDK examples share: the client pointed at qwenrt, the request's arguments, and the
server's errors reported in one line."""

import contextlib

import openai

from client_options import messages


def connect(options):
    """The client, and the model to ask: --model, else the first one the server lists."""
    # The SDK insists on a key; a server started without --api-key accepts any.
    client = openai.OpenAI(base_url=options.base_url, api_key=options.api_key or "none")
    return client, options.model or client.models.list().data[0].id


def create_arguments(options, model):
    """Keyword arguments of client.chat.completions.create."""
    arguments = {"model": model, "messages": messages(options), "max_tokens": options.max_tokens}
    if options.temperature is not None:
        arguments["temperature"] = options.temperature
    if options.no_thinking:
        # Not part of OpenAI's API: extra_body adds it to the request, and qwenrt (like vLLM) passes it to
        # the chat template, where Qwen3 reads it.
        arguments["extra_body"] = {"chat_template_kwargs": {"enable_thinking": False}}
    return arguments


@contextlib.contextmanager
def reported_errors(options):
    """Ends the program with the server's message (its OpenAI error JSON, parsed by the SDK)."""
    try:
        yield
    except openai.APIStatusError as error:
        raise SystemExit(f"error {error.status_code}: {error.message}") from None
    except openai.APIConnectionError as error:
        raise SystemExit(f"cannot reach {options.base_url}: {error}") from None
    except openai.APIError as error:  # an error event in the middle of a stream
        raise SystemExit(f"error: {error.message}") from None
