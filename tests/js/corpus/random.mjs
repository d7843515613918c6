// A seeded pseudo-random generator (mulberry32) and the choices the corpus parts make with it, so the
// corpus is the same on every run. Each part seeds its own generator from its name: adding or
// changing one part leaves the others' text as it was.

function seedFromName(name) {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

export class Random {
  constructor(name) {
    this.state = seedFromName(name);
  }

  // Uniform in [0, 1).
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  // Integer in [lo, hi].
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p) {
    return this.next() < p;
  }

  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  // Mostly short, sometimes up to max: document chunks of "0 to a few KB".
  length(max) {
    return Math.floor(max * this.next() ** 2.5);
  }

  shuffle(items) {
    for (let i = items.length - 1; i > 0; --i) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  // Upper- or lower-cases each character at random: "you'Re", "WE'LL".
  mixCase(text) {
    return Array.from(text, (ch) => (this.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join("");
  }
}

// Text of makePiece() pieces cut to targetLength UTF-16 units, never inside a surrogate pair (the
// corpus must stay valid UTF-8); the cut may fall inside words and combining sequences on purpose.
export function fillTo(targetLength, makePiece) {
  let text = "";
  while (text.length < targetLength) text += makePiece();
  const cut = /[\uD800-\uDBFF]/.test(text[targetLength - 1] ?? "") ? targetLength - 1 : targetLength;
  return text.slice(0, cut);
}

// Documents from makeDocument() until they hold about targetBytes of UTF-8.
export function collect(targetBytes, makeDocument) {
  const documents = [];
  for (let bytes = 0; bytes < targetBytes;) {
    const doc = makeDocument();
    documents.push(doc);
    bytes += Buffer.byteLength(doc);
  }
  return documents;
}

// A character of the inclusive code point range [first, last].
export function charIn(random, first, last) {
  return String.fromCodePoint(random.int(first, last));
}
