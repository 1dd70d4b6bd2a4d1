import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const TINY = [
  '--n_layer',
  '1',
  '--n_head',
  '2',
  '--n_embd',
  '32',
  '--block_size',
  '12',
  '--batch_size',
  '32',
];

/** Two sentence patterns, repeated: a BERT that learned them fills "three" between "two" and "four". */
const TEXT = 'one two three four five six\nseven eight nine ten eleven twelve\n'.repeat(60);

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe('BERT from the command line', () => {
  let bert = '';
  before(async () => {
    bert = join(tempDir(), 'bert');
    const r = await runCli([
      ...['train', '--model', 'bert', '--data', file('text.txt', TEXT), '--tokenizer', 'word', ...TINY],
      ...[
        '--dropout',
        '0',
        '--learning_rate',
        '3e-3',
        '--min_lr',
        '3e-3',
        '--warmup_iters',
        '0',
        '--weight_decay',
        '0',
      ],
      ...['--max_iters', '800', '--eval_interval', '800', '--eval_iters', '2', '--whole-word-masking'],
      ...['--out', bert, '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /training a BERT/);
  });

  it("fill-mask predicts the masked word, in Hugging Face's shape with --json", async () => {
    const r = await runCli(['fill-mask', bert, 'one two [MASK] four five six', '--top', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const preds = JSON.parse(r.stdout) as {
      score: number;
      token: number;
      token_str: string;
      sequence: string;
    }[];
    assert.equal(preds.length, 3);
    assert.deepEqual(Object.keys(preds[0]).sort(), ['score', 'sequence', 'token', 'token_str']);
    assert.equal(preds[0].token_str, 'three');
    assert.equal(preds[0].sequence, 'one two three four five six');
    assert.ok(preds[0].score > 0.5 && preds[0].score >= preds[1].score);
  });

  it('fill-mask reads --file, one JSON value per text, a list per mask when a text has several', async () => {
    const texts = file(
      'texts.txt',
      'seven [MASK] nine ten eleven twelve\none [MASK] three four [MASK] six\n',
    );
    const r = await runCli(['fill-mask', bert, '--file', texts, '--top', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0][0].token_str, 'eight');
    assert.equal(lines[1].length, 2); // two masks
    assert.equal(lines[1][0][0].sequence, 'one two three four [MASK] six');
    assert.equal(lines[1][1][0].token_str, 'five');
  });

  it('fill-mask without a [MASK] or on a GPT is an error saying what to do', async () => {
    const r = await runCli(['fill-mask', bert, 'one two three']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no \[MASK\] to fill/);
  });

  it('generate refuses a BERT with a clear error and prints nothing', async () => {
    const r = await runCli(['generate', bert, '--prompt', 'one two']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /masked language model.*cannot generate text left to right/);
  });

  it('eval reports a pseudo-perplexity, far below the vocabulary size on text like its training text', async () => {
    const r = await runCli(['eval', bert, file('held.txt', TEXT.slice(0, 400)), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.kind, 'bert');
    assert.equal(j.scoring, 'pseudo');
    assert.ok(j.perplexity < 3, `pseudo-perplexity ${j.perplexity}`);
  });

  it('--objective classify learns labels from JSONL and reports accuracy and macro-F1', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++)
      lines.push(
        JSON.stringify(
          i % 2
            ? { text: 'one two three four', label: 'low' }
            : { text: 'nine ten eleven twelve', label: 'high' },
        ),
      );
    const out = join(tempDir(), 'cls');
    const r = await runCli([
      'train',
      '--objective',
      'classify',
      '--init',
      bert,
      '--data',
      file('cls.jsonl', lines.join('\n')),
      '--max_iters',
      '30',
      '--eval_interval',
      '30',
      '--learning_rate',
      '1e-3',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.valid_accuracy, 1);
    assert.equal(s.valid_macro_f1, 1);
    assert.match(r.stderr, /sequence classification into 2 labels on 54 examples, validating on 6/);
  });

  it('a validation label outside the training labels is an error naming the file and line', async () => {
    const train = file('t.jsonl', '{"text":"one two","label":"a"}\n{"text":"ten","label":"b"}\n');
    const valid = file('v.jsonl', '{"text":"one","label":"a"}\n{"text":"two","label":"c"}\n');
    const r = await runCli([
      'train',
      '--objective',
      'classify',
      '--init',
      bert,
      '--data',
      train,
      '--valid',
      valid,
      '--out',
      join(tempDir(), 'x'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v\.jsonl:2: label "c" is not one of the training labels \(a, b\)/);
  });

  it('--objective tag learns a tag per word from {tokens, tags} JSONL', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++)
      lines.push(
        JSON.stringify({ tokens: ['one', 'two', 'nine', 'ten'], tags: ['odd', 'even', 'odd', 'even'] }),
      );
    const out = join(tempDir(), 'tag');
    const r = await runCli([
      'train',
      '--objective',
      'tag',
      '--init',
      bert,
      '--data',
      file('tags.jsonl', lines.join('\n')),
      '--max_iters',
      '30',
      '--eval_interval',
      '30',
      '--learning_rate',
      '1e-3',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).valid_accuracy, 1);
    assert.match(r.stderr, /token classification into 2 labels/);
  });

  it('--max_eval_samples N evaluates N validation sentences spread over the set; --max-time stops a tag run', async () => {
    const sentence = (good: boolean) =>
      JSON.stringify({
        tokens: ['one', 'two', 'nine', 'ten'],
        tags: good ? ['odd', 'even', 'odd', 'even'] : ['even', 'odd', 'even', 'odd'],
      });
    const train = file('tags-train.jsonl', Array.from({ length: 40 }, () => sentence(true)).join('\n'));
    // 9 sentences; a sample of 3 spread over them takes the 1st, 4th and 7th: the only right ones
    const valid = file(
      'tags-valid.jsonl',
      Array.from({ length: 9 }, (_, i) => sentence(i % 3 === 0)).join('\n'),
    );
    const args = ['train', '--objective', 'tag', '--init', bert, '--data', train, '--valid', valid];
    const fit = ['--max_iters', '30', '--eval_interval', '30', '--learning_rate', '1e-3'];
    const all = await runCli([...args, ...fit, '--out', join(tempDir(), 'tag-all'), '--json']);
    assert.equal(all.code, 0, all.stderr);
    assert.ok(Math.abs(JSON.parse(all.stdout).valid_accuracy - 1 / 3) < 1e-9, all.stdout);
    const out = join(tempDir(), 'tag-capped');
    const capped = await runCli([...args, ...fit, '--max_eval_samples', '3', '--out', out, '--json']);
    assert.equal(capped.code, 0, capped.stderr);
    assert.equal(JSON.parse(capped.stdout).valid_accuracy, 1);
    assert.match(capped.stderr, /validating on 9 \(.*; 3 of them per evaluation, --max_eval_samples\)/);
    // the run records the cap, and a resumed run keeps it
    const resumed = await runCli(['train', '--resume', out, '--max_iters', '31', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).valid_accuracy, 1);
    const timed = await runCli([
      ...args,
      ...['--max_iters', '1000000', '--max-time', '0.5', '--out', join(tempDir(), 'tag-time'), '--json'],
    ]);
    assert.equal(timed.code, 0, timed.stderr);
    assert.equal(JSON.parse(timed.stdout).stopped, 'time');
    const lm = await runCli([
      'train',
      '--data',
      train,
      '--max_eval_samples',
      '3',
      '--out',
      join(tempDir(), 'l'),
    ]);
    assert.equal(lm.code, 2);
    assert.match(lm.stderr, /--max_eval_samples is for --objective classify and tag/);
  });
});
