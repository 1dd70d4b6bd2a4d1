/**
 * The speedrun's stages, in order, as one table: each stage names the stages it needs, its weight in the
 * budget (budget.ts), the folder under --out it owns, and the `lmkit` commands it runs, each in a child
 * process. A stage of a model kind lmkit does not have yet (ELMo, BERT, T5) is listed with `kind` and left
 * out until src/models/kinds.ts has it. Steps are produced one at a time, so a step can use what the
 * earlier steps of its stage printed (the evaluation picks the assistant by its scores).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_KINDS } from '../models/kinds.js';
import { trainingTime } from './budget.js';
import { writeReport } from './report.js';

/** Languages a speedrun covers. */
export type SpeedrunLang = 'en' | 'zh' | 'both';

/** How big the data is: set by the whole budget (sizesFor); what later stages sample and score follows their shares. */
export interface Sizes {
  /** Sentences of each source's train split. */
  trainSentences: number;
  /** Lines of train.txt the BPE tokenizer learns its merges from. */
  bpeSentences: number;
  /** Held-out sentences of each source: half validate, half test. */
  heldOutSentences: number;
  /** build-instruct --max-per-source. */
  instructPerSource: number;
  /** train --eval_iters: batches per split at each evaluation during training (its start and end included). */
  evalIters: number;
  /** The budget over 5 minutes, between 1 and 10: how much more data than the 5-minute run. */
  scale: number;
  /** Model shapes for tests (LMKIT_SPEEDRUN_TINY): one-layer models of a few thousand parameters. */
  tiny: boolean;
}

/**
 * Sizes for a budget in seconds, linear in it from the 5-minute run (scale 1) and clamped: 5,000 training
 * sentences and 50 held-out sentences per source, 300 instructions per source, BPE merges from 1,000 lines,
 * evaluations of 2 batches during training (5 from 15 minutes on).
 */
export function sizesFor(budget: number, tiny = false): Sizes {
  const scale = budget / 300;
  return {
    trainSentences: tiny ? 400 : clamp(5000 * scale, 5000, 200000),
    bpeSentences: tiny ? 200 : clamp(1000 * scale, 1000, 20000),
    heldOutSentences: tiny ? 20 : clamp(50 * scale, 50, 1000),
    evalIters: tiny || scale < 3 ? 2 : 5,
    instructPerSource: tiny ? 6 : clamp(300 * scale, 60, 2000),
    scale: Math.min(10, Math.max(1, scale)),
    tiny,
  };
}

/** Seconds `build-preferences` takes per prompt and language (4 samples of at most 40 tokens), measured here. */
const SECONDS_PER_PREFERENCE_PROMPT = 0.5;
/** Seconds a chat model takes per held-out conversation in `lmkit eval` (greedy, 40 tokens a turn), measured here. */
const SECONDS_PER_CONVERSATION = 0.3;
/** Tasks of the instruction data's test split per language (build-instruct). */
const TASKS_PER_LANGUAGE = 8;

const clamp = (v: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, v)));

/** build-preferences --prompts (per language): half the reward stage's free time (the reward model gets the rest). */
export function preferencePrompts(ctx: Pick<StageContext, 'free' | 'lang' | 'sizes'>): number {
  if (ctx.sizes.tiny) return 40;
  return clamp((ctx.free * 0.5) / (SECONDS_PER_PREFERENCE_PROMPT * langs(ctx.lang).length), 10, 1000);
}

/** lmkit eval --per-task: the held-out conversations per task that the evaluation's free time pays for. */
export function questionsPerTask(
  ctx: Pick<StageContext, 'free' | 'lang' | 'sizes'>,
  chatModels: number,
): number {
  if (ctx.sizes.tiny) return 1;
  const conversations = ctx.free / (SECONDS_PER_CONVERSATION * Math.max(1, chatModels));
  return clamp(conversations / (TASKS_PER_LANGUAGE * langs(ctx.lang).length), 2, 50);
}

