// Text that is not in NFC, combining marks in odd places, and random characters from every Unicode
// block. Both tokenizer formats normalise to NFC before the pre-tokenizer pattern sees the text, so
// these lines test the normaliser as much as the pattern's \p{L} and \p{N} classes.
import { Random, charIn, collect } from "./random.mjs";
import { ASSIGNED_RUNS } from "./unicode_runs.mjs";

const RUNS = ASSIGNED_RUNS.map((run) => run.split("-").map((hex) => parseInt(hex, 16)));
const COMBINING_RANGES = [[0x300, 0x36f], [0x1ab0, 0x1ace], [0x1dc0, 0x1dff], [0x20d0, 0x20f0], [0xfe20, 0xfe2f],
  [0x591, 0x5bd], [0x64b, 0x65f], [0x93c, 0x94d], [0xe31, 0xe3a]];
// Characters whose NFC is another character (singletons, composition exclusions, compatibility
// ideographs) and Hangul jamo, which NFC composes into syllables when they come in L V (T) order.
const NFC_CHANGES = ["\u2126", "\u212a", "\u212b", "\u0340", "\u0341", "\u0343", "\u0344", "\u0374", "\u037e",
  "\u0387", "\u0958", "\u095f", "\u09dc", "\u0a33", "\u0b5c", "\u0f43", "\u0f73", "\u0f75", "\u0f81", "\ufb1d",
  "\ufb1f", "\ufb2a", "\ufb4e", "\uf900", "\ufa10", "\ufa6d", "\u{2F800}", "\u{2FA1D}", "\u1f71", "\u1fbb",
  "\u2000", "\u2001", "\u2329", "\u232a"];

function randomRunChar(random) {
  const [first, last] = random.pick(RUNS);
  return charIn(random, first, last);
}

function combiningMarks(random, max) {
  return Array.from({ length: random.int(1, max) }, () => charIn(random, ...random.pick(COMBINING_RANGES))).join("");
}

function jamoSequence(random) {
  const lead = () => charIn(random, 0x1100, 0x1112);
  const vowel = () => charIn(random, 0x1161, 0x1175);
  const tail = () => charIn(random, 0x11a8, 0x11c2);
  switch (random.int(0, 3)) {
    case 0: return lead() + vowel();
    case 1: return lead() + vowel() + tail();
    case 2: return String.fromCharCode(0xac00 + random.int(0, 11171)).normalize("NFD").slice(0, 2) + tail();
    default: return vowel() + lead() + tail() + lead();
  }
}

// Words of real text taken apart: NFD, then sometimes with marks reordered or extra marks added.
function denormalised(random, word) {
  const nfd = word.normalize("NFD");
  switch (random.int(0, 4)) {
    case 0: return nfd;
    case 1: return Array.from(nfd).reverse().join("");
    case 2: return nfd + combiningMarks(random, 3);
    case 3: return word.normalize("NFKD");
    default: return word;
  }
}

function normalisationDocument(random, words) {
  const count = random.length(250);
  let text = "";
  for (let i = 0; i < count; ++i) {
    switch (random.int(0, 7)) {
      case 0: text += jamoSequence(random); break;
      case 1: text += random.pick(NFC_CHANGES); break;
      case 2: text += random.pick(["", " ", "\n", "1", "!", "\u4e2d", "\u{1F600}", "'"]) + combiningMarks(random, 12); break;
      default: text += denormalised(random, random.pick(words));
    }
    text += random.pick([" ", " ", "", "\n", ", "]);
  }
  return text;
}

// Characters drawn from the runs, mostly several in a row from one run as if they were words.
function codePointDocument(random) {
  const count = random.length(400);
  let text = "";
  for (let i = 0; i < count; ++i) {
    if (random.chance(0.7)) {
      const [first, last] = random.pick(RUNS);
      for (let n = random.int(1, 10); n > 0; --n) text += charIn(random, first, last);
    } else {
      text += randomRunChar(random);
    }
    text += random.pick([" ", " ", "", "", "\n", ".", ", ", "\t"]);
  }
  return text;
}

export function normalisationDocuments(targetBytes, words) {
  const random = new Random("normalisation");
  return collect(targetBytes, () => normalisationDocument(random, words));
}

export function codePointDocuments(targetBytes) {
  const random = new Random("code-points");
  return collect(targetBytes, () => codePointDocument(random));
}

// Every run's code points must be assigned in the Unicode version this Node.js knows, or the
// transformers.js reference would classify them differently from the other engines.
export function checkRunsAssigned() {
  for (const [first, last] of RUNS) {
    for (let cp = first; cp <= last; ++cp) {
      const noncharacter = (cp & 0xfffe) === 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef);
      if (!noncharacter && /\p{Cn}/u.test(String.fromCodePoint(cp))) {
        throw new Error(`Node.js ${process.version} (Unicode ${process.versions.unicode}) lacks U+${cp.toString(16)}`);
      }
    }
  }
}
