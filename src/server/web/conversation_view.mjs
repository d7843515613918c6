// The conversation on screen: one list item per turn. User turns show their text as typed; answers
// render as Markdown (again on each streamed piece, at most once a frame), with Qwen3's thinking in a
// collapsible block, the statistics line, a copy button, and an error with a retry button when the
// request failed.

import { renderMarkdown } from './markdown.mjs';
import { splitThinking } from './chat_client.mjs';

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

// What an answer shows: the server's reasoning field, else the thinking found in the content.
export function visibleParts(turn) {
  if (turn.reasoning) return { reasoning: turn.reasoning, answer: turn.content };
  return splitThinking(turn.content);
}

export class ConversationView {
  #list;
  #scroller;
  #pending = new Map();  // turn -> its element, for turns waiting for the next frame

  constructor(list, scroller) {
    this.#list = list;
    this.#scroller = scroller;
  }

  clear() {
    this.#list.replaceChildren();
    this.#pending.clear();
  }

  // Appends a turn's element; returns it (its turn is found again through render()).
  append(turn) {
    const item = element('li', `message ${turn.role}`);
    item.append(element('div', 'role', turn.role === 'user' ? 'You' : 'Assistant'));
    if (turn.role === 'user') {
      item.append(element('div', 'content plain', turn.content));
    } else {
      const reasoning = element('details', 'reasoning');
      reasoning.hidden = true;
      const summary = element('summary', '', 'Thinking');
      summary.addEventListener('click', () => {
        reasoning.dataset.touched = 'yes';
      });
      reasoning.append(summary, element('div', 'reasoning-text'));
      const meta = element('div', 'meta');
      const copy = element('button', 'copy-button', 'Copy');
      copy.type = 'button';
      copy.dataset.copy = 'answer';
      copy.setAttribute('aria-label', 'Copy answer');
      meta.append(element('span', 'stats'), copy);
      item.append(reasoning, element('div', 'content markdown'), element('div', 'error'), meta);
    }
    this.#list.append(item);
    if (turn.role === 'assistant') this.render(turn, item);
    this.#scrollToEnd(true);
    return item;
  }

  // Renders an answer at the next animation frame; several pieces in one frame render once.
  schedule(turn, item) {
    if (this.#pending.has(turn)) return;
    this.#pending.set(turn, item);
    requestAnimationFrame(() => {
      if (this.#pending.delete(turn)) this.render(turn, item);
    });
  }

  render(turn, item) {
    this.#pending.delete(turn);
    const follow = this.#nearEnd();
    const { reasoning, answer } = visibleParts(turn);
    item.dataset.state = turn.state;
    const details = item.querySelector('.reasoning');
    details.hidden = reasoning === '';
    item.querySelector('.reasoning-text').textContent = reasoning;
    // Open while the model thinks; closed once the answer begins, unless the reader chose otherwise.
    if (turn.state === 'streaming' && !details.dataset.touched) details.open = answer === '';
    item.querySelector('.content').innerHTML = renderMarkdown(answer);
    item.querySelector('.stats').textContent = turn.stats ?? '';
    this.#renderError(turn, item.querySelector('.error'));
    item.querySelector('.meta').hidden = turn.state === 'streaming';
    this.#scrollToEnd(follow);
  }

  #renderError(turn, box) {
    box.replaceChildren();
    box.hidden = !turn.error;
    if (!turn.error) return;
    box.setAttribute('role', 'alert');
    const { message, type, code, status } = turn.error;
    box.append(element('strong', '', 'Error: '), element('span', 'error-message', message));
    const detail = [status ? `HTTP ${status}` : '', type, code].filter(Boolean).join(' · ');
    if (detail) box.append(element('span', 'error-detail', ` (${detail})`));
    const retry = element('button', 'retry-button', 'Retry');
    retry.type = 'button';
    retry.dataset.retry = 'yes';
    box.append(retry);
  }

  #nearEnd() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  // Follows the answer as it grows, unless the reader has scrolled up to read something else.
  #scrollToEnd(follow) {
    if (follow) this.#scroller.scrollTop = this.#scroller.scrollHeight;
  }
}
