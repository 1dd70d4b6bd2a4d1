import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandHelp, parseArgs, type CommandSpec } from '../../src/cli/args.js';
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
  run: async () => 0,
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
});
