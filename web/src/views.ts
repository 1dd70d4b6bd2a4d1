/** DOM builders: the conversation list and the messages of a thread. They hold no state; actions go to callbacks. */
import type { Comparison, Conversation, Message } from './api.js';
import { renderMarkdown } from './markdown.js';
import { groupByRecency } from './recency.js';

/** What the conversation list can ask for. */
export interface ListActions {
  open(id: string): void;
  rename(c: Conversation, title: string): void;
  remove(c: Conversation): void;
}

/** A button with text (and an accessible name when it shows only a symbol). */
function button(text: string, className: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  if (label) {
    b.setAttribute('aria-label', label);
    b.title = label;
  }
  b.addEventListener('click', onClick);
  return b;
}

/** The conversation list grouped by recency, with the open one marked. */
export function conversationList(
  conversations: Conversation[],
  activeId: string | undefined,
  actions: ListActions,
): HTMLElement[] {
  return groupByRecency(conversations, new Date()).map((group) => {
    const section = document.createElement('section');
    section.className = 'conv-group';
    const h = document.createElement('h2');
    h.textContent = group.label;
    const ul = document.createElement('ul');
    for (const c of group.items) ul.append(conversationItem(c, c.id === activeId, actions));
    section.append(h, ul);
    return section;
  });
}

function conversationItem(c: Conversation, active: boolean, actions: ListActions): HTMLElement {
  const li = document.createElement('li');
  li.className = active ? 'conv active' : 'conv';
  li.dataset.id = c.id;
  const title = button(c.title || 'Untitled', 'conv-title', () => actions.open(c.id));
  if (active) title.setAttribute('aria-current', 'page');
  const rename = button('✎', 'conv-rename', () => startRename(li, c, actions), 'Rename');
  const remove = button('×', 'conv-delete', () => actions.remove(c), 'Delete');
  li.append(title, rename, remove);
  return li;
}

function startRename(li: HTMLElement, c: Conversation, actions: ListActions): void {
  const input = document.createElement('input');
  input.className = 'conv-rename-input';
  input.value = c.title;
  input.maxLength = 80;
  input.setAttribute('aria-label', 'New title');
  let done = false;
  const finish = (save: boolean) => {
    if (done) return;
    done = true;
    if (save && input.value.trim() && input.value !== c.title) actions.rename(c, input.value.trim());
    else input.replaceWith(...saved);
  };
  const saved = [...li.children];
  li.replaceChildren(input);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') finish(true);
    if (e.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(true));
  input.focus();
  input.select();
}

/** What a message's buttons can ask for. */
export interface MessageActions {
  edit(m: Message, content: string): void;
  regenerate(m: Message): void;
  switchBranch(m: Message, to: Message): void;
  copy(text: string): void;
  /** Thumb up (1), down (−1) or none (0) on a reply. */
  rate(m: Message, rating: number): void;
  /** Two answers to this user message (or to the one this reply answers), side by side. */
  compare(m: Message): void;
}

/** Where a message sits among its siblings (versions made by edits or regenerations). */
export interface Versions {
  all: Message[];
  index: number;
}

/** One stored message with its actions: branch switcher, edit (user), copy and regenerate (assistant). */
export function messageView(
  m: Message,
  versions: Versions,
  options: { busy: boolean; last: boolean; rating?: number },
  actions: MessageActions,
): HTMLElement {
  const article = shell(m.role, m.role === 'assistant' ? (m.model ?? 'assistant') : undefined);
  article.dataset.id = m.id;
  const body = article.querySelector('.content') as HTMLElement;
  fill(body, m.role, m.content);
  const bar = document.createElement('div');
  bar.className = 'actions';
  if (versions.all.length > 1) {
    const nav = document.createElement('nav');
    nav.className = 'branches';
    nav.setAttribute('aria-label', 'Versions');
    const prev = button(
      '‹',
      'branch-prev',
      () => actions.switchBranch(m, versions.all[versions.index - 1]),
      'Previous version',
    );
    const next = button(
      '›',
      'branch-next',
      () => actions.switchBranch(m, versions.all[versions.index + 1]),
      'Next version',
    );
    prev.disabled = options.busy || versions.index === 0;
    next.disabled = options.busy || versions.index === versions.all.length - 1;
    const count = document.createElement('span');
    count.className = 'branch-count';
    count.textContent = `${versions.index + 1}/${versions.all.length}`;
    nav.append(prev, count, next);
    bar.append(nav);
  }
  if (m.role === 'user') {
    const edit = button('Edit', 'edit', () => startEdit(article, body, m, actions));
    edit.disabled = options.busy;
    bar.append(edit);
    if (options.last) {
      const reply = button('Reply', 'regenerate', () => actions.regenerate(m), 'Get a reply');
      reply.disabled = options.busy;
      const two = button('Compare', 'compare', () => actions.compare(m), 'Get two replies to compare');
      two.disabled = options.busy;
      bar.append(reply, two);
    }
  }
  if (m.role === 'assistant') {
    bar.append(button('Copy', 'copy', () => actions.copy(m.content), 'Copy reply'));
    const again = button('Regenerate', 'regenerate', () => actions.regenerate(m));
    again.disabled = options.busy;
    const two = button('Compare', 'compare', () => actions.compare(m), 'Compare two new replies');
    two.disabled = options.busy;
    bar.append(again, two, ...thumbs(m, options.rating ?? 0, options.busy, actions));
    const note = finishNote(m.finish_reason);
    if (note) bar.append(note);
  }
  if (bar.childElementCount) article.append(bar);
  return article;
}

