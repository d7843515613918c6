// The chat page's Markdown renderer, the same module the page loads: every construct it supports, and
// that nothing a model writes can become live HTML or a script link.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, renderInline, renderMarkdown } from '../../../src/server/web/markdown.mjs';

test('paragraphs are split by blank lines and keep their line breaks', () => {
  assert.equal(renderMarkdown('one\ntwo\n\nthree'), '<p>one<br>two</p>\n<p>three</p>');
  assert.equal(renderMarkdown(''), '');
  assert.equal(renderMarkdown('a\r\nb'), '<p>a<br>b</p>');
});

test('headings of each level, closing hashes dropped; a hashtag is text', () => {
  assert.equal(renderMarkdown('# One'), '<h1>One</h1>');
  assert.equal(renderMarkdown('### Three ###'), '<h3>Three</h3>');
  assert.equal(renderMarkdown('###### Six *em*'), '<h6>Six <em>em</em></h6>');
  assert.equal(renderMarkdown('####### seven'), '<p>####### seven</p>');
  assert.equal(renderMarkdown('#hashtag'), '<p>#hashtag</p>');
});

test('emphasis, strong, strike-through; snake_case and arithmetic stay as they are', () => {
  assert.equal(renderInline('**b** *i* __b__ _i_ ~~s~~'),
    '<strong>b</strong> <em>i</em> <strong>b</strong> <em>i</em> <del>s</del>');
  assert.equal(renderInline('***both***'), '<em><strong>both</strong></em>');
  assert.equal(renderInline('snake_case_name'), 'snake_case_name');
  assert.equal(renderInline('2 * 3 * 4'), '2 * 3 * 4');
});

test('inline code is escaped and shielded from emphasis', () => {
  assert.equal(renderInline('use `a_b_c *x*` now'), 'use <code>a_b_c *x*</code> now');
  assert.equal(renderInline('``a ` b``'), '<code>a ` b</code>');
  assert.equal(renderInline('`<img src=x onerror=alert(1)>`'), '<code>&lt;img src=x onerror=alert(1)&gt;</code>');
  assert.equal(renderInline('an ` unmatched tick'), 'an ` unmatched tick');
});

test('backslash escapes make markup characters literal', () => {
  assert.equal(renderInline('\\*not em\\*'), '*not em*');
  assert.equal(renderInline('\\<b>'), '&lt;b&gt;');
});

test('fenced code blocks keep their text, escaped, with the language and a copy button', () => {
  const html = renderMarkdown('```python\nif a < b:\n    print("x")\n```');
  assert.match(html, /<span class="code-language">python<\/span>/);
  assert.match(html, /<button type="button" class="copy-button" data-copy="code"/);
  assert.match(html, /<pre><code class="language-python">if a &lt; b:\n {4}print\(&quot;x&quot;\)<\/code><\/pre>/);
  assert.match(renderMarkdown('~~~\n**not bold**\n~~~'), /<code>\*\*not bold\*\*<\/code>/);
});

test('a fence still open mid-stream renders as code so far, and text after a closed one continues', () => {
  assert.match(renderMarkdown('Look:\n```js\nlet x = 1;'), /<p>Look:<\/p>\n<div class="code-block">.*<code class="language-js">let x = 1;<\/code>/s);
  assert.match(renderMarkdown('```\ncode\n```\nafter'), /<\/div>\n<p>after<\/p>$/);
  assert.match(renderMarkdown('````\n```\ninner\n```\n````'), /<code>```\ninner\n```<\/code>/);
});

test('bullet and numbered lists, nested lists, and a list that starts at another number', () => {
  assert.equal(renderMarkdown('- a\n- b'), '<ul>\n<li>a</li>\n<li>b</li>\n</ul>');
  assert.equal(renderMarkdown('* a\n  * b\n* c'), '<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul></li>\n<li>c</li>\n</ul>');
  assert.equal(renderMarkdown('1. x\n2. y'), '<ol>\n<li>x</li>\n<li>y</li>\n</ol>');
  assert.equal(renderMarkdown('3) x\n4) y'), '<ol start="3">\n<li>x</li>\n<li>y</li>\n</ol>');
  assert.equal(renderMarkdown('1. step\n   - detail\n2. next'),
    '<ol>\n<li>step\n<ul>\n<li>detail</li>\n</ul></li>\n<li>next</li>\n</ol>');
});

test('blank lines between items make a loose list; items continue over indented and lazy lines', () => {
  assert.equal(renderMarkdown('- a\n\n- b'), '<ul>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ul>');
  assert.equal(renderMarkdown('- a\n  more\nlazy'), '<ul>\n<li>a<br>more<br>lazy</li>\n</ul>');
  assert.equal(renderMarkdown('- a\n\n  second paragraph'), '<ul>\n<li><p>a</p>\n<p>second paragraph</p></li>\n</ul>');
  assert.equal(renderMarkdown('- a\n\nafter'), '<ul>\n<li>a</li>\n</ul>\n<p>after</p>');
});

