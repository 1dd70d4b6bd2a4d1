/** `lmkit generate`: sample text from any model (n-gram file or checkpoint directory), streamed as it comes. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { generateBatch, type BatchableModel } from '../generate/batch.js';
import { neverSampled } from '../generate/sample.js';
import { loadLanguageModel } from '../models/load.js';
import { promptPreparer } from '../models/preprocessing.js';
import { unknownPieces } from '../tokenizers/unknown-pieces.js';
import { Rng } from '../util/rng.js';
import type { CommandGroup } from './args.js';
import { SAMPLING_FLAGS, samplingOptions } from './sampling-flags.js';

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

/** The generate command. */
export const GENERATE: CommandGroup = {
  name: 'generate',
  summary: 'sample text from a model of any kind, streamed as it is generated',
  command: {
    name: 'generate',
    summary: 'sample text from a model of any kind, streamed as it is generated',
    details:
      "MODEL is an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint directory from 'lmkit train'.\n" +
      'Each sample continues its prompt and ends at the end-of-sequence token, at a --stop string (not\n' +
      'printed) or after --max-tokens. One prompt and --n 1 stream as they are generated; several prompts\n' +
      '(--prompt repeated, --prompts FILE) and samples (--n) are generated together, --batch-size at a time\n' +
      '(a GPT decodes them in one batched pass per token), and printed in order, each under a line\n' +
      '\'--- sample i/N, prompt "...", seed S ---\'. Prompt characters or words the model never saw are\n' +
      'read as <unk>, with a warning.\n' +
      'With --seed S, sample i (counting from 0 over prompts, then samples) uses seed S + i, mixed with its\n' +
      'prompt so that different prompts do not share one stream of random draws.',
    json: true,
    flags: [
      {
        name: 'prompt',
        short: 'p',
        type: 'string',
        repeatable: true,
        description: 'text a sample continues (repeat for several prompts)',
      },
      { name: 'prompts', type: 'string', value: 'FILE', description: 'more prompts, one per line' },
      { name: 'max-tokens', type: 'integer', min: 1, default: 200, description: 'longest sample in tokens' },
      ...SAMPLING_FLAGS,
      {
        name: 'stop',
        type: 'string',
        repeatable: true,
        description:
          'end a sample where this text appears, without printing it (repeatable; \\n is a newline)',
      },
      { name: 'n', type: 'integer', min: 1, default: 1, description: 'samples per prompt' },
      { name: 'batch-size', type: 'integer', min: 1, default: 8, description: 'samples generated together' },
      {
        name: 'kv-cache',
        type: 'boolean',
        default: true,
        description: 'GPT: keep keys and values between steps (--no-kv-cache recomputes the context)',
      },
    ],
    positionals: [{ name: 'MODEL', description: 'n-gram model file or checkpoint directory' }],
    async run(a, io) {
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
        // the prompt is printed with the first text, so a model that cannot generate prints nothing
        let shown = false;
        const show = (delta: string) => {
          if (!shown) io.stdout.write(chunk[0]);
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
                text: chunk[i] + r.text,
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
            io.stdout.write(`--- ${label.join(', ')} ---\n${chunk[i] + r.text}\n`);
          }
        });
      }
    },
  },
};
