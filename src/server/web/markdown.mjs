// A small Markdown renderer for model answers: headings, emphasis, inline code, fenced code blocks
// (with a copy button), lists, links, block quotes, tables, rules and paragraphs. Every piece of the
// source is HTML-escaped before any markup is added around it, so whatever a model writes can never
// become live HTML. Unfinished input (an answer still streaming, an unclosed fence) renders sensibly,
// because the page renders the whole answer again as each piece arrives.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/;
const TABLE_DELIMITER = /^ *\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$/;

const isBlank = (line) => /^\s*$/.test(line);
const indentOf = (line) => line.length - line.trimStart().length;

// Markdown's tab stops are four columns; expanding tabs first keeps every indentation rule in spaces.
function expandTabs(line) {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const c of line) out += c === '\t' ? ' '.repeat(4 - (out.length % 4)) : c;
  return out;
}

export function renderMarkdown(source) {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD').split('\n').map(expandTabs);
  return renderBlocks(lines, false);
}

// tight: paragraphs of a tight list item render without <p>, as in every common renderer.
function renderBlocks(lines, tight) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      ++i;
      continue;
    }
    let m;
    if ((m = FENCE.exec(line))) {
      i = renderFence(lines, i, m, out);
    } else if ((m = HEADING.exec(line))) {
      const level = m[1].length;
      out.push(`<h${level}>${renderInline(m[2] ?? '')}</h${level}>`);
      ++i;
    } else if (RULE.test(line)) {
      out.push('<hr>');
      ++i;
    } else if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(lines[i++].replace(QUOTE, ''));
      out.push(`<blockquote>${renderBlocks(inner, false)}</blockquote>`);
    } else if (startsTable(lines, i)) {
      i = renderTable(lines, i, out);
    } else if (LIST_ITEM.test(line)) {
      i = renderList(lines, i, out);
    } else {
      const paragraph = [];
      while (i < lines.length && !isBlank(lines[i]) && (paragraph.length === 0 || !interruptsParagraph(lines, i))) {
        paragraph.push(lines[i++].trim());
      }
      const html = renderInline(paragraph.join('\n'));
      out.push(tight ? html : `<p>${html}</p>`);
    }
  }
  return out.join('\n');
}

function interruptsParagraph(lines, i) {
  const line = lines[i];
  if (FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)) return true;
  if (startsTable(lines, i)) return true;
  // As in CommonMark, only a bullet or a list starting at 1 may interrupt a paragraph, so a line such
  // as "2019. was a good year" stays text.
  const m = LIST_ITEM.exec(line);
  return m !== null && m[4] !== undefined && m[4] !== '' && (!/\d/.test(m[2]) || /^1\D/.test(m[2]));
}

function renderFence(lines, start, open, out) {
  const marker = open[1];
  const indent = indentOf(lines[start]);
  const language = open[2];
  const body = [];
  let i = start + 1;
  const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
  while (i < lines.length && !closing.test(lines[i])) {
    const line = lines[i++];
    body.push(line.slice(Math.min(indent, indentOf(line))));
  }
  out.push(codeBlock(body.join('\n'), language));
  return i + 1;  // past the closing fence, or past the end when the answer has not closed it yet
}

function codeBlock(code, language) {
  const label = language ? `<span class="code-language">${escapeHtml(language)}</span>` : '<span></span>';
  const cls = language ? ` class="language-${escapeHtml(language)}"` : '';
  return (
    `<div class="code-block"><div class="code-head">${label}` +
    '<button type="button" class="copy-button" data-copy="code" aria-label="Copy code">Copy</button></div>' +
    `<pre><code${cls}>${escapeHtml(code)}</code></pre></div>`
  );
}

