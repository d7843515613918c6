// Text holding the spellings of added and special tokens: chat transcripts in the ChatML layout Qwen
// models use, Qwen3's added tokens, Qwen v1's <|extra_N|> tokens, and near misses (partial, nested,
// differently cased or spaced spellings) that must stay plain text. Some put a combining mark right
// after a token: NFC of the whole text turns ">" + U+0338 into "≯", and the two formats normalise at
// different points (v1 normalises the whole text before finding special tokens, tokenizer.json only
// the text between added tokens), so those lines separate the two behaviours.
import { Random, collect } from "./random.mjs";

const QWEN3_ADDED = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
  "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>",
  "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>",
  "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<tool_response>",
  "</tool_response>", "<think>", "</think>"];

function v1Extra(random) {
  return `<|extra_${random.chance(0.9) ? random.int(0, 204) : random.pick(["205", "-1", "01", "1000", "", " 3"])}|>`;
}

function token(random) {
  return random.chance(0.8) ? random.pick(QWEN3_ADDED) : v1Extra(random);
}

// Spellings that are not tokens but share a prefix, suffix or most characters with one.
function nearMiss(random) {
  const t = random.pick(QWEN3_ADDED);
  switch (random.int(0, 9)) {
    case 0: return t.slice(0, random.int(1, t.length - 1));
    case 1: return t.slice(random.int(1, t.length - 1));
    case 2: return t.toUpperCase();
    case 3: return t.replace("|", "| ");
    case 4: return `<${t}>`;
    case 5: return t.replace("<", "<<").replace(">", ">>");
    case 6: return t.replace("_", "\u00ad_");
    case 7: return t.replace(">", " >");
    case 8: return t.replace("|", "\uff5c");
    default: return t.slice(0, -1) + t;
  }
}

function combiningAfter(random) {
  return random.pick(["\u0338", "\u0301", "\u0323\u0302", "\u20d2"]);
}

function chatTranscript(random, words) {
  const prose = (n) => Array.from({ length: random.int(1, n) }, () => random.pick(words)).join(" ");
  const turn = (role, body) => `<|im_start|>${role}\n${body}<|im_end|>\n`;
  let text = random.chance(0.7) ? turn("system", `You are a helpful assistant. ${prose(10)}`) : "";
  for (let i = random.int(1, 4); i > 0; --i) {
    text += turn("user", prose(40) + (random.chance(0.2) ? ` ${nearMiss(random)} ${prose(5)}` : ""));
    let answer = random.chance(0.5) ? `<think>\n${prose(60)}\n</think>\n\n` : "";
    if (random.chance(0.3)) {
      const call = JSON.stringify({ name: random.pick(["get_weather", "search", "run_code"]), arguments: { q: prose(4) } });
      answer += `<tool_call>\n${call}\n</tool_call>`;
      text += turn("assistant", answer);
      answer = "";
      text += turn("user", `<tool_response>\n${JSON.stringify({ result: prose(12) })}\n</tool_response>`);
    }
    text += turn("assistant", answer + prose(80));
  }
  if (random.chance(0.3)) text += "<|im_start|>assistant\n";
  return text + (random.chance(0.3) ? "<|endoftext|>" : "");
}

function tokenSoup(random, words) {
  const count = random.length(120);
  let text = "";
  for (let i = 0; i < count; ++i) {
    const kind = random.int(0, 9);
    if (kind < 3) text += token(random);
    else if (kind < 5) text += nearMiss(random);
    else if (kind === 5) text += token(random) + combiningAfter(random);
    else text += random.pick(words);
    text += random.pick(["", "", " ", "\n", "  ", "\n\n", "x", "\u00a0"]);
  }
  return text;
}

export function specialTokenDocuments(targetBytes, words) {
  const random = new Random("special-tokens");
  return collect(targetBytes, () => (random.chance(0.5) ? chatTranscript(random, words) : tokenSoup(random, words)));
}
