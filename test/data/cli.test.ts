import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getDataset } from '../../src/data/datasets.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const tang300 = getDataset('tang300');

describe('lmkit data', () => {
  it('list shows every dataset with its license and install state', async () => {
    const r = await runCli(['data', 'list']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^NAME +LANG +SENTENCES/);
    assert.match(r.stdout, /brown +en +57,340 +1,161,192/);
    const json = JSON.parse((await runCli(['data', 'list', '--json'])).stdout) as {
      name: string;
      installed: boolean;
    }[];
    assert.deepEqual(
      json.map((d) => d.name),
      ['brown', 'sotu', 'tang300', 'fortunes-zh', 'tang', 'spam', 'poem-era'],
    );
    assert.equal(json[0].installed, true);
  });

  it('show gives license, measured size, a sample and the splits', async () => {
    const r = await runCli(['data', 'show', 'brown', '--sample', '2']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /license: +redistribution permitted/);
    assert.match(r.stdout, /size: +57,340 sentences, 1,161,192 words/);
    assert.match(r.stdout, /splits: +bengio \(default\), mod10/);
    assert.match(r.stdout, /form: +a sentence list: every model reads its sentences, one a line/);
    assert.match(r.stdout, /sample:\n {2}The Fulton County Grand Jury said Friday/);
    const json = JSON.parse((await runCli(['data', 'show', 'brown', '--json'])).stdout) as {
      size: { sentences: number };
      sample: string[];
    };
    assert.equal(json.size.sentences, 57340);
    assert.equal(json.sample.length, 3);
  });

  it('export writes one sentence per line and reports what it wrote', async () => {
    const out = join(tempDir(), 'valid.txt');
    const r = await runCli(['data', 'export', 'brown', '--split', 'valid', '--lowercase', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*valid\.txt: 11,690 sentences, 200,021 words/);
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.equal(lines.length, 11691);
    assert.equal(lines[0], lines[0].toLowerCase());
    const j = await runCli([
      'data',
      'export',
      'brown',
      '--scheme',
      'mod10',
      '--split',
      'test',
      '--out',
      out,
      '--json',
    ]);
    assert.deepEqual(JSON.parse(j.stdout), { out, sentences: 5734, words: 115685, characters: 496318 });
    const first = readFileSync(out, 'utf8').split('\n').slice(0, 3);
    const m = await runCli([
      'data',
      'export',
      'brown',
      '--scheme',
      'mod10',
      '--split',
      'test',
      '--max-sentences',
      '3',
      '--out',
      out,
    ]);
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(
      readFileSync(out, 'utf8').split('\n'),
      [...first, ''],
      'the first 3 sentences of the split',
    );
  });

  it(
    'vocab writes a tokenizer file',
    { skip: !tang300.installed() && 'fortunes-zh is not installed' },
    async () => {
      const out = join(tempDir(), 'tok.json');
      const r = await runCli(['data', 'vocab', 'tang300', '--level', 'char', '--out', out, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const tok = JSON.parse(readFileSync(out, 'utf8')) as { kind: string };
      assert.equal(tok.kind, 'char');
      assert.ok((JSON.parse(r.stdout) as { vocabSize: number }).vocabSize > 1000);
    },
  );

  it('install knows what is already there', async () => {
    const r = await runCli(['data', 'install', 'brown']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /brown is already installed/);
  });

  it('errors are one line with a non-zero exit code', async () => {
    for (const args of [
      ['data', 'show', 'nope'],
      ['data', 'export', 'brown'],
      ['data', 'export', 'missing-file.txt', '--out', join(tempDir(), 'x')],
      ['data', 'export', 'sotu', '--split', 'valid', '--out', join(tempDir(), 'x')],
      ['data', 'export', 'brown', '--split', 'dev', '--out', join(tempDir(), 'x')],
    ]) {
      const r = await runCli(args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, /^lmkit: error: [^\n]+\n$/, args.join(' '));
    }
    assert.match(
      (await runCli(['data', 'show', 'nope'])).stderr,
      /unknown dataset 'nope' \(known datasets: brown, sotu/,
    );
  });
});