/** Thumb up and thumb down on a reply; pressing the pressed one takes it off. */
function thumbs(m: Message, rating: number, busy: boolean, actions: MessageActions): HTMLButtonElement[] {
  return [
    [1, '👍', 'Good reply', 'thumb-up'],
    [-1, '👎', 'Bad reply', 'thumb-down'],
  ].map(([value, text, label, cls]) => {
    const b = button(
      text as string,
      `thumb ${cls as string}`,
      () => actions.rate(m, rating === value ? 0 : (value as number)),
      label as string,
    );
    b.setAttribute('aria-pressed', String(rating === value));
    b.disabled = busy;
    return b;
  });
}

/** What the comparison panel can ask for. */
export interface ComparisonActions {
  choose(c: Comparison, choice: 'a' | 'b' | 'tie' | 'both_bad'): void;
}

/**
 * Two replies side by side ("Which is better?"): while they stream in, `comparison` is undefined and
 * the columns are filled through the returned bodies; once stored, the choice buttons show.
 */
export function comparisonView(
  replies: { label: string; content: string }[],
  comparison: Comparison | undefined,
  actions: ComparisonActions,
): { element: HTMLElement; bodies: HTMLElement[] } {
  const section = document.createElement('section');
  section.className = 'comparison';
  section.setAttribute('aria-label', 'Which reply is better?');
  const h = document.createElement('h2');
  h.textContent = comparison ? 'Which is better?' : 'Writing two replies…';
  const columns = document.createElement('div');
  columns.className = 'comparison-columns';
  const bodies = replies.map((r, i) => {
    const article = shell('assistant', `${i === 0 ? 'A' : 'B'} · ${r.label}`);
    article.classList.add(`slot-${i === 0 ? 'a' : 'b'}`);
    const body = article.querySelector('.content') as HTMLElement;
    fill(body, 'assistant', r.content);
    columns.append(article);
    return body;
  });
  section.append(h, columns);
  if (comparison) {
    const bar = document.createElement('div');
    bar.className = 'choices';
    const choices: [string, 'a' | 'b' | 'tie' | 'both_bad'][] = [
      ['A is better', 'a'],
      ['B is better', 'b'],
      ['Tie', 'tie'],
      ['Both are bad', 'both_bad'],
    ];
    for (const [text, choice] of choices)
      bar.append(button(text, `choose choose-${choice}`, () => actions.choose(comparison, choice)));
    section.append(bar);
  }
  return { element: section, bodies };
}

/** A message not stored yet: the user's text being sent, or the reply streaming in. */
export function pendingView(role: 'user' | 'assistant', content: string, label?: string): HTMLElement {
  const article = shell(role, label);
  article.classList.add('pending');
  fill(article.querySelector('.content') as HTMLElement, role, content);
  return article;
}

/** Replaces a message body: Markdown for replies, plain text for everything else. */
export function fill(body: HTMLElement, role: Message['role'], content: string): void {
  if (role === 'assistant') renderMarkdown(content, body);
  else body.textContent = content;
}

function shell(role: Message['role'], label?: string): HTMLElement {
  const article = document.createElement('article');
  article.className = `message role-${role}`;
  const who = document.createElement('div');
  who.className = 'who';
  who.textContent = role === 'user' ? 'You' : role === 'system' ? 'System prompt' : (label ?? 'assistant');
  const body = document.createElement('div');
  body.className = 'content';
  article.append(who, body);
  return article;
}

function finishNote(reason: string | null): HTMLElement | undefined {
  const text =
    reason === 'cancelled' ? 'stopped' : reason === 'length' ? 'cut at the max tokens limit' : undefined;
  if (!text) return;
  const span = document.createElement('span');
  span.className = 'finish';
  span.textContent = text;
  return span;
}

function startEdit(article: HTMLElement, body: HTMLElement, m: Message, actions: MessageActions): void {
  const area = document.createElement('textarea');
  area.className = 'edit-input';
  area.value = m.content;
  area.setAttribute('aria-label', 'Edit message');
  area.rows = Math.min(10, m.content.split('\n').length + 1);
  const save = button('Save & send', 'edit-send', () => submit());
  const cancel = button('Cancel', 'edit-cancel', () => restore());
  const box = document.createElement('div');
  box.className = 'edit-box';
  const buttons = document.createElement('div');
  buttons.className = 'edit-buttons';
  buttons.append(save, cancel);
  box.append(area, buttons);
  const bar = article.querySelector('.actions');
  body.replaceWith(box);
  bar?.setAttribute('hidden', '');
  function restore() {
    box.replaceWith(body);
    bar?.removeAttribute('hidden');
  }
  function submit() {
    if (area.value.trim()) actions.edit(m, area.value);
  }
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
    if (e.key === 'Escape') restore();
  });
  area.focus();
}
