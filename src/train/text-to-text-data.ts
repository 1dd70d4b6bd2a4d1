/**
 * Text-to-text examples (T5's fine-tuning data): JSONL of `{"input", "target"}` or, TRL's shape,
 * `{"prompt", "completion"}` strings, with an optional `"task"` naming which task a line belongs to (the
 * per-task exact match uses it; absent: the text before the input's first colon, T5's prefix).
 */
import { readFileSync } from 'node:fs';
import { LmkitError } from '../errors.js';

/** One input/target pair and the task it belongs to. */
export interface TextPair {
  input: string;
  target: string;
  task: string;
}

/** Reads a JSONL file of pairs; errors name the file, the line and what to write instead. */
export function readTextPairs(path: string): TextPair[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      e.code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${e.message}`,
    );
  }
  const out: TextPair[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${path} line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new LmkitError(`${where} is not JSON`, { hint: 'one {"input": …, "target": …} object per line' });
    }
    out.push(toPair(json, where));
  });
  if (!out.length)
    throw new LmkitError(`${path} holds no examples`, {
      hint: 'one {"input": …, "target": …} object per line',
    });
  return out;
}

/** A pair from one parsed line. */
function toPair(json: unknown, where: string): TextPair {
  const o = (json && typeof json === 'object' && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const [inKey, outKey] = 'input' in o || 'target' in o ? ['input', 'target'] : ['prompt', 'completion'];
  const input = o[inKey];
  const target = o[outKey];
  if (typeof input !== 'string' || typeof target !== 'string')
    throw new LmkitError(`${where}: expected string "input" and "target" (or "prompt" and "completion")`, {
      hint: `its keys are ${Object.keys(o).join(', ') || 'none'}`,
    });
  const task = typeof o.task === 'string' ? o.task : taskPrefix(input);
  return { input, target, task };
}

/** T5's task prefix of an input: the text before its first colon (at most 40 characters), else "all". */
export function taskPrefix(input: string): string {
  const i = input.indexOf(':');
  return i > 0 && i <= 40 ? input.slice(0, i).trim() : 'all';
}
