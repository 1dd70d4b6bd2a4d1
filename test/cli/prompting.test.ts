import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

function file(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

const SPAM = ['win money now', 'cheap pills here', 'free prize claim', 'win cash fast'];
const HAM = ['see you at lunch', 'notes from the meeting', 'call me tonight', 'lunch at noon'];
/** Running text where each kind of message is followed by the word a verbalizer will use. */
const TEXT = [...SPAM.map((s) => `${s} this message is junk`), ...HAM.map((h) => `${h} this message is fine`)]
  .join('\n')
  .concat('\n')
  .repeat(40);
const labelled = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify(i % 2 ? { text: HAM[i % 4], label: 'ham' } : { text: SPAM[i % 4], label: 'spam' }),
  ).join('\n') + '\n';
const PATTERN = ['--pattern', '{text} this message is [MASK]'];

describe('cloze prompts and PET from the command line', () => {
  let bert = '';
  let data = '';
  before(async () => {
    bert = join(tempDir(), 'bert');
    data = file('labelled.jsonl', labelled(40));
    const r = await runCli([
      ...['train', '--model', 'bert', '--data', file('text.txt', TEXT), '--tokenizer', 'word'],
      ...['--n_layer', '1', '--n_head', '2', '--n_embd', '32', '--block_size', '12', '--batch_size', '32'],
      ...['--dropout', '0', '--learning_rate', '3e-3', '--min_lr', '3e-3', '--warmup_iters', '0'],
      ...['--max_iters', '400', '--eval_interval', '400', '--eval_iters', '1', '--out', bert, '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('classifies zero-shot through the verbalizer, and the choice of words matters', async () => {
    const right = await runCli([
      'classify',
      bert,
      '--data',
      data,
      ...PATTERN,
      '--verbalizer',
      'spam=junk,ham=fine',
      '--json',
    ]);
    assert.equal(right.code, 0, right.stderr);
    const r = JSON.parse(right.stdout) as {
      accuracy: number;
      examples: number;
      predicted: Record<string, number>;
    };
    assert.equal(r.examples, 40);
    assert.ok(r.accuracy > 0.9, `zero-shot accuracy ${r.accuracy}`);
    const swapped = await runCli([
      'classify',
      bert,
      '--data',
      data,
      ...PATTERN,
      '--verbalizer',
      'spam=fine,ham=junk',
      '--json',
    ]);
    assert.ok((JSON.parse(swapped.stdout) as { accuracy: number }).accuracy < 0.1);
    const one = await runCli([
      'classify',
      bert,
      'free prize claim',
      ...PATTERN,
      '--verbalizer',
      'spam=junk,ham=fine',
    ]);
    assert.match(one.stdout, /^spam\tspam 0\.\d+ {2}ham 0\.\d+\tfree prize claim\n$/);
  });

  it('PET fine-tunes the masked LM on k shots; the run remembers its cloze for lmkit classify', async () => {
    const out = join(tempDir(), 'pet');
    const r = await runCli([
      ...['train', '--objective', 'pet', '--init', bert, '--data', data, ...PATTERN],
      ...['--verbalizer', 'spam=fine,ham=junk', '--shots', '8', '--max_iters', '30', '--eval_interval', '30'],
      ...['--learning_rate', '3e-3', '--warmup_iters', '0', '--out', out, '--json'],
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /PET: the cloze .* 8 training examples \(--shots 8 of 36, seed 1337\)/);
    const s = JSON.parse(r.stdout) as Record<string, number>;
    assert.ok(Number.isFinite(s.val_loss) && Number.isFinite(s.train_loss));
    // trained against its pretraining (the swapped words): it learns the new mapping from 8 examples
    assert.ok(s.valid_accuracy > 0.9, `valid accuracy ${s.valid_accuracy}`);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      pet: unknown;
      training: { shots: number };
    };
    assert.deepEqual(config.pet, {
      pattern: '{text} this message is [MASK]',
      verbalizer: [
        { label: 'spam', word: 'fine' },
        { label: 'ham', word: 'junk' },
      ],
    });
    assert.equal(config.training.shots, 8);
    const c = await runCli(['classify', out, 'win money now', '--json']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal((JSON.parse(c.stdout) as { label: string }).label, 'spam');
  });

  it('says what to fix: a pattern without [MASK], a word of several tokens, a label with no word', async () => {
    const noMask = await runCli([
      'classify',
      bert,
      'hi',
      '--pattern',
      '{text} this message is',
      '--verbalizer',
      'spam=junk,ham=fine',
    ]);
    assert.notEqual(noMask.code, 0);
    assert.match(noMask.stderr, /exactly one \[MASK\]/);
    const unknown = await runCli([
      'classify',
      bert,
      'hi',
      ...PATTERN,
      '--verbalizer',
      'spam=junk,ham=wonderful',
    ]);
    assert.notEqual(unknown.code, 0);
    assert.match(
      unknown.stderr,
      /"wonderful" \(label ham\) is not in this BERT.s vocabulary \(it reads as <unk>\)/,
    );
    const missing = await runCli([
      'classify',
      bert,
      '--data',
      data,
      ...PATTERN,
      '--verbalizer',
      'spam=junk,eggs=fine',
    ]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /label "ham" is not one of the model's labels/);
    const noCloze = await runCli(['classify', bert, 'hi']);
    assert.equal(noCloze.code, 2);
    assert.match(noCloze.stderr, /give the cloze question with --pattern and --verbalizer/);
    const petNoPattern = await runCli([
      'train',
      '--objective',
      'pet',
      '--init',
      bert,
      '--data',
      data,
      '--out',
      join(tempDir(), 'x'),
    ]);
    assert.notEqual(petNoPattern.code, 0);
    assert.match(petNoPattern.stderr, /give --pattern and --verbalizer/);
    const tooMany = await runCli([
      'train',
      '--objective',
      'classify',
      '--init',
      bert,
      '--data',
      data,
      '--shots',
      '99',
      '--out',
      join(tempDir(), 'y'),
    ]);
    assert.notEqual(tooMany.code, 0);
    assert.match(tooMany.stderr, /--shots 99 asks for more examples than the training split holds \(36\)/);
  });
});

describe('in-context learning from the command line (eval-tasks)', () => {
  let gpt = '';
  const convo = (task: string, q: string, a: string) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: q },
        { role: 'assistant', content: a },
      ],
      task,
    });
  const train = Array.from({ length: 12 }, (_, i) =>
    convo(i % 2 ? 'echo' : 'upper', `say ${i}`, i % 2 ? `${i}` : `SAY ${i}`),
  ).join('\n');
  const test = [convo('echo', 'say 7', '7'), convo('upper', 'say 8', 'SAY 8')].join('\n');
  before(async () => {
    gpt = join(tempDir(), 'gpt');
    const r = await runCli([
      ...[
        'train',
        '--data',
        file('t.txt', 'say 1\n1\nsay 2\nSAY 2\nham spam Is this message or?\n'.repeat(30)),
        '--tokenizer',
        'char',
      ],
      ...['--n_layer', '1', '--n_head', '2', '--n_embd', '16', '--block_size', '28', '--batch_size', '8'],
      ...['--max_iters', '20', '--eval_interval', '20', '--eval_iters', '1', '--out', gpt],
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('scores each task with k shots and says how many fitted the context', async () => {
    const tasks = file('test.jsonl', test + '\n');
    const trainFile = file('train.jsonl', train + '\n');
    const zero = await runCli(['eval-tasks', gpt, '--tasks', tasks, '--json']);
    assert.equal(zero.code, 0, zero.stderr);
    const z = JSON.parse(zero.stdout) as {
      tasks: { task: string; turns: number; exact: number; f1: number; mean_shots: number }[];
    };
    assert.deepEqual(
      z.tasks.map((t) => [t.task, t.turns, t.mean_shots]),
      [
        ['echo', 1, 0],
        ['upper', 1, 0],
      ],
    );
    assert.ok(z.tasks.every((t) => Number.isFinite(t.f1)));
    // block 28: one or two shots fit with the question and its answer, four do not
    const four = await runCli([
      'eval-tasks',
      gpt,
      '--tasks',
      tasks,
      '--train',
      trainFile,
      '--shots',
      '4',
      '--json',
    ]);
    assert.equal(four.code, 0, four.stderr);
    const f = JSON.parse(four.stdout) as {
      block_size: number;
      tasks: { shots: number; mean_shots: number; cut: number }[];
    };
    assert.equal(f.block_size, 28);
    for (const t of f.tasks) {
      assert.equal(t.shots, 4);
      assert.equal(t.cut, 1);
      assert.ok(t.mean_shots >= 1 && t.mean_shots < 4, `mean shots ${t.mean_shots}`);
    }
    const text = await runCli(['eval-tasks', gpt, '--tasks', tasks, '--train', trainFile, '--shots', '4']);
    assert.match(text.stdout, /echo .* 1 of 1 cut/);
  });

  it('ranks the labels of a classification task; needs --train for shots; refuses a BERT', async () => {
    const c = await runCli([
      'eval-tasks',
      gpt,
      '--classify',
      file('spam.jsonl', labelled(20)),
      '--shots',
      '1',
      '--max-chars',
      '10',
      '--json',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const r = JSON.parse(c.stdout) as {
      classify: { examples: number; accuracy: number; predicted: Record<string, number>; mean_shots: number };
    };
    assert.equal(r.classify.examples, 2); // a file's every 10th example is the held-out part
    assert.ok(r.classify.accuracy >= 0 && r.classify.accuracy <= 1);
    assert.equal(r.classify.predicted.ham + r.classify.predicted.spam, 2);
    const noTrain = await runCli(['eval-tasks', gpt, '--tasks', file('t2.jsonl', test), '--shots', '1']);
    assert.equal(noTrain.code, 2);
    assert.match(noTrain.stderr, /--shots draws solved examples from --train/);
  });
});
