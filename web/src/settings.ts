/** The settings panel (model, system prompt, temperature, top-p, max tokens) and the colour theme, kept in local storage. */
import type { Sampling } from './api.js';

const STORAGE = 'lmkit.settings';
const THEME = 'lmkit.theme';

/** What the panel holds. */
export interface Settings {
  model: string;
  system: string;
  temperature: number;
  top_p: number;
  max_tokens: number;
  /** The second model of a comparison ('': the same model at another seed). */
  compare: string;
}

const DEFAULTS: Settings = {
  model: '',
  system: '',
  temperature: 0.8,
  top_p: 1,
  max_tokens: 256,
  compare: '',
};

const field = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Binds the panel's inputs: fills them from storage and saves every change. */
export function bindSettings(): void {
  let saved: Partial<Settings> = {};
  try {
    saved = JSON.parse(localStorage.getItem(STORAGE) ?? '{}') as Partial<Settings>;
  } catch {
    localStorage.removeItem(STORAGE);
  }
  const s = { ...DEFAULTS, ...saved };
  field<HTMLTextAreaElement>('system').value = s.system;
  field<HTMLInputElement>('temperature').value = String(s.temperature);
  field<HTMLInputElement>('top-p').value = String(s.top_p);
  field<HTMLInputElement>('max-tokens').value = String(s.max_tokens);
  field<HTMLSelectElement>('model').dataset.wanted = s.model;
  field<HTMLSelectElement>('compare-model').dataset.wanted = s.compare;
  for (const id of ['system', 'temperature', 'top-p', 'max-tokens', 'model', 'compare-model'])
    field(id).addEventListener('change', () => localStorage.setItem(STORAGE, JSON.stringify(readSettings())));
}

/** The panel's current values (a number left empty or invalid falls back to its default). */
export function readSettings(): Settings {
  const num = (id: string, fallback: number) => {
    const v = field<HTMLInputElement>(id).valueAsNumber;
    return Number.isFinite(v) ? v : fallback;
  };
  return {
    model: field<HTMLSelectElement>('model').value,
    system: field<HTMLTextAreaElement>('system').value,
    temperature: num('temperature', DEFAULTS.temperature),
    top_p: num('top-p', DEFAULTS.top_p),
    max_tokens: Math.round(num('max-tokens', DEFAULTS.max_tokens)),
    compare: field<HTMLSelectElement>('compare-model').value,
  };
}

/** The model a comparison sets against the chosen one ('' for the same model at another seed). */
export function compareModel(): string {
  return field<HTMLSelectElement>('compare-model').value;
}

/** The sampling fields of a request. */
export function sampling(): Sampling {
  const s = readSettings();
  return {
    model: s.model || undefined,
    temperature: s.temperature,
    top_p: s.top_p,
    max_tokens: s.max_tokens,
  };
}

/** Fills the model picker, keeping the saved choice when it is still served. */
export function setModels(ids: string[]): void {
  const select = field<HTMLSelectElement>('model');
  const wanted = select.value || select.dataset.wanted || '';
  select.replaceChildren(
    ...ids.map((id) => {
      const o = document.createElement('option');
      o.value = id;
      o.textContent = id;
      return o;
    }),
  );
  if (ids.includes(wanted)) select.value = wanted;
  const other = field<HTMLSelectElement>('compare-model');
  const wantedOther = other.value || other.dataset.wanted || '';
  const same = document.createElement('option');
  same.value = '';
  same.textContent = 'the same model, another seed';
  other.replaceChildren(
    same,
    ...ids.map((id) => {
      const o = document.createElement('option');
      o.value = id;
      o.textContent = id;
      return o;
    }),
  );
  other.value = ids.includes(wantedOther) ? wantedOther : '';
}

/** Selects `model` in the picker when it is served (a conversation's own model, when opened). */
export function selectModel(model: string | null): void {
  const select = field<HTMLSelectElement>('model');
  if (model && [...select.options].some((o) => o.value === model)) select.value = model;
}

/** The theme in effect: the saved choice, else the system's preference. */
export function currentTheme(): 'light' | 'dark' {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies the saved theme (none: follow the system) and makes the button switch it. */
export function bindTheme(button: HTMLButtonElement): void {
  const saved = localStorage.getItem(THEME);
  if (saved === 'light' || saved === 'dark') document.documentElement.dataset.theme = saved;
  const label = () => {
    const dark = currentTheme() === 'dark';
    button.textContent = dark ? '☀ Light mode' : '☾ Dark mode';
    button.setAttribute('aria-pressed', String(dark));
  };
  label();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', label);
  button.addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem(THEME, next);
    label();
  });
}
