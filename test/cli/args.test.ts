import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, commandHelp, editDistance, parseArgs, type CommandSpec } from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a demo command',
  json: true,
  flags: [
    { name: 'order', type: 'integer', min: 1, description: 'n-gram order', default: 3 },
    { name: 'k', type: 'number', min: 0, description: 'add-k constant' },
    { name: 'smoothing', type: 'string', choices: ['kn', 'mle'], description: 'estimator' },
    { name: 'verbose', short: 'v', type: 'boolean', description: 'talk more' },
  ],
  positionals: [{ name: 'FILE', description: 'input' }],
  load: async () => async () => 0,
};

describe('parseArgs', () => {
  it('parses typed flags, = syntax, short switches and positionals', () => {
    const a = parseArgs(spec, ['--order', '5', '--k=0.5', '-v', 'x.txt', '--json'], 'demo');
    assert.notEqual(a, 'help');
    if (a === 'help') return;
    assert.equal(a.number('order'), 5);
    assert.equal(a.number('k'), 0.5);
    assert.equal(a.bool('verbose'), true);
    assert.equal(a.positional('FILE'), 'x.txt');
    assert.equal(a.json, true);
  });

  it('applies defaults', () => {
    const a = parseArgs(spec, ['x'], 'demo');
    assert.ok(a !== 'help' && a.number('order') === 3);
  });

  it('rejects an order of 0, a fractional order, a bad choice, an unknown flag and a missing file', () => {
    assert.throws(() => parseArgs(spec, ['--order', '0', 'x'], 'demo'), /at least 1/);
    assert.throws(() => parseArgs(spec, ['--order', '2.5', 'x'], 'demo'), /whole number/);
    assert.throws(() => parseArgs(spec, ['--smoothing', 'foo', 'x'], 'demo'), /one of kn, mle/);
    assert.throws(() => parseArgs(spec, ['--ordr', '3', 'x'], 'demo'), UsageError);
    assert.throws(() => parseArgs(spec, [], 'demo'), /missing FILE/);
    assert.throws(() => parseArgs(spec, ['a', 'b'], 'demo'), /unexpected argument 'b'/);
  });

  it('documents every flag in --help', () => {
    const help = commandHelp(spec, 'demo');
    for (const f of ['--order', '--k', '--smoothing', '--verbose', '--json', '--help'])
      assert.match(help, new RegExp(f));
  });
});

describe('lmkit', () => {
  it('prints help and exits 0 with --help', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: lmkit <command>/);
  });

  it('reports an unknown command on one stderr line with exit code 2', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });

  it('prints help to stdout and exits 0 when run bare, and so does a bare group', async () => {
    for (const args of [[], ['ngram']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage: lmkit/);
      assert.equal(r.stderr, '');
    }
  });

  it("suggests the nearest command for a typo ('trian', 'ngram trian')", async () => {
    let r = await runCli(['trian']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did you mean 'lmkit train'\?/);
    r = await runCli(['ngram', 'trian']);
    assert.match(r.stderr, /did you mean 'lmkit ngram train'\?/);
  });

  it('suggests the nearest flag for a typo (--ordr)', async () => {
    const r = await runCli(['ngram', 'train', '--ordr', '3', 'x.txt']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown flag --ordr.*did you mean --order\?/);
  });

  it('gives -p one meaning: --prompt (serve has no -p; it points to --port)', async () => {
    const r = await runCli(['serve', '-p', '8000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown flag -p .*--port/);
  });

  it('train --help shows one default for --lr_decay_iters and documents --no-bias', async () => {
    const r = await runCli(['train', '--help']);
    const line = r.stdout.split('\n').find((l) => l.includes('--lr_decay_iters')) ?? '';
    assert.equal(line.match(/default/g)?.length, 1, line);
    assert.match(r.stdout, /--\[no-\]bias/);
  });

  it("chat --help describes the 'lines' template of GPT/RNN models", async () => {
    const r = await runCli(['chat', '--help']);
    assert.match(r.stdout, /one message per line/);
  });
});

describe('closest', () => {
  it('finds typos within a third of the length and nothing farther', () => {
    assert.equal(editDistance('ordr', 'order'), 1);
    assert.equal(editDistance('trian', 'train'), 1);
    assert.equal(closest('ordr', ['out', 'order', 'k']), 'order');
    assert.equal(closest('zzzzz', ['order', 'train']), undefined);
  });
});
