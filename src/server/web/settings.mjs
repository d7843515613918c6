// The settings panel's values, kept in localStorage so that they survive a reload: the system prompt,
// sampling controls, the thinking switch and the API key. Storage can be unavailable (a private
// window, a locked-down browser); the page then works with what is on screen.

const PREFIX = 'qwenrt.';

export function loadStored(key, fallback) {
  try {
    const text = localStorage.getItem(PREFIX + key);
    return text === null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

export function store(key, value) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // storage full or unavailable: the value still applies to this page
  }
}

const FIELDS = ['system-prompt', 'temperature', 'top-p', 'max-tokens', 'thinking', 'api-key'];

const valueOf = (input) => (input.type === 'checkbox' ? input.checked : input.value);

// Fills the form from storage and keeps storage up to date as the user edits it.
export function bindSettings(form, onChange) {
  for (const id of FIELDS) {
    const input = form.querySelector(`#${id}`);
    const saved = loadStored(`setting.${id}`, null);
    if (saved !== null) {
      if (input.type === 'checkbox') input.checked = saved;
      else input.value = saved;
    }
    input.addEventListener('input', () => {
      store(`setting.${id}`, valueOf(input));
      onChange(id);
    });
  }
}

// A number field's value, or undefined when it is empty (the server's default applies). A value out
// of range is sent as it is, for the server to explain what it accepts.
function numberField(form, id) {
  const text = form.querySelector(`#${id}`).value.trim();
  return text === '' || !Number.isFinite(Number(text)) ? undefined : Number(text);
}

export function readSettings(form) {
  return {
    systemPrompt: form.querySelector('#system-prompt').value.trim(),
    temperature: numberField(form, 'temperature'),
    topP: numberField(form, 'top-p'),
    maxTokens: numberField(form, 'max-tokens'),
    thinking: form.querySelector('#thinking').checked,
    apiKey: form.querySelector('#api-key').value.trim(),
  };
}
