// The chat page: wires the settings, the conversation and the composer to the server's API. The
// conversation is kept in localStorage as it changes, so a reload or a closed tab loses nothing.

import { ApiError, applyChunk, emptyAnswer, formatStats, listModels, streamChatCompletion } from './chat_client.mjs';
import { copyWithFeedback } from './clipboard.mjs';
import { ConversationView } from './conversation_view.mjs';
import { bindSettings, loadStored, readSettings, store } from './settings.mjs';

const $ = (id) => document.getElementById(id);

const settingsForm = $('settings-form');
const prompt = $('prompt');
const view = new ConversationView($('messages'), $('conversation'));

let turns = [];  // {role, content, reasoning?, state?, stats?, error?}
let model = null;
let controller = null;  // the AbortController of the answer being streamed

function save() {
  store('conversation', turns);
}

function showNotice(text) {
  const notice = $('notice');
  notice.textContent = text;
  notice.hidden = !text;
}

function errorDetails(error) {
  if (error instanceof ApiError) {
    return { message: error.message, type: error.type, code: error.code, status: error.status };
  }
  return { message: `Cannot reach the server (${error.message}).`, type: null, code: null, status: null };
}

async function loadModel() {
  try {
    const ids = await listModels({ apiKey: readSettings(settingsForm).apiKey });
    model = ids[0] ?? null;
    $('model-name').textContent = model ?? 'no model';
    showNotice(model ? '' : 'The server lists no model.');
  } catch (error) {
    model = null;
    $('model-name').textContent = 'not connected';
    const { message, status } = errorDetails(error);
    showNotice(status === 401 ? `${message} Enter the server's API key under Settings.` : message);
  }
}

function updateEmptyState() {
  $('empty-state').hidden = turns.length > 0;
}

function setBusy(busy) {
  $('send').hidden = busy;
  $('stop').hidden = !busy;
  $('messages').setAttribute('aria-busy', busy ? 'true' : 'false');
}

// The messages sent for the next answer: the system prompt, then every turn with text. A stopped
// answer counts with what it had; a failed one is left out.
function requestMessages(systemPrompt) {
  const messages = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  for (const turn of turns) {
    if (turn.role === 'assistant' && (turn.error || turn.state === 'streaming')) continue;
    messages.push({ role: turn.role, content: turn.content });
  }
  return messages;
}

function chatRequest(settings) {
  const request = {
    model,
    messages: requestMessages(settings.systemPrompt),
    chat_template_kwargs: { enable_thinking: settings.thinking },
  };
  if (settings.temperature !== undefined) request.temperature = settings.temperature;
  if (settings.topP !== undefined) request.top_p = settings.topP;
  if (settings.maxTokens !== undefined) request.max_tokens = settings.maxTokens;
  return request;
}

async function streamAnswer() {
  const settings = readSettings(settingsForm);
  if (!model) await loadModel();
  const turn = { role: 'assistant', content: '', reasoning: '', state: 'streaming' };
  const request = chatRequest(settings);
  turns.push(turn);
  updateEmptyState();
  const item = view.append(turn);
  controller = new AbortController();
  const { signal } = controller;
  setBusy(true);
  const answer = emptyAnswer();
  const timing = { started: performance.now(), firstToken: null, ended: null };
  try {
    if (!model) throw new ApiError(0, { message: $('notice').textContent || 'No model to ask.', type: 'no_model' });
    for await (const chunk of streamChatCompletion({ apiKey: settings.apiKey, request, signal })) {
      if (applyChunk(answer, chunk) && timing.firstToken === null) timing.firstToken = performance.now();
      turn.content = answer.content;
      turn.reasoning = answer.reasoning;
      view.schedule(turn, item);
    }
    turn.state = 'done';
  } catch (error) {
    if (signal.aborted) {
      turn.state = 'stopped';
    } else {
      turn.state = 'error';
      turn.error = errorDetails(error);
    }
  } finally {
    controller = null;
    timing.ended = performance.now();
    turn.stats = formatStats({
      usage: answer.usage,
      finishReason: answer.finishReason,
      stopped: turn.state === 'stopped',
      ...timing,
    });
    view.render(turn, item);
    setBusy(false);
    save();
  }
}

function send(text) {
  turns.push({ role: 'user', content: text });
  view.append(turns[turns.length - 1]);
  save();
  return streamAnswer();
}

function stop() {
  controller?.abort();
}

function newChat() {
  stop();
  turns = [];
  view.clear();
  updateEmptyState();
  save();
  prompt.focus();
}

function retry() {
  if (controller || turns.length === 0 || !turns[turns.length - 1].error) return;
  turns.pop();
  $('messages').lastElementChild.remove();
  streamAnswer();
}

function onSubmit(event) {
  event.preventDefault();
  const text = prompt.value.trim();
  if (!text || controller) return;
  prompt.value = '';
  fitPrompt();
  send(text);
}

// The message box grows with its text up to the limit the style sheet sets.
function fitPrompt() {
  prompt.style.height = 'auto';
  prompt.style.height = `${prompt.scrollHeight}px`;
}

function onConversationClick(event) {
  const button = event.target.closest('button');
  if (!button) return;
  if (button.dataset.retry) {
    retry();
  } else if (button.dataset.copy === 'code') {
    copyWithFeedback(button, button.closest('.code-block').querySelector('code').textContent);
  } else if (button.dataset.copy === 'answer') {
    const index = [...$('messages').children].indexOf(button.closest('.message'));
    copyWithFeedback(button, turns[index].content);
  }
}

function restoreConversation() {
  turns = loadStored('conversation', []);
  for (const turn of turns) {
    if (turn.state === 'streaming') turn.state = 'stopped';  // the page went away mid-answer
    view.append(turn);
  }
  updateEmptyState();
}

function setSettingsOpen(open) {
  $('settings-toggle').setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('settings-open', open);
}

// A new API key is tried once the user pauses typing, not at every key.
let keyTimer = null;
bindSettings(settingsForm, (id) => {
  if (id !== 'api-key') return;
  clearTimeout(keyTimer);
  keyTimer = setTimeout(loadModel, 400);
});
$('composer').addEventListener('submit', onSubmit);
prompt.addEventListener('input', fitPrompt);
prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) onSubmit(event);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && controller) stop();
});
$('stop').addEventListener('click', stop);
$('new-chat').addEventListener('click', newChat);
$('settings-toggle').addEventListener('click', () => {
  setSettingsOpen($('settings-toggle').getAttribute('aria-expanded') !== 'true');
});
// Wide screens show the settings beside the conversation from the start, narrow ones on demand.
setSettingsOpen(matchMedia('(min-width: 801px)').matches);
$('messages').addEventListener('click', onConversationClick);
restoreConversation();
loadModel();
