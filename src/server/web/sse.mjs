// Server-sent events read from a fetch() body. EventSource cannot send a POST body or an
// Authorization header, so the page parses the stream itself, following the HTML standard's rules:
// lines end in CR, LF or CRLF; "data:" lines accumulate; a blank line dispatches the event; lines
// starting with ":" are comments (keep-alives). Chunks may split anywhere, even inside a UTF-8
// character or between the CR and LF of one line ending.

export class SseParser {
  #buffer = '';
  #data = [];
  #event = '';
  #pendingCr = false;

  // Feeds decoded text; returns the events completed by it, each { event, data }.
  push(text) {
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const events = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let m; (m = lineEnd.exec(this.#buffer)); ) {
      this.#line(this.#buffer.slice(start, m.index), events);
      start = m.index + m[0].length;
      // A CR that ends the chunk may be the first half of a CRLF whose LF opens the next one.
      if (m[0] === '\r' && start === this.#buffer.length) this.#pendingCr = true;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line, events) {
    if (line === '') {
      if (this.#data.length) events.push({ event: this.#event || 'message', data: this.#data.join('\n') });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
  }
}

// Yields the events of a ReadableStream of bytes (a fetch() response body) as they arrive.
export async function* readServerSentEvents(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    // As the standard says, an event the stream ends in the middle of is dropped.
    yield* parser.push(decoder.decode());
  } finally {
    // Closes the connection when the reader stops early (an error event, a stop); a no-op at the end.
    await reader.cancel().catch(() => {});
  }
}