/** What a stage's steps see: the run's settings and what finished stages recorded. */
export interface StageContext {
  /** The speedrun folder (--out). */
  out: string;
  lang: SpeedrunLang;
  /** The user's corpus (--data), else the built-in ones. */
  data?: string;
  sizes: Sizes;
  /** This stage's share of the budget, in seconds. */
  share: number;
  /** What the share gives beyond the stage's floor (budget.ts): the time its sized work may take. */
  free: number;
  /** Records of finished stages, by name. */
  done: ReadonlyMap<string, StageRecord>;
  /** The results of this stage's earlier steps, in order. */
  results: CommandResult[];
}

/** One `lmkit` command of a stage. */
export interface CommandStep {
  /** Arguments after `lmkit`. */
  args: string[];
  /** Text for the command's standard input (a chat's messages). */
  stdin?: string;
  /** What to keep of the command's JSON output (default: all of it). */
  keep?(json: unknown): unknown;
}

/** A step done in the speedrun process itself (merging files, writing the report), named by `note`. */
export interface LocalStep {
  note: string;
  run(): void;
}

/** A step of a stage. */
export type Step = CommandStep | LocalStep;

/** What one step gave. */
export interface CommandResult {
  /** The command line (`lmkit ...`, quoted for a shell) or the local step's note. */
  command: string;
  /** The arguments after `lmkit` (absent for a local step). */
  args?: string[];
  /** What the command read on standard input (a chat's messages). */
  stdin?: string;
  seconds: number;
  /** Every JSON line the command printed on stdout (trimmed by `keep`). */
  json: unknown[];
  /** Standard output when it was not JSON (a chat's replies). */
  text?: string;
}

/** What a finished stage leaves in its folder (done.json, written last and atomically). */
export interface StageRecord {
  stage: string;
  seconds: number;
  /** The stage's share of the budget when it started, in seconds. */
  share: number;
  /** The part of the share set aside for its fixed costs (its floor times the run's slowdown then). */
  floor?: number;
  finished: string;
  steps: CommandResult[];
}

/** One row of the stage table. */
export interface Stage {
  name: string;
  summary: string;
  /** Its part of the budget beyond the floors, out of the weights of every stage (budget.ts). */
  weight: number;
  /**
   * Its fixed cost in seconds (processes, loading, final evaluation and save; for some, work that grows with
   * the data), set aside first (budget.ts).
   */
  floor: number | ((sizes: Sizes) => number);
  /** Stages whose outputs this one reads. */
  needs: string[];
  /** A model kind this stage trains that must exist in src/models/kinds.ts for the stage to be listed. */
  kind?: string;
  /** Megabytes it may write: the free space checked before it starts. */
  diskMB?: number;
  /** The training run (under --out) whose metrics.jsonl the progress display follows. */
  runDir?: string;
  steps(ctx: StageContext): Generator<Step, void, void>;
}

/** The corpora of a run: name, the dataset or file, and its split scheme. */
export function sources(lang: SpeedrunLang, data?: string): { name: string; source: string }[] {
  if (data) return [{ name: 'data', source: data }];
  return [
    ...(lang !== 'zh' ? [{ name: 'brown', source: 'brown' }] : []),
    ...(lang !== 'en' ? [{ name: 'fortunes-zh', source: 'fortunes-zh' }] : []),
  ];
}

/** Words whose nearest neighbours the report shows (word vectors of English text; characters of Chinese). */
export const NEIGHBOR_WORDS: Record<'en' | 'zh', string[]> = {
  en: ['man', 'day', 'good', 'said'],
  zh: ['人', '天', '好', '说'],
};

/** Prompts every model continues in the report (English and Chinese). */
export const SAMPLE_PROMPTS: Record<'en' | 'zh', string> = { en: 'The jury said', zh: '人生' };

/** Questions asked of every fine-tuned model, and the three-turn conversation with the assistant. */
export const CHAT_PROMPTS: Record<'en' | 'zh', string[]> = {
  en: ['What is 12 + 7?', 'Spell "house".', 'Who are you?'],
  zh: ['你是谁？', '“床前明月光”的下一句是什么？'],
};

/** The languages whose prompts a run uses. */
export function langs(lang: SpeedrunLang): ('en' | 'zh')[] {
  return lang === 'both' ? ['en', 'zh'] : [lang];
}

const BIG = '1000000'; // max_iters of a timed run: --max-time stops it

function tinyShape(ctx: StageContext, shape: string[]): string[] {
  return ctx.sizes.tiny ? shape : [];
}

