#!/usr/bin/env python3
"""Streams answers from qwenrt over raw HTTP/1.1 with asyncio and nothing but the standard library: it
writes the request itself, undoes the chunked transfer encoding and parses the server-sent events,
so it shows every byte of the protocol and runs on any Python 3.9 or later. --parallel N sends N
requests at once over N connections from one thread; the server batches them together.

    python3 asyncio_sse_client.py [--parallel N] [--base-url URL] [--api-key KEY] "Tell me a joke."
"""

import asyncio
import codecs
import json
import ssl
import sys
import time
import urllib.parse

from client_options import chat_request, error_message, first_model, headers, parse_options


async def open_request(options, body):
    """Sends POST /chat/completions; returns the reader positioned at the body, the status and headers."""
    url = urllib.parse.urlsplit(f"{options.base_url}/chat/completions")
    secure = url.scheme == "https"
    port = url.port or (443 if secure else 80)
    reader, writer = await asyncio.open_connection(url.hostname, port, ssl=ssl.create_default_context() if secure else None)
    payload = json.dumps(body).encode()
    lines = [f"POST {url.path} HTTP/1.1", f"Host: {url.netloc}", f"Content-Length: {len(payload)}",
             "Connection: close"] + [f"{name}: {value}" for name, value in headers(options).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    status_line = (await reader.readline()).decode("latin-1")
    status = int(status_line.split()[1])
    response_headers = {}
    while (line := (await reader.readline()).decode("latin-1").strip()):
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    return reader, writer, status, response_headers


async def body_pieces(reader, response_headers):
    """The body's bytes as they arrive: the pieces of a chunked body, else whatever the socket gives."""
    if response_headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)  # hex size, maybe ";extensions"
            if size == 0:
                return
            yield await reader.readexactly(size)
            await reader.readexactly(2)  # the CRLF after each chunk
    else:
        while piece := await reader.read(65536):
            yield piece


async def events(reader, response_headers):
    """The data of each server-sent event. Lines may end in CRLF, LF or CR; an event ends at a blank line;
    a piece may end in the middle of a line or of a UTF-8 character."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending, data = "", []
    async for piece in body_pieces(reader, response_headers):
        pending += decoder.decode(piece)
        # A CR at the end may be the first half of a CRLF: it waits for the next piece.
        held = "\r" if pending.endswith("\r") else ""
        *lines, pending = pending[: len(pending) - len(held)].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        pending += held
        for line in lines:
            if line == "":
                if data:
                    yield "\n".join(data)
                data = []
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))


async def ask(options, model, label, live):
    """One streamed answer; printed as it comes when live, else whole at the end under its label."""
    start = time.monotonic()
    reader, writer, status, response_headers = await open_request(options, chat_request(options, model, True))
    try:
        if status != 200:
            body = b"".join([piece async for piece in body_pieces(reader, response_headers)])
            raise SystemExit(error_message(status, body))
        text, tokens, first = [], None, None
        async for data in events(reader, response_headers):
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            if "error" in chunk:
                raise SystemExit(f"\nerror: {chunk['error']['message']}")
            for choice in chunk["choices"]:
                piece = choice["delta"].get("content") or ""
                if piece and first is None:
                    first = time.monotonic()
                text.append(piece)
                if live:
                    print(piece, end="", flush=True)
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
        elapsed = time.monotonic() - start
        if live:
            print()  # the answer's pieces were printed as they came
        else:
            print(f"--- {label}\n{''.join(text)}")
        print(f"[{label}: {tokens} tokens in {elapsed:.2f} s, first after {(first or time.monotonic()) - start:.2f} s]",
              file=sys.stderr)
    finally:
        writer.close()  # closing the connection early is how a client cancels: the server stops generating


async def main():
    options = parse_options(__doc__.splitlines()[0], parallel_flag=True)
    model = first_model(options)
    live = options.parallel == 1
    await asyncio.gather(*(ask(options, model, f"request {i + 1}", live) for i in range(options.parallel)))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("\n[stopped]", file=sys.stderr)
        sys.exit(130)
