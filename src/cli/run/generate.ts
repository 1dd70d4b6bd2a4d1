/** What `lmkit generate` does when it runs (its flags and help are in ../generate.ts). */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { generateBatch, type BatchableModel } from '../../generate/batch.js';
import { beamSearch } from '../../generate/beam.js';
import { neverSampled } from '../../generate/sample.js';
import { loadLanguageModel } from '../../models/load.js';
import { promptPreparer } from '../../models/preprocessing.js';
import { unknownPieces } from '../../tokenizers/unknown-pieces.js';
import { Rng } from '../../util/rng.js';
import { samplingOptions } from '../sampling-flags.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit generate`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const path = a.positional('MODEL') as string;
  const model = loadLanguageModel(path) as BatchableModel & {
    kvCache?: boolean;
  };
  if ('kvCache' in model) model.kvCache = a.bool('kv-cache');
  // prompts are prepared as the training text was (an n-gram model's lowercasing, an RNN's --clean)
  const prepare = promptPreparer(model);
  const prompts = readPrompts(a.list('prompt'), a.string('prompts')).map(prepare);
  const unknown = [...new Set(prompts.flatMap((p) => unknownPieces(model.tokenizer, p)))];
  if (unknown.length)
    io.stderr.write(
      `lmkit: warning: the model never saw ${unknown
        .slice(0, 8)
        .map((p) => JSON.stringify(p))
        .join(', ')}${unknown.length > 8 ? ` and ${unknown.length - 8} more` : ''} ` +
        `(in the prompt): each is read as <unk>\n`,
    );
  const beams = a.number('num-beams') as number;
  if (beams > 1) return void beamSearchAll(model, prompts, beams, a, io);
  const n = a.number('n') as number;
  const jobs = prompts.flatMap((prompt) => Array.from({ length: n }, () => prompt));
  const seed = a.number('seed');
  const options = {
    ...samplingOptions(a),
    suppressTokens: neverSampled(model.tokenizer),
    stop: a.list('stop').map(unescape),
  };
  const streaming = jobs.length === 1 && !a.json;
  const size = a.number('batch-size') as number;
  for (let start = 0; start < jobs.length; start += size) {
    const chunk = jobs.slice(start, start + size);
    const ids = chunk.map((p) => model.tokenizer.encode(p));
    const rngs = ids.map((p, i) => Rng.forPrompt(seed === undefined ? undefined : seed + start + i, p));
    // the prompt is printed with the first text, so a model that cannot generate prints nothing; an
    // answer (an encoder–decoder's) is printed without its prompt
    const lead = (p: string) => (model.generates === 'answer' ? '' : p);
    let shown = false;
    const show = (delta: string) => {
      if (!shown) io.stdout.write(lead(chunk[0]));
      shown = true;
      io.stdout.write(delta);
    };
    const results = await generateBatch(model, ids, {
      ...options,
      rngs,
      onDelta: streaming ? (_, delta) => show(delta) : undefined,
    });
    if (streaming && !shown) show('');
    results.forEach((r, i) => {
      if (a.json)
        io.stdout.write(
          JSON.stringify({
            prompt: chunk[i],
            text: lead(chunk[i]) + r.text,
            tokens: r.completionTokens,
            finish_reason: r.finishReason,
          }) + '\n',
        );
      else if (streaming) io.stdout.write('\n');
      else {
        const k = start + i;
        const label = [
          `sample ${k + 1}/${jobs.length}`,
          `prompt ${JSON.stringify(chunk[i])}`,
          ...(seed === undefined ? [] : [`seed ${seed + k}`]),
        ];
        io.stdout.write(`--- ${label.join(', ')} ---\n${lead(chunk[i]) + r.text}\n`);
      }
    });
  }
}

/** `\n`, `\t`, `\r` and `\\` in a flag value as the characters they name (a shell passes them literally). */
function unescape(s: string): string {
  return s.replace(
    /\\([ntr\\])/g,
    (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] as string,
  );
}

/** The prompts of --prompt (repeatable) and --prompts FILE (one a line), or one empty prompt. */
function readPrompts(given: string[], file: string | undefined): string[] {
  const prompts = [...given];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --prompts ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    if (!lines.length) throw new UsageError(`--prompts ${file} has no lines; give one prompt per line`);
    prompts.push(...lines);
  }
  return prompts.length ? prompts : [''];
}

/** Beam search for each prompt, printed as sampling prints one sample per prompt. */
function beamSearchAll(
  model: BatchableModel,
  prompts: readonly string[],
  numBeams: number,
  a: ParsedArgs,
  io: CliIO,
): void {
  const sampling = ['top-k', 'top-p', 'seed'].filter((f) => a.flags.has(f));
  if (a.number('n') !== 1) sampling.push('n');
  if (a.number('temperature') !== 1) sampling.push('temperature');
  if (a.list('stop').length) sampling.push('stop');
  if (sampling.length)
    throw new UsageError(
      `--${sampling[0]} does not apply to beam search (--num-beams ${numBeams})`,
      'beam search is deterministic: drop the sampling flags, or --num-beams 1 to sample',
    );
  const lead = (p: string) => (model.generates === 'answer' ? '' : p);
  prompts.forEach((prompt, k) => {
    const [best] = beamSearch(model, model.tokenizer.encode(prompt), {
      numBeams,
      lengthPenalty: a.number('length-penalty'),
      maxTokens: a.number('max-tokens'),
      suppressTokens: neverSampled(model.tokenizer),
    });
    const text = model.tokenizer.decode(best.tokens);
    if (a.json)
      io.stdout.write(
        JSON.stringify({
          prompt,
          text: lead(prompt) + text,
          tokens: best.tokens.length,
          finish_reason: best.finishReason,
          log_prob: best.logProb,
          score: best.score,
        }) + '\n',
      );
    else if (prompts.length === 1) io.stdout.write(lead(prompt) + text + '\n');
    else
      io.stdout.write(
        `--- beam search ${k + 1}/${prompts.length}, prompt ${JSON.stringify(prompt)} ---\n${lead(prompt) + text}\n`,
      );
  });
}
