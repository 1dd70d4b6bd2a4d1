import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitRawText } from '../../src/data/sentences.js';
import { evaluatePerplexity, evaluateText } from '../../src/eval/perplexity.js';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { preprocessingOf, promptPreparer } from '../../src/models/preprocessing.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import type { TrainConfig } from '../../src/train/config.js';
import { pretrain } from '../../src/train/pretrain.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** Wrapped prose as a book file holds it: lines broken mid-sentence, blank lines, double spaces. */
const PARAGRAPH =
  'It is a truth universally acknowledged, that a single man in possession\n' +
  'of a good fortune,  must be in want of a wife.  However little known the\n' +
  'feelings or views of such a man may be on his first entering a neighbourhood.\n' +
  '\n';
const BOOK = PARAGRAPH.repeat(8);

const TINY: Partial<TrainConfig> = {
  n_layer: 1,
  n_head: 2,
  n_embd: 16,
  block_size: 16,
  batch_size: 4,
  max_iters: 1,
  eval_interval: 1,
  eval_iters: 1,
};

function book(text = BOOK): string {
  const path = join(tempDir(), 'book.txt');
  writeFileSync(path, text);
  return path;
}

interface Started {
  trainTokens: number;
  validTokens: number;
  note: string;
  out: string;
}

/** Trains one step on `data` and returns what the run said at its start. */
async function train(
  data: string,
  o: { model?: string; sentences?: boolean; tokenizer?: string; split?: string } = {},
) {
  const out = join(tempDir(), 'run');
  let started: Omit<Started, 'out'> | undefined;
  await pretrain({
    data,
    ...o,
    settings: [{ ...TINY, ...(o.model === 'nplm' ? { order: 3 } : {}) }],
    out,
    onStart: ({ trainTokens, validTokens, note }) => (started = { trainTokens, validTokens, note }),
  });
  return { ...started!, out };
}

function trainingRecord(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).training;
}

/** The text --sentences trains on: sentences one a line. */
const REFLOWED = splitRawText(BOOK).join('\n');

describe('training text: as written unless --sentences', () => {
  it('a GPT reads every character of the file: line breaks, blank lines and double spaces', async () => {
    const run = await train(book());
    assert.equal(run.trainTokens + run.validTokens, BOOK.length);
    assert.match(run.note, /^text: as written: line breaks, blank lines and spacing kept/);
    assert.equal(trainingRecord(run.out).sentences, false);
    assert.equal(preprocessingOf(loadLanguageModel(run.out)).sentences, false);
  });

  it('--sentences re-flows the text into one sentence per line, says so and records it', async () => {
    assert.notEqual(REFLOWED.length, BOOK.length);
    assert.doesNotMatch(REFLOWED, /\n\n| {2}/);
    const run = await train(book(), { sentences: true });
    assert.equal(run.trainTokens + run.validTokens, REFLOWED.length);
    assert.match(run.note, /^text: re-flowed into one sentence per line \(--sentences\)/);
    assert.equal(trainingRecord(run.out).sentences, true);
    assert.equal(preprocessingOf(loadLanguageModel(run.out)).sentences, true);
  });

  it('an RNN reads text as written; an NPLM and a word tokenizer read sentences unless --no-sentences', async () => {
    const rnn = await train(book(), { model: 'rnn' });
    assert.equal(rnn.trainTokens + rnn.validTokens, BOOK.length);
    const nplm = await train(book(), { model: 'nplm' });
    assert.equal(nplm.trainTokens + nplm.validTokens, REFLOWED.length);
    assert.match(nplm.note, /as an NPLM reads; --no-sentences: as written/);
    const nplmAsWritten = await train(book(), { model: 'nplm', sentences: false });
    assert.equal(nplmAsWritten.trainTokens + nplmAsWritten.validTokens, BOOK.length);
    const words = await train(book(), { tokenizer: 'word' });
    assert.match(words.note, /as a word tokenizer reads/);
    assert.equal(trainingRecord(words.out).sentences, true);
    // each sentence's words and its </s>
    const perSentence = splitRawText(BOOK).map((s) => s.split(/\s+/).length + 1);
    assert.equal(
      words.trainTokens + words.validTokens,
      perSentence.reduce((a, b) => a + b),
    );
  });

  it("keeps a sentence list's own form (Brown) and refuses to change the preparation on resume", async () => {
    const run = await train(book());
    await assert.rejects(
      pretrain({ resume: run.out, sentences: true, settings: [{ max_iters: 2 }], out: run.out }),
      /cannot resume with --sentences: the run read its text as written/,
    );
    const brown = await train('brown', { split: 'valid' });
    assert.equal(brown.note, "text: brown's sentences, one a line (the corpus's own form)");
    assert.equal(trainingRecord(brown.out).sentences, true);
  });
});