// A table row's cells: split at pipes that are neither escaped nor inside a code span.
function splitRow(line) {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells = [];
  let cell = '';
  for (let i = 0; i < row.length; ++i) {
    const c = row[i];
    if (c === '\\' && row[i + 1] === '|') {
      cell += '|';
      ++i;
    } else if (c === '`') {
      let n = 1;
      while (row[i + n] === '`') ++n;
      const close = findBacktickRun(row, i + n, n);
      const end = close < 0 ? i + n : close + n;
      cell += row.slice(i, end);
      i = end - 1;
    } else if (c === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

function startsTable(lines, i) {
  if (i + 1 >= lines.length || !lines[i].includes('|') || !TABLE_DELIMITER.test(lines[i + 1])) return false;
  // Without a pipe, "a\n---" would be a heading underline, not a table.
  return lines[i + 1].includes('|') && splitRow(lines[i]).length === splitRow(lines[i + 1]).length;
}

function renderTable(lines, start, out) {
  const header = splitRow(lines[start]);
  const align = splitRow(lines[start + 1]).map((cell) => {
    const left = cell.startsWith(':');
    const right = cell.endsWith(':');
    // Classes rather than style attributes, which the page's Content-Security-Policy forbids.
    if (left && right) return ' class="align-center"';
    if (right) return ' class="align-right"';
    return left ? ' class="align-left"' : '';
  });
  const cells = (row, tag) =>
    header.map((_, k) => `<${tag}${align[k]}>${renderInline(row[k] ?? '')}</${tag}>`).join('');
  const rows = [];
  let i = start + 2;
  while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|')) rows.push(splitRow(lines[i++]));
  const body = rows.length ? `<tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody>` : '';
  out.push(`<div class="table-wrap"><table><thead><tr>${cells(header, 'th')}</tr></thead>${body}</table></div>`);
  return i;
}

function renderList(lines, start, out) {
  const first = LIST_ITEM.exec(lines[start]);
  const ordered = /\d/.test(first[2]);
  const delimiter = first[2].slice(-1);
  const items = [];
  let loose = false;
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || /\d/.test(m[2]) !== ordered || m[2].slice(-1) !== delimiter) break;
    if (m[1].length < first[1].length || m[1].length > first[1].length + 3) break;
    // The item's content column: after the marker and its spaces (one space when there are five or
    // more, since the rest is then indentation of the content itself).
    const spaces = m[3] ?? ' ';
    const column = m[1].length + m[2].length + (spaces.length > 4 ? 1 : spaces.length);
    const body = [(spaces.length > 4 ? spaces.slice(1) : '') + (m[4] ?? '')];
    ++i;
    while (i < lines.length) {
      const line = lines[i];
      if (isBlank(line)) {
        let next = i;
        while (next < lines.length && isBlank(lines[next])) ++next;
        if (next >= lines.length || indentOf(lines[next]) < column) break;
        body.push(...lines.slice(i, next).map(() => ''));
        loose = true;
        i = next;
        continue;
      }
      if (indentOf(line) >= column) {
        body.push(line.slice(column));
      } else if (LIST_ITEM.test(line) || interruptsParagraph(lines, i) || isBlank(body[body.length - 1])) {
        break;
      } else {
        body.push(line.trim());  // a lazy continuation of the item's paragraph
      }
      ++i;
    }
    items.push(body);
    let next = i;
    while (next < lines.length && isBlank(lines[next])) ++next;
    const sibling = next < lines.length && LIST_ITEM.exec(lines[next]);
    if (next > i && sibling && indentOf(lines[next]) >= first[1].length && indentOf(lines[next]) <= first[1].length + 3) {
      loose = true;
      i = next;
    }
  }
  const tag = ordered ? 'ol' : 'ul';
  const number = ordered ? parseInt(first[2], 10) : 1;
  const startAttr = ordered && number !== 1 ? ` start="${number}"` : '';
  const html = items.map((body) => `<li>${renderBlocks(body, !loose)}</li>`).join('\n');
  out.push(`<${tag}${startAttr}>\n${html}\n</${tag}>`);
  return i;
}

const SAFE_SCHEME = /^(?:https?|mailto):/i;

// Only web and mail links may be followed: a "javascript:" or "data:" link stays text. A link
// without a scheme is relative to the page, which is harmless.
function safeUrl(url) {
  const colon = url.indexOf(':');
  const scheme = colon >= 0 && !/[/?#]/.test(url.slice(0, colon));
  return !scheme || SAFE_SCHEME.test(url);
}

// Inline markup. Code spans, backslash escapes and links are parsed first and parked behind
// placeholders (NUL can never occur in the text: renderMarkdown replaces it), so that emphasis
// rules never reach inside code or a URL.
export function renderInline(text) {
  const parked = [];
  const park = (html) => `\0${parked.push(html) - 1}\0`;
  let rest = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1])) {
      rest += park(escapeHtml(text[i + 1]));
      i += 2;
    } else if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') ++n;
      const close = findBacktickRun(text, i + n, n);
      if (close < 0) {
        rest += '`'.repeat(n);
      } else {
        let code = text.slice(i + n, close).replace(/\n/g, ' ');
        if (/^ .*[^ ].* $/.test(code)) code = code.slice(1, -1);
        rest += park(`<code>${escapeHtml(code)}</code>`);
      }
      i = close < 0 ? i + n : close + n;
    } else {
      rest += c;
      ++i;
    }
  }
  rest = rest.replace(/<((?:https?:\/\/|mailto:)[^\s<>]+)>/gi, (_, url) => park(link(escapeHtml(url), escapeHtml(url))));
  let html = escapeHtml(rest);
  html = html.replace(/(!?)\[([^\]]*)\]\(([^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+&quot;([^&]*)&quot;)?\)/g,
    (whole, bang, label, url, title) => {
      if (!safeUrl(url)) return whole;
      const titleAttr = title ? ` title="${title}"` : '';
      // Images are not fetched (the page stays offline and private); they become links to the image.
      const content = bang ? `${emphasis(label || url)}` : emphasis(label);
      return park(link(url, content, titleAttr));
    });
  html = html.replace(/\bhttps?:\/\/[^\s<>&\0]*(?:&amp;[^\s<>&\0]*)*/g, (url) => {
    const trimmed = trimUrl(url);
    return park(link(trimmed, trimmed)) + url.slice(trimmed.length);
  });
  html = emphasis(html).replace(/\n/g, '<br>');
  while (html.includes('\0')) html = html.replace(/\0(\d+)\0/g, (_, k) => parked[Number(k)]);
  return html;
}

