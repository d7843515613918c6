// Emoji sequences and numbers written in ordinary text. Emoji are built from their code points (ZWJ
// sequences, skin tones, flags, keycaps) because the joiners and selectors are invisible in source.
// Numbers exercise the pattern's single-digit \p{N} rule: long digit runs, separators, every kind of
// Unicode number (other scripts' digits, superscripts, fractions, Roman numerals, circled numbers).
import { Random, charIn, collect } from "./random.mjs";

const ZWJ = "\u200d";
const VS16 = "\ufe0f";
const PEOPLE = ["\u{1F468}", "\u{1F469}", "\u{1F9D1}", "\u{1F467}", "\u{1F466}", "\u{1F476}", "\u{1F474}", "\u{1F475}"];
const HANDS = ["\u{1F44B}", "\u{1F44D}", "\u{1F44E}", "\u270B", "\u{1F64C}", "\u{1F44F}", "\u270C", "\u261D",
  "\u{1F91E}", "\u{1F4AA}", "\u{1F64F}", "\u{1F44C}", "\u{1F919}", "\u{1F590}"];
const OBJECTS = ["\u{1F4BB}", "\u{1F680}", "\u{1F52C}", "\u{1F3A8}", "\u{1F373}", "\u{1F692}", "\u2695" + VS16,
  "\u2696" + VS16, "\u2708" + VS16, "\u{1F9AF}", "\u2764" + VS16, "\u{1F525}"];
const TEXT_DEFAULT = ["\u263A", "\u2764", "\u2600", "\u2601", "\u260E", "\u2702", "\u2714", "\u2733", "\u00A9", "\u00AE", "\u2122"];
const EMOJI_RANGES = [[0x1f300, 0x1f5ff], [0x1f600, 0x1f64f], [0x1f680, 0x1f6d7], [0x1f900, 0x1f9ff]];
const REGIONS = ["US", "GB", "DE", "FR", "JP", "CN", "KR", "IN", "BR", "RU", "UA", "ZA", "NG", "EG", "IL", "SA",
  "MX", "CA", "AU", "NZ", "SE", "FI", "IS", "VN", "TH", "EU", "UN", "ZZ", "XK"];

function tone(random) {
  return random.chance(0.6) ? String.fromCodePoint(random.int(0x1f3fb, 0x1f3ff)) : "";
}