test('a list interrupts a paragraph only with a bullet or at 1', () => {
  assert.equal(renderMarkdown('Steps:\n- one'), '<p>Steps:</p>\n<ul>\n<li>one</li>\n</ul>');
  assert.equal(renderMarkdown('The year\n2019. was good'), '<p>The year<br>2019. was good</p>');
});

test('block quotes hold blocks of their own', () => {
  assert.equal(renderMarkdown('> quoted **text**\n> - item'),
    '<blockquote><p>quoted <strong>text</strong></p>\n<ul>\n<li>item</li>\n</ul></blockquote>');
  assert.equal(renderMarkdown('> a\n>\n> b'), '<blockquote><p>a</p>\n<p>b</p></blockquote>');
});

test('tables with alignment, inline markup in cells, escaped pipes and pipes inside code', () => {
  const html = renderMarkdown('| Name | Score |\n|:-----|------:|\n| **Ann** | 3 |\n| `a|b` | x \\| y |');
  assert.equal(html,
    '<div class="table-wrap"><table><thead><tr><th class="align-left">Name</th><th class="align-right">Score</th></tr></thead>' +
    '<tbody><tr><td class="align-left"><strong>Ann</strong></td><td class="align-right">3</td></tr>' +
    '<tr><td class="align-left"><code>a|b</code></td><td class="align-right">x | y</td></tr></tbody></table></div>');
  assert.equal(renderMarkdown('a | b\n--- | :-:'),
    '<div class="table-wrap"><table><thead><tr><th>a</th><th class="align-center">b</th></tr></thead></table></div>');
  assert.equal(renderMarkdown('a | b\n---'), '<p>a | b</p>\n<hr>', 'a header and delimiter of different widths is no table');
});

test('rules', () => {
  assert.equal(renderMarkdown('---'), '<hr>');
  assert.equal(renderMarkdown('* * *'), '<hr>');
  assert.equal(renderMarkdown('a\n\n___\n\nb'), '<p>a</p>\n<hr>\n<p>b</p>');
});

test('links open in a new tab without a referrer; autolinks and bare URLs link too', () => {
  assert.equal(renderInline('[Qwen](https://qwenlm.github.io/ "Home")'),
    '<a href="https://qwenlm.github.io/" title="Home" target="_blank" rel="noopener noreferrer">Qwen</a>');
  assert.equal(renderInline('<https://a.example/x_y_z>'),
    '<a href="https://a.example/x_y_z" target="_blank" rel="noopener noreferrer">https://a.example/x_y_z</a>');
  assert.equal(renderInline('See https://en.wikipedia.org/wiki/Foo_(bar).'),
    'See <a href="https://en.wikipedia.org/wiki/Foo_(bar)" target="_blank" rel="noopener noreferrer">' +
    'https://en.wikipedia.org/wiki/Foo_(bar)</a>.');
  assert.equal(renderInline('(at https://x.example/a?b=1&c=2)'),
    '(at <a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">https://x.example/a?b=1&amp;c=2</a>)');
  assert.equal(renderInline('[**bold** `code`](/docs)'),
    '<a href="/docs" target="_blank" rel="noopener noreferrer"><strong>bold</strong> <code>code</code></a>');
});

test('images are not loaded: they become links to the image', () => {
  assert.equal(renderInline('![a cat](https://img.example/cat.png)'),
    '<a href="https://img.example/cat.png" target="_blank" rel="noopener noreferrer">a cat</a>');
});

test('HTML in the text is always escaped, wherever it stands', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '# <b>head</b>',
    '- <i>item</i>',
    '> <iframe src="https://evil.example"></iframe>',
    '| <a> | b |\n|---|---|\n| <svg onload=alert(1)> | c |',
    '**<style>body{display:none}</style>**',
  ];
  for (const text of attacks) {
    const html = renderMarkdown(text);
    assert.doesNotMatch(html, /<(script|img|b>|i>|iframe|svg|style)/, `${text} -> ${html}`);
    assert.match(html, /&lt;/, text);
  }
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
});

test('links with a script or data scheme stay text, and a quote cannot end the href', () => {
  for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '\u0001javascript:x']) {
    const html = renderInline(`[click](${url})`);
    assert.doesNotMatch(html, /<a /, `${url} -> ${html}`);
  }
  const html = renderInline('[x](https://a.example/"onmouseover="alert(1))');
  assert.match(html, /href="https:\/\/a\.example\/&quot;onmouseover=&quot;alert\(1\)"/);
});

test('a NUL in the text cannot reach the renderer\'s placeholders', () => {
  assert.equal(renderMarkdown('a\u00000\u0000b `c`'), '<p>a\uFFFD0\uFFFDb <code>c</code></p>');
});

test('tabs indent as four columns', () => {
  assert.equal(renderMarkdown('-\tone\n\t- two'), '<ul>\n<li>one\n<ul>\n<li>two</li>\n</ul></li>\n</ul>');
});