describe('eval, generate and serve prepare text as the training text was', () => {
  it('eval scores a file as written for a model trained on text as written (every character a token)', async () => {
    const run = await train(book());
    const path = book();
    const r = await runCli(['eval', run.out, path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.text, 'as-written');
    assert.equal(json.mode, 'stream');
    assert.equal(json.tokens, BOOK.length);
    assert.equal(json.characters, BOOK.length);
    assert.equal(json.sentences, null);
    const format = await runCli(['eval', run.out, path, '--format', 'raw']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /--format says how to read sentences, but .* read its text as written/);
    const split = await runCli(['eval', run.out, path, '--split', 'test']);
    assert.match(split.stderr, /--split test picks sentences/);
  });

  it('eval re-flows the file into sentences for a model trained with --sentences (and for old checkpoints)', async () => {
    const run = await train(book(), { sentences: true });
    const sentences = splitRawText(BOOK);
    for (const model of [run.out, join(ROOT, 'test', 'fixtures', 'checkpoints', 'gpt')]) {
      const json = JSON.parse((await runCli(['eval', model, book(), '--json', '--allow-oov'])).stdout);
      assert.equal(json.text, 'sentences', model);
      assert.equal(json.sentences, sentences.length, model);
      assert.equal(json.tokens, REFLOWED.length + 1, model); // each sentence and its line break
    }
  });

  it('evaluateText scores the stream training made: the same numbers as the lines scored as one stream', () => {
    const tokenizer = CharTokenizer.train([BOOK, '\n']);
    const model = new GPTModel(
      { n_layer: 1, n_head: 2, n_embd: 8, block_size: 16, vocab_size: tokenizer.vocabSize },
      tokenizer,
      3,
    );
    const text = evaluateText(model, BOOK, { stride: 4 });
    // the file's lines (blank ones included), each followed by its line break, are exactly BOOK + "\n"
    const lines = evaluatePerplexity(model, BOOK.slice(0, -1).split('\n'), { mode: 'stream', stride: 4 });
    assert.equal(text.tokens, BOOK.length);
    assert.equal(lines.tokens, BOOK.length);
    assert.ok(Math.abs(text.nats - lines.nats) < 1e-6 * lines.nats, `${text.nats} vs ${lines.nats}`);
    const generic = evaluateText(model, BOOK.slice(0, 200), { generic: true });
    const fast = evaluateText(model, BOOK.slice(0, 200), { stride: 1 });
    assert.ok(Math.abs(generic.nats - fast.nats) < 1e-3, `${generic.nats} vs ${fast.nats}`);
    assert.throws(
      () => evaluateText(model, BOOK, { mode: 'sentences' }),
      /read its training text as written/,
    );
  });

  it('generate re-flows a prompt for a model of sentences and keeps it as written otherwise', async () => {
    const prompt = 'Mr. Bennet replied.  He\nsaid ';
    const asWritten = await train(book());
    const sentences = await train(book(), { sentences: true });
    const sample = async (dir: string) =>
      JSON.parse(
        (await runCli(['generate', dir, '-p', prompt, '--max-tokens', '2', '--seed', '1', '--json'])).stdout,
      ).prompt;
    assert.equal(await sample(asWritten.out), prompt);
    assert.equal(await sample(sentences.out), 'Mr. Bennet replied.\nHe said ');
    const model = loadLanguageModel(sentences.out);
    assert.equal(promptPreparer(model)('He left.\n'), 'He left.\n');
    // a chat template gives each message one line: its sentences are joined by spaces
    assert.equal(promptPreparer(model, { oneLine: true })(prompt), 'Mr. Bennet replied. He said ');
  });
});
