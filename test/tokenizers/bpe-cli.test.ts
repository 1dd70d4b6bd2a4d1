import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const dir = tempDir();
const corpus = join(dir, 'corpus.txt');
const out = join(dir, 'tokenizer.json');
writeFileSync(
  corpus,
  Array.from({ length: 200 }, (_, i) => `the lower newest widest ${i} 低头思故乡 ${i % 7}`).join('\n') + '\n',
);

describe('lmkit tokenizer', () => {
  it('trains a BPE from a file and writes a tokenizer.json with the special tokens last', async () => {
    const r = await runCli([
      'tokenizer',
      'train',
      corpus,
      '--vocab-size',
      '300',
      '--special',
      '<|endoftext|>,<|user|>',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const facts = JSON.parse(r.stdout);
    assert.equal(facts.vocabSize, 300);
    assert.equal(facts.merges, 42);
    assert.equal(facts.sentences, 200);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(json.model.type, 'BPE');
    assert.deepEqual(
      json.added_tokens.map((t: { content: string; id: number }) => [t.content, t.id]),
      [
        ['<|endoftext|>', 298],
        ['<|user|>', 299],
      ],
    );
  });

  it('encodes text and standard input, and decodes back exactly', async () => {
    const text = 'the newest 低头 🐼\n\n  tabs\tend\n';
    const enc = await runCli(['tokenizer', 'encode', out], text);
    assert.equal(enc.code, 0, enc.stderr);
    const dec = await runCli(['tokenizer', 'decode', out, '--no-newline'], enc.stdout);
    assert.equal(dec.stdout, text);
    assert.equal((await runCli(['tokenizer', 'decode', out], enc.stdout)).stdout, text + '\n');
    const arg = await runCli(['tokenizer', 'encode', out, 'the newest']);
    assert.equal(arg.stdout, (await runCli(['tokenizer', 'encode', out], 'the newest')).stdout);
  });

  it('encodes with the built-in gpt2 tokenizer, tokens in JSON, special tokens only when allowed', async () => {
    const plain = await runCli(['tokenizer', 'encode', 'gpt2', 'Hello world<|endoftext|>']);
    assert.equal(plain.stdout, '15496 995 27 91 437 1659 5239 91 29\n');
    const j = await runCli([
      'tokenizer',
      'encode',
      'gpt2',
      'Hello world<|endoftext|>',
      '--allow-special',
      '--json',
    ]);
    assert.deepEqual(JSON.parse(j.stdout), {
      ids: [15496, 995, 50256],
      tokens: ['Hello', 'Ġworld', '<|endoftext|>'],
      pieces: ['Hello', ' world', ''],
    });
    // 你 and 好 take two tokens each: their pieces are cut UTF-8 characters.
    const zh = JSON.parse((await runCli(['tokenizer', 'encode', 'gpt2', '--json', '你好 café'])).stdout);
    assert.deepEqual(zh.tokens, ['ä½', 'ł', 'å¥', '½', 'ĠcafÃ©']);
    assert.deepEqual(zh.pieces, ['\ufffd', '\ufffd', '\ufffd', '\ufffd', ' café']);
    const d = await runCli(['tokenizer', 'decode', 'gpt2', '[15496,', '995,', '50256]', '--keep-special']);
    assert.equal(d.stdout, 'Hello world<|endoftext|>\n');
    assert.equal((await runCli(['tokenizer', 'decode', 'gpt2', '15496', '50256'])).stdout, 'Hello\n');
  });

  it('shows vocabulary size, special tokens and merges', async () => {
    const r = await runCli(['tokenizer', 'show', 'gpt2', '--merges', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /vocabulary: {2}50,257 tokens/);
    assert.match(r.stdout, /special: {5}<\|endoftext\|>=50256/);
    assert.match(r.stdout, /0 {2}Ġ \+ t → Ġt \(256\) " t"/);
    const j = JSON.parse((await runCli(['tokenizer', 'show', out, '--json'])).stdout);
    assert.equal(j.merges, 42);
    assert.equal(j.firstMerges.length, 10);
  });

  it('works with word and character tokenizer files too', async () => {
    const vocab = join(dir, 'chars.json');
    assert.equal((await runCli(['data', 'vocab', corpus, '--level', 'char', '--out', vocab])).code, 0);
    const enc = await runCli(['tokenizer', 'encode', vocab, 'the']);
    assert.equal(enc.code, 0, enc.stderr);
    assert.equal(
      (await runCli(['tokenizer', 'decode', vocab, ...enc.stdout.trim().split(' ')])).stdout,
      'the\n',
    );
    const special = await runCli(['tokenizer', 'encode', vocab, 'x', '--allow-special']);
    assert.equal(special.code, 2);
    assert.match(special.stderr, /--allow-special applies to BPE tokenizers/);
  });

  it('fails with one clear line and a non-zero code', async () => {
    const cases: [string[], number, RegExp][] = [
      [['tokenizer', 'train', corpus, '--out', out], 2, /needs --vocab-size N and --out FILE/],
      [['tokenizer', 'train', corpus, '--vocab-size', '100', '--out', out], 2, /at least 257/],
      [
        ['tokenizer', 'train', 'no-such-corpus', '--vocab-size', '300', '--out', out],
        1,
        /neither a file nor a dataset/,
      ],
      [['tokenizer', 'encode', 'no-such.json', 'x'], 1, /tokenizer not found: no-such.json/],
      [['tokenizer', 'decode', 'gpt2', '12', 'x'], 2, /not a token id: 'x'/],
      [
        ['tokenizer', 'decode', 'gpt2', '50257'],
        1,
        /token id 50257 is outside the vocabulary \(0\.\.50256\)/,
      ],
      [['tokenizer', 'show', corpus], 1, /is not valid JSON/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, code, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
