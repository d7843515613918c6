// Prose-like text in every language Node's ICU has locale data for, made of real words and phrases
// from its CLDR data: names of languages, regions, scripts and currencies, month and weekday names,
// dates, numbers in local digits, relative times and lists, all as each locale writes them.
import { Random, fillTo } from "./random.mjs";

const LETTERS = Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
const TWO_LETTER_CODES = LETTERS.flatMap((a) => LETTERS.map((b) => a + b));
const EXTRA_LOCALES = ["zh-Hant", "sr-Latn", "uz-Cyrl", "pa-Arab", "yue", "haw", "ckb", "fil", "ceb", "mai", "sat"];

export const LOCALES = Intl.DisplayNames.supportedLocalesOf([
  ...TWO_LETTER_CODES.map((c) => c.toLowerCase()),
  ...EXTRA_LOCALES,
]);

const SCRIPTS = ["Arab", "Armn", "Beng", "Cher", "Cyrl", "Deva", "Ethi", "Geor", "Grek", "Gujr", "Guru", "Hang",
  "Hani", "Hans", "Hant", "Hebr", "Hira", "Jpan", "Kana", "Khmr", "Knda", "Kore", "Laoo", "Latn", "Mlym", "Mong",
  "Mymr", "Orya", "Sinh", "Taml", "Telu", "Tfng", "Thaa", "Thai", "Tibt", "Yiii"];
// Digit systems encoded by Unicode 14 or earlier (newer ones would depend on the Unicode version).
const NUMBERING_SYSTEMS = ["latn", "arab", "arabext", "beng", "deva", "fullwide", "gujr", "guru", "hanidec",
  "khmr", "knda", "laoo", "mlym", "mymr", "orya", "tamldec", "telu", "thai", "tibt", "mong", "bali", "java",
  "lana", "limb", "olck", "vaii", "adlm", "mathbold", "mathmono"];
const UNITS = ["kilometer-per-hour", "celsius", "liter", "megabyte", "kilogram", "hour", "percent", "mile", "byte"];
const CALENDARS = ["gregory", "chinese", "hebrew", "islamic", "persian", "japanese", "buddhist", "ethiopic", "indian"];
const RELATIVE_UNITS = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"];

const UNSPACED = new Set(["zh", "zh-Hant", "ja", "th", "lo", "km", "my", "bo", "dz", "yue"]);
const SENTENCE_ENDS = {
  zh: ["。", "！", "？", "；"], ja: ["。", "！", "？"], yue: ["。", "？"], "zh-Hant": ["。", "！", "？"],
  hi: ["। ", "? "], mr: ["। "], ne: ["। "], sa: ["। "], bn: ["। "], as: ["। "], mai: ["। "],
  ar: [". ", "؟ ", "، "], fa: [". ", "؟ ", "، "], ur: ["۔ ", "؟ "], ps: [". ", "؟ "], ug: [". ", "؟ "],
  ckb: [". ", "؟ "], hy: ["։ ", "՞ "], am: ["። ", "፧ "], ti: ["። "], my: ["။ ", "၊"], el: [". ", "; "],
  th: [" ", "ๆ "], lo: [" "], km: ["។ ", "៕ "], bo: ["། ", "།། "], dz: ["། "],
};
const DEFAULT_ENDS = [". ", ". ", "! ", "? ", "; ", "… ", ": ", ". "];

function utcDate(random) {
  return new Date(Date.UTC(random.int(1600, 2200), random.int(0, 11), random.int(1, 28), random.int(0, 23),
    random.int(0, 59), random.int(0, 59)));
}

function namesOf(locale, type, codes) {
  const names = new Intl.DisplayNames([locale], { type, fallback: "none" });
  return codes.map((code) => names.of(code)).filter(Boolean);
}

function formatter(make) {
  try {
    return make();
  } catch {
    return null;
  }
}

