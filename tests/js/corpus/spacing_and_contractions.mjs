// The corners of the pre-tokenizer pattern: whitespace and newline runs of every White_Space character
// (and of look-alikes that are not White_Space), the case-insensitive contractions `'s|'t|'re|'ve|'m|
// 'll|'d`, tiny lines (empty, one character) and a few long runs of a single kind of character.
import { Random, collect } from "./random.mjs";

// Every White_Space character, plus U+FEFF, U+200B and U+180E, which JavaScript's \s or older Unicode
// count as spaces but Unicode White_Space does not.
const WHITE_SPACE = ["\t", "\n", "\v", "\f", "\r", " ", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002",
  "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f",
  "\u205f", "\u3000"];
const NOT_WHITE_SPACE = ["\ufeff", "\u200b", "\u180e", "\u200c", "\u2060"];
const COMMON_RUNS = [" ", " ", " ", "  ", "    ", "        ", "\t", "\t\t", "\n", "\n", "\r\n", "\r", "\n\n",
  "\n\n\n", "\r\n\r\n", " \n", "\t\n", "  \r\n", "\n ", "\n\t", "\u00a0", "\u3000", " \u00a0 ", "\r\r\n"];
const PUNCTUATION = [".", ",", "!", "?", "...", "!!", "?!", ":", ";", "-", "--", "(", ")", "\"", "'", "`", "*",
  "/", "\\", "{", "}", "[", "]", "<", ">", "=", "==", "->", "=>", "#", "@", "&", "|", "~", "^", "%", "$", "_"];

function whitespaceRun(random) {
  const kind = random.int(0, 9);
  if (kind < 5) return random.pick(COMMON_RUNS);
  const pool = kind < 8 ? WHITE_SPACE : [...WHITE_SPACE, ...NOT_WHITE_SPACE];
  return Array.from({ length: random.int(1, 6) }, () => random.pick(pool)).join("");
}

function whitespaceDocument(random, words) {
  const count = random.length(300);
  let text = random.chance(0.3) ? whitespaceRun(random) : "";
  for (let i = 0; i < count; ++i) {
    const piece = random.chance(0.2) ? random.pick(PUNCTUATION) : random.pick(words);
    text += piece + (random.chance(0.7) ? whitespaceRun(random) : "");
  }
  if (random.chance(0.4)) text += whitespaceRun(random);
  return text;
}

const SUBJECTS = ["I", "you", "we", "they", "he", "she", "it", "that", "there", "who", "what", "John", "Qwen",
  "don", "can", "won", "isn", "aren", "y", "rock", "o", "90", "中", "ça"];
const SUFFIXES = ["s", "t", "re", "ve", "m", "ll", "d", "S", "T", "RE", "VE", "M", "LL", "D", "Re", "rE", "Ve",
  "lL", "Ll", "\u017f", "\u017ft", "\u017fS", "st", "ss", "ll'", "dve", "mm", "tis", "clock", "n", "k", "\u212a", "\u00df",
  "\u0130", "\u0131", "S\u0301", "s\u0323"];

function contraction(random) {
  const subject = random.chance(0.4) ? random.mixCase(random.pick(SUBJECTS)) : random.pick(SUBJECTS);
  const apostrophe = random.pick(["'", "'", "'", "'", "\u2019", "''", "' ", "`"]);
  const suffix = random.chance(0.3) ? random.mixCase(random.pick(SUFFIXES)) : random.pick(SUFFIXES);
  return random.pick(["", "", " ", "\n", "(", "!", "1"]) + subject + apostrophe + suffix;
}

function contractionDocument(random, words) {
  const count = random.length(200);
  let text = random.chance(0.2) ? `'${random.pick(SUFFIXES)}` : "";
  for (let i = 0; i < count; ++i) {
    text += random.chance(0.5) ? contraction(random) : random.pick(words);
    text += random.pick([" ", " ", " ", "", ", ", ". ", "\n", "'"]);
  }
  return text;
}

// Lines of zero, one or two characters.
function tinyLines(random) {
  const singles = ["", " ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\ufeff", "\u000b",
    "\u000c", "\u0000", "\u0001", "\u007f", "'", "<", ">", "|", "a", "Z", "\u017f", "\u00e9", "e\u0301", "\u0301",
    "\u4e2d", "\u{20000}", "\u{1F600}", "0", "\u0663", "\u00bd", "\uffff", "\u{10FFFF}", "\u{E0001}",
    "<|im_start|>", "<|endoftext|>", "<think>", "'s", "'S", "  ", " \n", "\n\n", "a\n", "\n a"];
  const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
  const lines = [...singles, ...ascii, ...ascii.map((c) => c + random.pick(ascii))];
  for (let i = 0; i < 300; ++i) lines.push(random.chance(0.3) ? "" : random.pick(singles) + random.pick(singles));
  return lines;
}

// Long runs of one kind: stress the BPE merge loop and the pattern's longest matches.
function longRuns(random) {
  const run = (piece, n) => piece.repeat(n);
  return [
    run(" ", 5000), run("\n", 3000), run("a", 3000), run("\t ", 1500), run("ab", 2000), run("!", 4000),
    run("0123456789", 400), run("\u4e2d\u6587", 1500), run("\u00e9", 2000), run("\u{1F600}", 800),
    run(" \u00a0", 1000) + "x", run("\r\n", 1500) + " end", run("=", 3000) + "\n" + run("-", 3000),
    Array.from({ length: 3000 }, () => random.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")).join(""),
  ];
}

export function whitespaceDocuments(targetBytes, words) {
  const random = new Random("whitespace");
  return collect(targetBytes, () => whitespaceDocument(random, words));
}

export function contractionDocuments(targetBytes, words) {
  const random = new Random("contractions");
  return collect(targetBytes, () => contractionDocument(random, words));
}

export function tinyAndLongLines() {
  const random = new Random("tiny-and-long");
  return [...tinyLines(random), ...longRuns(random)];
}
