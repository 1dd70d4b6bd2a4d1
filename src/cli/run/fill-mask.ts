/** What `lmkit fill-mask` does when it runs (its flags and help are in ../fill-mask.ts). */
import { readFileSync } from 'node:fs';
import { LmkitError, UsageError } from '../../errors.js';
import type { FillMaskPrediction } from '../../lm.js';
import { loadLanguageModel } from '../../models/load.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** The texts given as arguments and by --file (one a line, blank lines skipped). */
function readTexts(given: string[], file: string | undefined): string[] {
  const texts = [...given];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (!lines.length) throw new UsageError(`--file ${file} has no lines; give one text per line`);
    texts.push(...lines);
  }
  if (!texts.length)
    throw new UsageError('give a text with [MASK] in it, or --file FILE with one text per line');
  return texts;
}

/** `lmkit fill-mask`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<void> {
  const path = a.positional('MODEL') as string;
  const texts = readTexts(a.rest('TEXT'), a.string('file'));
  const model = loadLanguageModel(path);
  if (!model.fillMask)
    throw new LmkitError(`${path} holds a ${model.kind} model, which cannot fill masks`, {
      hint: 'fill-mask needs a masked language model: train one with lmkit train --model bert',
    });
  const top = a.number('top') as number;
  for (const text of texts) {
    const masks = model.fillMask(text, top);
    if (a.json) io.stdout.write(JSON.stringify(masks.length === 1 ? masks[0] : masks) + '\n');
    else io.stdout.write(report(text, masks));
  }
}

/** A text and, under it, each mask's predictions: probability, token, filled text. */
function report(text: string, masks: FillMaskPrediction[][]): string {
  const lines = [text];
  masks.forEach((preds, m) => {
    if (masks.length > 1) lines.push(`  [MASK] ${m + 1} of ${masks.length}:`);
    for (const p of preds)
      lines.push(`  ${p.score.toFixed(4)}  ${JSON.stringify(p.token_str).padEnd(14)} ${p.sequence}`);
  });
  return lines.join('\n') + '\n';
}