// Words and phrases of one locale: the ingredients of its sentences.
function localeVocabulary(locale, random) {
  const words = [
    ...namesOf(locale, "language", LOCALES),
    ...namesOf(locale, "region", TWO_LETTER_CODES),
    ...namesOf(locale, "script", SCRIPTS),
    ...namesOf(locale, "currency", Intl.supportedValuesOf("currency")),
  ];
  for (const calendar of CALENDARS) {
    const month = new Intl.DateTimeFormat(locale, { month: "long", calendar, timeZone: "UTC" });
    for (let m = 0; m < 12; ++m) words.push(month.format(new Date(Date.UTC(2024, m, 15))));
  }
  const weekday = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
  for (let d = 0; d < 7; ++d) words.push(weekday.format(new Date(Date.UTC(2024, 0, 1 + d))));

  const formatted = [];
  const dateStyles = ["full", "long", "medium", "short"];
  for (let i = 0; i < 24; ++i) {
    const style = random.pick(dateStyles);
    formatted.push(new Intl.DateTimeFormat(locale, { dateStyle: style, timeStyle: random.pick(dateStyles),
      timeZone: "UTC", calendar: random.pick(CALENDARS) }).format(utcDate(random)));
  }
  for (let i = 0; i < 24; ++i) {
    const numberingSystem = random.chance(0.5) ? "latn" : random.pick(NUMBERING_SYSTEMS);
    const value = random.chance(0.5) ? random.int(0, 1e6) : (random.next() - 0.3) * 10 ** random.int(-3, 12);
    const options = random.pick([{}, { style: "percent" }, { notation: "compact", compactDisplay: "long" },
      { style: "currency", currency: random.pick(["EUR", "USD", "JPY", "INR", "CNY", "RUB", "BRL"]) },
      { style: "unit", unit: random.pick(UNITS), unitDisplay: "long" }, { notation: "scientific" }]);
    const format = formatter(() => new Intl.NumberFormat(locale, { numberingSystem, ...options }));
    const number = format?.format(value);
    // ICU garbles multi-digit exponents of astral digits into lone surrogates: leave those out.
    if (number && !/\p{Cs}/u.test(number)) formatted.push(number);
  }
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: random.pick(["auto", "always"]) });
  for (let i = 0; i < 12; ++i) formatted.push(relative.format(random.int(-30, 30), random.pick(RELATIVE_UNITS)));
  const lists = new Intl.ListFormat(locale, { type: random.pick(["conjunction", "disjunction", "unit"]) });
  for (let i = 0; i < 8; ++i) formatted.push(lists.format(Array.from({ length: random.int(2, 5) }, () => random.pick(words))));
  return { words, formatted };
}

function sentence(locale, vocabulary, random) {
  const joiner = UNSPACED.has(locale) ? "" : " ";
  const parts = [];
  const count = random.int(3, 16);
  for (let i = 0; i < count; ++i) {
    let part = random.chance(0.12) ? random.pick(vocabulary.formatted) : random.pick(vocabulary.words);
    if (random.chance(0.15)) part = random.chance(0.5) ? part.toLocaleLowerCase(locale) : part.toLocaleUpperCase(locale);
    if (random.chance(0.1)) part = random.pick(['"', "(", "«", "“", "„", "'", "「"]) + part + random.pick(['"', ")", "»", "”", "“", "'", "」"]);
    parts.push(part);
    if (random.chance(0.1)) parts.push(random.pick([",", "、", " -", " –", " —", ":", "，"]));
  }
  const text = parts.join(joiner).replace(/ ([,，、:])/gu, "$1");
  const first = Array.from(text)[0] ?? "";
  return first.toLocaleUpperCase(locale) + text.slice(first.length) + random.pick(SENTENCE_ENDS[locale] ?? DEFAULT_ENDS);
}

function paragraph(locale, vocabulary, random) {
  const body = Array.from({ length: random.int(1, 7) }, () => sentence(locale, vocabulary, random)).join("");
  const style = random.int(0, 9);
  if (style === 0) return `# ${sentence(locale, vocabulary, random).trimEnd()}\n${body}`;
  if (style === 1) return `- ${body.trimEnd()}`;
  if (style === 2) return `${random.int(1, 20)}. ${body.trimEnd()}`;
  return body.trimEnd();
}

function document(locales, vocabularies, random, maxLength) {
  const target = random.length(maxLength);
  const separator = random.pick(["\n\n", "\n", "\n\n", " ", "\r\n\r\n"]);
  const mixed = random.chance(0.15);
  const home = random.pick(locales);
  return fillTo(target, () => {
    const locale = mixed ? random.pick(locales) : home;
    return paragraph(locale, vocabularies.get(locale), random) + separator;
  });
}

// Documents of every locale in turn until about targetBytes of UTF-8.
export function naturalLanguageDocuments(targetBytes) {
  const random = new Random("natural-language");
  const vocabularies = new Map(LOCALES.map((locale) => [locale, localeVocabulary(locale, random)]));
  const documents = [];
  let bytes = 0;
  for (let i = 0; bytes < targetBytes; ++i) {
    const locale = LOCALES[i % LOCALES.length];
    const doc = document([locale, ...random.shuffle([...LOCALES]).slice(0, 3)], vocabularies, random, 3000);
    documents.push(doc);
    bytes += Buffer.byteLength(doc);
  }
  return documents;
}

// Single words of the given locales, for the parts that mix words with symbols, numbers or marks.
export function wordsOf(locales) {
  const random = new Random("words");
  return locales.flatMap((locale) => localeVocabulary(locale, random).words)
    .flatMap((phrase) => phrase.split(" "))
    .filter((word) => /^\p{L}+$/u.test(word));
}