// Punctuation after a bare URL ends the sentence, not the URL; a closing parenthesis belongs to the
// URL only when it closes one the URL opened (as in Wikipedia's "Foo_(bar)").
function trimUrl(url) {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    const opened = url.slice(0, end).split('(').length - url.slice(0, end).split(')').length;
    if ('.,;:!?*_~]'.includes(c) || (c === ')' && opened < 0)) --end;
    else return url.slice(0, end);
  }
}

function findBacktickRun(text, from, n) {
  for (let i = from; i < text.length; ++i) {
    if (text[i] !== '`') continue;
    let run = 1;
    while (text[i + run] === '`') ++run;
    if (run === n) return i;
    i += run - 1;
  }
  return -1;
}

function link(href, content, extra = '') {
  return `<a href="${href}"${extra} target="_blank" rel="noopener noreferrer">${content}</a>`;
}

// Emphasis on already escaped text: *** both, ** and __ strong, * and _ emphasis, ~~ strike-through.
// An underscore inside a word (snake_case) is not emphasis.
function emphasis(html) {
  return html
    .replace(/\*\*\*(?=\S)([\s\S]*?\S)\*\*\*/g, '<em><strong>$1</strong></em>')
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/\*(?=[^\s*])([\s\S]*?[^\s*])\*/g, '<em>$1</em>')
    .replace(/(^|[^\w])_(?=[^\s_])([\s\S]*?[^\s_])_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>');
}