function flag(region) {
  return String.fromCodePoint(...Array.from(region, (c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

function tagFlag(subdivision) {
  return "\u{1F3F4}" + String.fromCodePoint(...Array.from(subdivision, (c) => 0xe0000 + c.charCodeAt(0))) + "\u{E007F}";
}

function emoji(random) {
  switch (random.int(0, 9)) {
    case 0: return Array.from({ length: random.int(2, 4) }, () => random.pick(PEOPLE)).join(ZWJ);
    case 1: return random.pick(PEOPLE) + tone(random) + ZWJ + random.pick(OBJECTS);
    case 2: return random.pick(HANDS) + tone(random);
    case 3: return flag(random.pick(REGIONS));
    case 4: return tagFlag(random.pick(["gbeng", "gbsct", "gbwls", "ustx", "gbeng"]));
    case 5: return random.pick("0123456789#*") + (random.chance(0.8) ? VS16 : "") + "\u20e3";
    case 6: return random.pick(TEXT_DEFAULT) + random.pick([VS16, "\ufe0e", ""]);
    case 7: return "\u{1F3F3}" + VS16 + ZWJ + random.pick(["\u{1F308}", "\u26A7" + VS16]);
    default: {
      const [first, last] = random.pick(EMOJI_RANGES);
      return charIn(random, first, last).repeat(random.chance(0.2) ? random.int(2, 6) : 1);
    }
  }
}

function emojiDocument(random, words) {
  const target = random.length(2000);
  let text = "";
  while (text.length < target) {
    const run = Array.from({ length: random.int(1, 4) }, () => emoji(random)).join(random.pick(["", "", " "]));
    const prose = Array.from({ length: random.int(0, 8) }, () => random.pick(words)).join(" ");
    text += random.pick([`${prose} ${run} `, `${run}${prose}`, `${prose}${run}! `, `${run}\n`, `(${run}) ${prose}. `]);
  }
  return text;
}

function digits(random, count, zero = 0x30) {
  return Array.from({ length: count }, () => String.fromCodePoint(zero + random.int(0, 9))).join("");
}

// Zero digits of decimal digit sets in Unicode 14: ASCII, Arabic-Indic and extended, Devanagari,
// Bengali, Thai, Tibetan, Myanmar, Khmer, Mongolian, fullwidth, mathematical bold and monospace.
const ZERO_DIGITS = [0x30, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0xf20, 0x1040, 0x17e0, 0x1810, 0xff10, 0x1d7ce, 0x1d7f6];
const OTHER_NUMBERS = ["\u00b2", "\u00b3", "\u00b9", "\u2070", "\u2074", "\u2079", "\u207b", "\u2080", "\u2082",
  "\u00bd", "\u2153", "\u00be", "\u215e", "\u2160", "\u216b", "\u217b", "\u2460", "\u2473", "\u3007", "\u4e00",
  "\u5341", "\u2167", "\u{10107}", "\u{1D360}", "\u0bf1", "\u09f4"];

function number(random) {
  const n = () => digits(random, random.int(1, 6));
  switch (random.int(0, 15)) {
    case 0: return digits(random, random.int(7, 60));
    case 1: return random.pick(["-", "+", ""]) + n() + "." + n();
    case 2: return [n(), digits(random, 3), digits(random, 3)].join(random.pick([",", ".", " ", "\u00a0", "\u202f", "'", "_"]));
    case 3: return `${n()}.${n()}e${random.pick(["", "-", "+"])}${random.int(0, 308)}`;
    case 4: return `0x${random.int(0, 0x7fffffff).toString(16)}`;
    case 5: return `v${random.int(0, 20)}.${random.int(0, 99)}.${random.int(0, 999)}${random.pick(["", "-rc.1", "-beta2"])}`;
    case 6: return new Date(random.int(-2e12, 4e12)).toISOString();
    case 7: return Array.from({ length: 4 }, () => random.int(0, 255)).join(".");
    case 8: return `+${random.int(1, 999)} (${digits(random, 3)}) ${digits(random, 3)}-${digits(random, 4)}`;
    case 9: return random.pick(["$", "€", "£", "¥", "₹", "₩", "₽"]) + n() + random.pick(["", ".99", ",50"]);
    case 10: return n() + random.pick(["%", "st", "nd", "rd", "th", "kg", "km/h", "x", "px", "ms", "°C", "\u00a0%"]);
    case 11: return digits(random, random.int(1, 12), random.pick(ZERO_DIGITS));
    case 12: return Array.from({ length: random.int(1, 5) }, () => random.pick(OTHER_NUMBERS)).join("");
    case 13: return random.pick(["x", "H", "abc", "E=mc", "10", "item"]) + random.pick(OTHER_NUMBERS) + n();
    case 14: return `${n()}${random.pick(["/", ":", "-", "×", "÷", "^", "**"])}${n()}`;
    default: return n();
  }
}

function numberDocument(random, words) {
  const target = random.length(2500);
  let text = "";
  while (text.length < target) {
    const sep = random.pick([" ", " ", ", ", "\n", "\t", "", " | "]);
    text += random.chance(0.4) ? random.pick(words) + sep : number(random) + sep;
  }
  return text;
}

export function emojiDocuments(targetBytes, words) {
  const random = new Random("emoji");
  return collect(targetBytes, () => emojiDocument(random, words));
}

export function numberDocuments(targetBytes, words) {
  const random = new Random("numbers");
  return collect(targetBytes, () => numberDocument(random, words));
}
