import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

function textFile(text: string): string {
  const path = join(tempDir(), 'text.txt');
  writeFileSync(path, text);
  return path;
}

describe('lmkit generate', () => {
  it('samples from an n-gram model file too', async () => {
    const dir = tempDir();
    const data = textFile('the cat sat\nthe dog sat\n'.repeat(5));
    const model = join(dir, 'm.arpa');
    assert.equal((await runCli(['ngram', 'train', data, '--order', '2', '--out', model])).code, 0);
    const r = await runCli(['generate', model, '--prompt', 'the', '--n', '3', '--seed', '1']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 6);
    lines.forEach((l, i) =>
      assert.match(
        l,
        i % 2 === 0
          ? new RegExp(`^--- sample ${i / 2 + 1}/3, prompt "the", seed ${i / 2 + 1} ---$`)
          : /^the( (the|cat|dog|sat))+$/,
      ),
    );
    assert.equal(r.stderr, '', 'no warning: the model knows every prompt word');
  });

  it('warns once about prompt words the model never saw (read as <unk>)', async () => {
    const dir = tempDir();
    const data = textFile('the cat sat\nthe dog sat\n'.repeat(5));
    const model = join(dir, 'm.arpa');
    assert.equal((await runCli(['ngram', 'train', data, '--order', '2', '--out', model])).code, 0);
    const r = await runCli(['generate', model, '-p', 'the zebra', '-p', 'a zebra', '--seed', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      'lmkit: warning: the model never saw "zebra", "a" (in the prompt): each is read as <unk>\n',
    );
  });

  it("prepares prompts as the model's training text was (here: lowercased)", async () => {
    const dir = tempDir();
    const data = textFile('The cat sat\nThe dog sat\n'.repeat(5));
    const model = join(dir, 'm.bin');
    const train = await runCli(['ngram', 'train', data, '--order', '2', '--lowercase', '--out', model]);
    assert.equal(train.code, 0, train.stderr);
    const r = await runCli(['generate', model, '--prompt', 'THE DOG', '--temperature', '0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.prompt, 'the dog');
    assert.equal(out.text, 'the dog sat');
  });

  it('names a model path that does not exist', async () => {
    const r = await runCli(['generate', join(tempDir(), 'nope')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /model .*nope does not exist/);
  });
});
