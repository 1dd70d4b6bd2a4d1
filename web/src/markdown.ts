/**
 * Markdown for replies: marked turns it into HTML, DOMPurify removes anything that could run code
 * (scripts, event handlers, javascript: links, styles, forms), highlight.js colours code blocks, and each
 * block gets a copy button. Nothing a model or a user writes reaches the page unsanitised.
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { Marked } from 'marked';

for (const [name, language] of Object.entries({ bash, c, css, javascript, json, python, typescript, xml }))
  hljs.registerLanguage(name, language);

const marked = new Marked({ gfm: true, breaks: true });

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const SANITIZE = {
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object'],
  FORBID_ATTR: ['style', 'id', 'name'],
  RETURN_DOM_FRAGMENT: true as const,
};

/** Renders `text` as sanitised Markdown into `into`, replacing its content. */
export function renderMarkdown(text: string, into: HTMLElement): void {
  const html = marked.parse(text, { async: false });
  into.replaceChildren(purify.sanitize(html, SANITIZE));
  for (const code of into.querySelectorAll<HTMLElement>('pre > code')) decorateCode(code);
}

/** Highlights a code block (by its `language-x` class, else by guessing) and adds a copy button. */
function decorateCode(code: HTMLElement): void {
  const language = [...code.classList].find((c) => c.startsWith('language-'))?.slice(9);
  const source = code.textContent ?? '';
  const result =
    language && hljs.getLanguage(language)
      ? hljs.highlight(source, { language, ignoreIllegals: true })
      : hljs.highlightAuto(source);
  // highlight.js escapes the source, and the result goes through the sanitiser again all the same.
  code.replaceChildren(purify.sanitize(result.value, SANITIZE));
  code.classList.add('hljs');
  const pre = code.parentElement as HTMLElement;
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'copy-code';
  copy.textContent = 'Copy';
  copy.setAttribute('aria-label', 'Copy code');
  copy.addEventListener('click', () => {
    void copyText(source).then((ok) => {
      copy.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => (copy.textContent = 'Copy'), 1500);
    });
  });
  pre.prepend(copy);
}

/** Puts `text` on the clipboard; false when the browser refuses. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