/** Lines of `text` shared round-robin by `files` (a file per source), so every part of train.txt mixes them. */
function interleave(files: string[]): string[] {
  const lists = files.map((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const out: string[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++)
    for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}

const p = (ctx: StageContext, ...parts: string[]) => join(ctx.out, ...parts);

/**
 * `--data FILE --valid FILE` of the preference data (`prefix` '' for the rankings, 'prompts-' for PPO's
 * prompts). A small set may send nothing to the held-out side, and then the training file validates (the
 * report says so: its figures are then not held out).
 */
function onPreferences(ctx: StageContext, prefix: '' | 'prompts-'): string[] {
  const train = p(ctx, 'reward', 'prefs', `${prefix}train.jsonl`);
  const test = p(ctx, 'reward', 'prefs', `${prefix}test.jsonl`);
  return ['--data', train, '--valid', existsSync(test) && readFileSync(test, 'utf8').trim() ? test : train];
}

/** `--data OUT/data/train.txt --valid OUT/data/valid.txt`: the run's text. */
const onText = (ctx: StageContext) => [
  '--data',
  p(ctx, 'data', 'train.txt'),
  '--valid',
  p(ctx, 'data', 'valid.txt'),
];

/** The word-level vocabulary (characters for Chinese alone, which has no spaces between words). */
const wordVocab = (ctx: StageContext) => p(ctx, 'tokenizer', ctx.lang === 'zh' ? 'char.json' : 'word.json');

/**
 * `lmkit train` arguments of a run into OUT/NAME: `what` (objective, model, data, shape and evaluation),
 * then a step limit only --max-time reaches, stopping at `fraction` of the stage's share (budget.ts).
 */
function trainArgs(ctx: StageContext, name: string, what: string[], fraction = 1): string[] {
  return [
    'train',
    ...what,
    '--max_iters',
    BIG,
    '--max-time',
    String(trainingTime(ctx.free * fraction)),
  ].concat(['--out', p(ctx, name), '--json']);
}

/** A stage of one timed training run into OUT/NAME (the run the progress display follows). */
function trainingStage(s: Omit<Stage, 'steps' | 'runDir'> & { what(ctx: StageContext): string[] }): Stage {
  const { what, ...stage } = s;
  return {
    diskMB: 200,
    ...stage,
    runDir: s.name,
    *steps(ctx) {
      yield { args: trainArgs(ctx, s.name, what(ctx)) };
    },
  };
}

/** The built-in stages in order (the ones whose kind does not exist yet are filtered by {@link stageTable}). */
const STAGES: Stage[] = [
  {
    name: 'data',
    summary: 'export the corpora (train and held-out splits) and build the instruction data',
    weight: 0,
    floor: 10,
    needs: [],
    diskMB: 100,
    *steps(ctx) {
      yield { args: ['doctor', '--json'] }; // the machine, backend and threads, for the report
      const src = sources(ctx.lang, ctx.data);
      for (const s of src) {
        yield {
          args: ['data', 'export', s.source, '--split', 'train', '--scheme', 'mod10'].concat(
            [
              '--max-sentences',
              String(ctx.sizes.trainSentences),
              '--out',
              p(ctx, 'data', `${s.name}.train.txt`),
            ],
            ['--json'],
          ),
        };
        yield {
          args: ['data', 'export', s.source, '--split', 'test', '--scheme', 'mod10'].concat(
            [
              '--max-sentences',
              String(2 * ctx.sizes.heldOutSentences),
              '--out',
              p(ctx, 'data', `${s.name}.heldout.txt`),
            ],
            ['--json'],
          ),
        };
      }
      yield {
        note:
          'speedrun: data/train.txt takes the train files line by line in turn; of each held-out file, ' +
          'even lines go to data/test.txt and odd lines to data/valid.txt; data/bpe-sample.txt is the first lines of train.txt',
        run() {
          const train = interleave(src.map((s) => p(ctx, 'data', `${s.name}.train.txt`)));
          writeFileSync(p(ctx, 'data', 'train.txt'), train.join('\n') + '\n');
          const held = interleave(src.map((s) => p(ctx, 'data', `${s.name}.heldout.txt`)));
          writeFileSync(p(ctx, 'data', 'test.txt'), held.filter((_, i) => i % 2 === 0).join('\n') + '\n');
          writeFileSync(p(ctx, 'data', 'valid.txt'), held.filter((_, i) => i % 2 === 1).join('\n') + '\n');
          writeFileSync(
            p(ctx, 'data', 'bpe-sample.txt'),
            train.slice(0, ctx.sizes.bpeSentences).join('\n') + '\n',
          );
        },
      };
      yield {
        args: ['data', 'build-instruct', '--lang', ctx.lang === 'both' ? 'all' : ctx.lang].concat([
          '--max-per-source',
          String(ctx.sizes.instructPerSource),
          '--out',
          p(ctx, 'data', 'instruct'),
          '--json',
        ]),
      };
    },
  },
  {
    name: 'tokenizer',
    summary: 'train a byte-level BPE tokenizer with the chat tokens, and character and word vocabularies',
    weight: 0,
    floor: (z) => 5 + z.scale,
    needs: ['data'],
    *steps(ctx) {
      const train = p(ctx, 'data', 'train.txt');
      // BPE merges are learned from a sample (counting is quick, merging a large vocabulary over every word is not)
      yield {
        args: [
          'tokenizer',
          'train',
          p(ctx, 'data', 'bpe-sample.txt'),
          '--vocab-size',
          ctx.sizes.tiny ? '300' : '1024',
          '--chat',
        ].concat(['--out', p(ctx, 'tokenizer', 'bpe.json'), '--json']),
      };
      yield {
        args: [
          'data',
          'vocab',
          train,
          '--level',
          'char',
          '--out',
          p(ctx, 'tokenizer', 'char.json'),
          '--json',
        ],
      };
      yield {
        args: ['data', 'vocab', train, '--level', 'word', '--min-count', '2', '--max-size', '10000'].concat([
          '--out',
          p(ctx, 'tokenizer', 'word.json'),
          '--json',
        ]),
      };
      const test = readFileSync(p(ctx, 'data', 'test.txt'), 'utf8');
      for (const t of ['bpe', 'char'])
        yield {
          args: ['tokenizer', 'encode', p(ctx, 'tokenizer', `${t}.json`), '--json'],
          stdin: test,
          keep: (j) => ({ tokens: (j as { ids: number[] }).ids.length, characters: [...test].length }),
        };
    },
  },
  ...[3, 5].map((order): Stage => ({
    name: `kn${order}`,
    summary: `a Kneser-Ney ${order}-gram model (KenLM's estimator)`,
    weight: 0,
    floor: (z) => (order === 3 ? 1 + 0.5 * z.scale : 2 + z.scale),
    needs: ['data'],
    diskMB: 200,
    *steps(ctx) {
      yield {
        args: [
          'ngram',
          'train',
          '--order',
          String(order),
          '--smoothing',
          'kn',
          p(ctx, 'data', 'train.txt'),
        ].concat(ctx.lang === 'zh' ? ['--level', 'char'] : [], [
          '--out',
          p(ctx, `kn${order}`, 'model.bin'),
          '--json',
        ]),
      };
    },
  })),
  trainingStage({
    name: 'nplm',
    summary: "Bengio et al.'s neural probabilistic language model on words",
    weight: 8,
    floor: 6,
    needs: ['data', 'tokenizer'],
    kind: 'nplm',
    diskMB: 100,
    what: (ctx) =>
      ['--model', 'nplm', ...onText(ctx), '--tokenizer', wordVocab(ctx), '--order', '4'].concat(
        tinyShape(ctx, ['--n_embd', '8', '--n_hidden', '16']),
        [
          '--batch_size',
          '64',
          '--eval_interval',
          '200',
          '--eval_iters',
          String(ctx.sizes.evalIters),
          '--patience',
          '0',
        ],
      ),
  }),
  trainingStage({
    name: 'rnn',
    summary: 'a character GRU (the classic Keras recipe)',
    weight: 8,
    floor: 14,
    needs: ['data'],
    kind: 'rnn',
    diskMB: 100,
    what: (ctx) =>
      ['--model', 'rnn', ...onText(ctx)].concat(tinyShape(ctx, ['--n_embd', '8', '--n_hidden', '16']), [
        '--eval_interval',
        '100',
        '--eval_iters',
        String(ctx.sizes.evalIters),
        '--patience',
        '0',
      ]),
  }),
  trainingStage({
    name: 'gpt',
    summary: "GPT pretraining on characters (nanoGPT's laptop shape, context 128)",
    weight: 25,
    floor: 8,
    needs: ['data', 'tokenizer'],
    kind: 'gpt',
    what: (ctx) =>
      ['--model', 'gpt', ...onText(ctx), '--tokenizer', p(ctx, 'tokenizer', 'char.json')].concat(
        ctx.sizes.tiny
          ? ['--n_layer', '1', '--n_head', '2', '--n_embd', '16', '--block_size', '96', '--batch_size', '4']
          : ['--block_size', '128', '--batch_size', '12'],
        ['--eval_interval', '100', '--eval_iters', String(ctx.sizes.evalIters)],
      ),
  }),
  trainingStage({
    name: 'sft',
    summary: 'supervised fine-tuning of the GPT on the instruction data (loss on assistant tokens)',
    weight: 15,
    floor: 12,
    needs: ['data', 'gpt'],
    kind: 'gpt',
    what: (ctx) =>
      ['--objective', 'sft', '--init', p(ctx, 'gpt', 'best')].concat(
        ['--data', p(ctx, 'data', 'instruct', 'train.jsonl')],
        ['--valid', p(ctx, 'data', 'instruct', 'test.jsonl')],
        ['--learning_rate', '1e-3', '--eval_interval', '100', '--eval_iters', String(ctx.sizes.evalIters)],
        ['--batch_size', ctx.sizes.tiny ? '2' : '8'],
      ),
  }),
  {
    name: 'reward',
    summary: "preference data (a judge ranks the SFT model's samples) and a reward model",
    weight: 8,
    floor: 20,
    needs: ['sft'],
    kind: 'gpt',
    runDir: 'reward',
    diskMB: 200,
    *steps(ctx) {
      yield {
        args: [
          'data',
          'build-preferences',
          '--model',
          p(ctx, 'sft', 'best'),
          '--judge',
          'correctness',
        ].concat(
          ['--lang', ctx.lang === 'both' ? 'all' : ctx.lang, '--prompts', String(preferencePrompts(ctx))],
          ['--samples', '4', '--max-tokens', ctx.sizes.tiny ? '8' : '40', '--no-expert'],
          ['--out', p(ctx, 'reward', 'prefs'), '--json'],
        ),
      };
      yield {
        args: trainArgs(
          ctx,
          'reward',
          ['--objective', 'reward', '--init', p(ctx, 'sft', 'best'), ...onPreferences(ctx, '')].concat([
            '--eval_interval',
            '50',
            '--batch_size',
            ctx.sizes.tiny ? '2' : '8',
          ]),
          0.5,
        ),
      };
    },
  },
  trainingStage({
    name: 'dpo',
    summary: 'direct preference optimisation of the SFT model on the same preferences',
    weight: 6,
    floor: (z) => 6 + 3 * z.scale, // the reference's log-probabilities grow with the rankings
    needs: ['sft', 'reward'],
    kind: 'gpt',
    what: (ctx) =>
      ['--objective', 'dpo', '--init', p(ctx, 'sft', 'best'), ...onPreferences(ctx, '')].concat([
        '--eval_interval',
        '50',
        '--batch_size',
        ctx.sizes.tiny ? '2' : '8',
      ]),
  }),
  trainingStage({
    name: 'ppo',
    summary: 'PPO of the SFT model against the reward model, KL to the SFT model',
    weight: 8,
    floor: 8,
    needs: ['sft', 'reward'],
    kind: 'gpt',
    diskMB: 300,
    what: (ctx) =>
      ['--objective', 'ppo', '--init', p(ctx, 'sft', 'best'), '--reward', p(ctx, 'reward', 'best')].concat(
        onPreferences(ctx, 'prompts-'),
        ['--eval_interval', '5', '--batch_size', ctx.sizes.tiny ? '2' : '8'],
        ['--response_length', ctx.sizes.tiny ? '6' : '32'],
      ),
  }),
  {
    name: 'word2vec',
    summary: 'word vectors (word2vec CBOW, one epoch) and their WordNet synonym test',
    weight: 0,
    floor: (z) => 6 + 0.5 * z.scale,
    needs: ['data'],
    diskMB: 100,
    *steps(ctx) {
      const vectors = p(ctx, 'word2vec', 'vectors.bin');
      yield {
        args: [
          'embed',
          'train',
          p(ctx, 'data', 'train.txt'),
          '--epochs',
          '1',
          '--min-count',
          ctx.sizes.tiny ? '1' : '5',
        ].concat(ctx.lang === 'zh' ? ['--level', 'char'] : ['--lowercase'], ['--out', vectors, '--json']),
      };
      if (ctx.lang !== 'zh') yield { args: ['embed', 'eval', vectors, '--json'] };
      for (const word of NEIGHBOR_WORDS[ctx.lang === 'zh' ? 'zh' : 'en'])
        yield { args: ['embed', 'neighbors', vectors, word, '--top', '5', '--json'] };
    },
  },
  // kinds other helpers are adding: listed here, run once src/models/kinds.ts has them
  ...['elmo', 'bert', 't5'].map((kind) =>
    trainingStage({
      name: kind,
      summary: `${kind === 'elmo' ? 'an ELMo biLM (word level)' : `a ${kind.toUpperCase()} model`} on the same text`,
      weight: 6,
      floor: kind === 'bert' ? 5 : 6,
      needs: kind === 'elmo' ? ['data', 'tokenizer'] : ['data'],
      kind,
      what: (ctx) =>
        ['--model', kind, ...onText(ctx)].concat(kind === 'elmo' ? ['--tokenizer', wordVocab(ctx)] : [], [
          '--eval_iters',
          String(ctx.sizes.evalIters),
        ]),
    }),
  ),
  {
    name: 'evaluation',
    summary:
      'every language model on the same held-out text, every chat model on held-out questions, samples, curves',
    weight: 6,
    floor: (z) => 36 + 6 * z.scale,
    needs: ['data'],
    *steps(ctx) {
      const test = p(ctx, 'data', 'test.txt');
      for (const m of languageModels(ctx))
        yield {
          args: ['eval', m.path, test, '--json'],
        };
      const chats = chatModels(ctx);
      const maxTokens = ctx.sizes.tiny ? '12' : '40';
      for (const m of chats)
        yield {
          args: [
            'eval',
            m.path,
            p(ctx, 'data', 'instruct', 'test.jsonl'),
            '--per-task',
            String(questionsPerTask(ctx, chats.length)),
          ].concat(['--max-tokens', maxTokens, '--json']),
          keep: (j) => ({ ...(j as object), samples: undefined }),
        };
      // the tuned policies on the judged held-out prompts: gold score and KL to the SFT model
      const prompts = judgedPrompts(ctx);
      if (prompts)
        for (const m of chats.filter((c) => c.name !== 'gpt'))
          yield {
            args: ['eval', m.path, prompts, '--reference', p(ctx, 'sft', 'best')].concat([
              '--max-tokens',
              ctx.sizes.tiny ? '6' : '32',
              '--json',
            ]),
          };
      for (const m of languageModels(ctx))
        yield {
          args: ['generate', m.path].concat(
            langs(ctx.lang).flatMap((l) => ['--prompt', SAMPLE_PROMPTS[l]]),
            ['--max-tokens', m.word ? '20' : maxTokens, '--temperature', '0.8', '--seed', '1', '--json'],
          ),
        };
    },
  },
  {
    name: 'assistant',
    summary:
      'pick the assistant (best held-out F1 among SFT, DPO and PPO); every chat model answers the same questions',
    weight: 0,
    floor: 8,
    needs: ['evaluation'],
    *steps(ctx) {
      const chats = chatModels(ctx).filter((m) => m.name !== 'gpt');
      const questions = langs(ctx.lang).flatMap((l) => CHAT_PROMPTS[l]);
      for (const m of chats)
        yield {
          args: [
            'chat',
            m.path,
            '--db',
            'none',
            '--temperature',
            '0',
            '--max-tokens',
            ctx.sizes.tiny ? '12' : '60',
          ],
          stdin: questions.join('\n/reset\n') + '\n', // each question in a fresh conversation
        };
      const assistant = pickAssistant(ctx);
      if (!assistant) return;
      const turns =
        ctx.lang === 'zh'
          ? ['你是谁？', '1 + 2 等于几？', '再加 3 呢？']
          : ['What is 5 + 3?', 'And if you add 2 to the result?', 'Spell "cat".'];
      yield {
        args: [
          'chat',
          assistant,
          '--db',
          'none',
          '--temperature',
          '0',
          '--max-tokens',
          ctx.sizes.tiny ? '12' : '60',
        ],
        stdin: turns.join('\n') + '\n',
      };
    },
  },
  {
    name: 'report',
    summary: 'report.md and report.html: every figure of the run in one place',
    weight: 0,
    floor: 1,
    needs: [],
    *steps(ctx) {
      yield {
        note: 'speedrun: write report.md and report.html from the finished stages',
        run: () => writeReport(ctx.out, ctx.done),
      };
    },
  },
];

/** The language models of the run, for the perplexity table and samples (those whose stage finished). */
export function languageModels(
  ctx: Pick<StageContext, 'out' | 'done'>,
): { name: string; path: string; word: boolean }[] {
  const all = [
    { name: 'kn3', path: p(ctx as StageContext, 'kn3', 'model.bin'), word: true },
    { name: 'kn5', path: p(ctx as StageContext, 'kn5', 'model.bin'), word: true },
    { name: 'nplm', path: p(ctx as StageContext, 'nplm', 'best'), word: true },
    { name: 'rnn', path: p(ctx as StageContext, 'rnn', 'best'), word: false },
    { name: 'gpt', path: p(ctx as StageContext, 'gpt', 'best'), word: false },
    { name: 'elmo', path: p(ctx as StageContext, 'elmo', 'best'), word: true },
  ];
  return all.filter((m) => ctx.done.has(m.name));
}

/**
 * The judged prompts the policies are scored on: the preference data's held-out prompts, or its training
 * prompts when none fell on the held-out side (the report says so); undefined without a reward stage.
 */
export function judgedPrompts(ctx: Pick<StageContext, 'out' | 'done'>): string | undefined {
  if (!ctx.done.has('reward')) return undefined;
  const test = p(ctx as StageContext, 'reward', 'prefs', 'prompts-test.jsonl');
  if (existsSync(test) && readFileSync(test, 'utf8').trim()) return test;
  const train = p(ctx as StageContext, 'reward', 'prefs', 'prompts-train.jsonl');
  return existsSync(train) ? train : undefined;
}

/** The models scored on held-out questions: the pretrained GPT (prompted with lines) and the tuned ones. */
export function chatModels(ctx: Pick<StageContext, 'out' | 'done'>): { name: string; path: string }[] {
  return ['gpt', 'sft', 'dpo', 'ppo']
    .filter((n) => ctx.done.has(n))
    .map((name) => ({ name, path: p(ctx as StageContext, name, 'best') }));
}

/** The tuned model with the best held-out token F1 (ties: the earlier of SFT, DPO, PPO), from the evaluation's record. */
export function pickAssistant(ctx: Pick<StageContext, 'out' | 'done'>): string | undefined {
  const evaluation = ctx.done.get('evaluation');
  let best: { path: string; f1: number } | undefined;
  for (const m of chatModels(ctx)) {
    if (m.name === 'gpt') continue;
    const r = evaluation?.steps.find((s) => s.args?.[0] === 'eval' && s.args[1] === m.path)?.json[0] as
      { f1?: number } | undefined;
    const f1 = r?.f1 ?? -1;
    if (!best || f1 > best.f1) best = { path: m.path, f1 };
  }
  return best?.path;
}

/** A stage's floor in seconds for a run of these sizes. */
export function floorOf(stage: Pick<Stage, 'floor'>, sizes: Sizes): number {
  return typeof stage.floor === 'number' ? stage.floor : stage.floor(sizes);
}

/** The stage table: the built-in stages whose model kind exists (src/models/kinds.ts), in order. */
export function stageTable(): Stage[] {
  return STAGES.filter((s) => s.kind === undefined || MODEL_KINDS.has(s.kind));
}
