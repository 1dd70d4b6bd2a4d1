import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const TINY = ['--n_layer', '1', '--n_head', '2', '--n_embd', '32', '--extra_ids', '2', '--dropout', '0'];

/** A mapping a tiny T5 learns in 150 steps: number words to digits. */
const PAIRS = ['one', 'two', 'three', 'four', 'five', 'six'].map((w, i) => ({
  input: `num: ${w}`,
  target: String(i + 1),
}));

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');

describe('T5 from the command line', () => {
  let t5 = '';
  let pairs = '';
  before(async () => {
    t5 = join(tempDir(), 't5');
    pairs = file('pairs.jsonl', jsonl(PAIRS));
    const r = await runCli([
      ...[
        'train',
        '--model',
        't5',
        '--data',
        pairs,
        '--valid',
        pairs,
        '--out',
        t5,
        ...TINY,
        '--block_size',
        '12',
      ],
      ...['--batch_size', '8', '--max_iters', '150', '--warmup_iters', '10', '--learning_rate', '1e-2'],
      ...['--min_lr', '1e-3', '--weight_decay', '0', '--eval_interval', '150', '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, number>;
    assert.equal(summary.valid_exact_match, 1, r.stdout);
    assert.equal(summary['valid_exact_match/num'], 1);
  });

  it('train → generate: greedy answers without the prompt, --prompts FILE, beam search', async () => {
    const r = await runCli(['generate', t5, '--prompt', 'num: three', '--temperature', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '3\n');
    const many = await runCli([
      ...[
        'generate',
        t5,
        '--prompts',
        file('p.txt', 'num: five\nnum: one\n'),
        '--temperature',
        '0',
        '--json',
      ],
    ]);
    assert.equal(many.code, 0, many.stderr);
    assert.deepEqual(
      many.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { text: string }).text),
      ['5', '1'],
    );
    const beam = await runCli([
      'generate',
      t5,
      '--prompt',
      'num: six',
      '--num-beams',
      '3',
      '--length-penalty',
      '0.5',
    ]);
    assert.equal(beam.code, 0, beam.stderr);
    assert.equal(beam.stdout, '6\n');
  });

  it('answers a prompt with an unknown task prefix anyway', async () => {
    const r = await runCli(['generate', t5, '--prompt', 'translate: one', '--temperature', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(typeof (JSON.parse(r.stdout) as { text: string }).text, 'string');
  });

  it('eval on held-out pairs: exact match and F1 per task', async () => {
    const r = await runCli(['eval', t5, pairs, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { exact: number; tasks: { task: string; turns: number }[] };
    assert.equal(j.exact, 1);
    assert.deepEqual(
      j.tasks.map((t) => [t.task, t.turns]),
      [['num', 6]],
    );
  });

  it('continues fine-tuning from --init', async () => {
    const out = join(tempDir(), 'again');
    const r = await runCli([
      ...['train', '--init', t5, '--data', pairs, '--valid', pairs, '--out', out, '--max_iters', '2'],
      ...['--eval_interval', '2', '--batch_size', '4', '--learning_rate', '1e-4', '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { valid_exact_match: number }).valid_exact_match, 1);
  });

  it('refuses --objective sft for a T5 checkpoint, saying what works instead', async () => {
    const r = await runCli([
      'train',
      '--objective',
      'sft',
      '--init',
      t5,
      '--data',
      pairs,
      '--out',
      join(tempDir(), 'x'),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /encoder–decoder/);
    assert.match(r.stderr, /lmkit train --init .* --data tasks\.jsonl/);
  });

  it('a pairs line without input and target is an error naming the line', async () => {
    const bad = file('bad.jsonl', jsonl([PAIRS[0], { text: 'hello' }]));
    const r = await runCli(['train', '--model', 't5', '--data', bad, '--out', join(tempDir(), 'y'), ...TINY]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /bad\.jsonl line 2: expected string "input" and "target"/);
  });

  it('pretrains by span corruption on plain text; eval reports an infilling pseudo-perplexity', async () => {
    const out = join(tempDir(), 'pre');
    const text = file('text.txt', 'the cat sat on the mat. the dog sat on the log.\n'.repeat(20));
    const r = await runCli([
      ...['train', '--model', 't5', '--data', text, '--out', out, ...TINY, '--block_size', '24'],
      ...['--batch_size', '4', '--max_iters', '3', '--eval_interval', '3', '--eval_iters', '1', '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const e = await runCli(['eval', out, text, '--json']);
    assert.equal(e.code, 0, e.stderr);
    const j = JSON.parse(e.stdout) as { scoring: string; perplexity: number; kind: string };
    assert.equal(j.kind, 't5');
    assert.equal(j.scoring, 'infilling');
    assert.ok(j.perplexity > 1 && Number.isFinite(j.perplexity));
  });
});
