import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSentences } from '../../src/data/load.js';
import { tempDir } from '../helpers/paths.js';

describe('loadSentences', () => {
  it('reads a file when one of that name exists, in the given format', async () => {
    const dir = tempDir();
    const p = join(dir, 'corpus.txt');
    writeFileSync(p, 'Hello there. How are you?\nFine.\n');
    assert.deepEqual(await loadSentences(p, { format: 'raw' }), ['Hello there.', 'How are you?', 'Fine.']);
    assert.deepEqual(await loadSentences(p, { format: 'lines', lowercase: true }), [
      'hello there. how are you?',
      'fine.',
    ]);
  });

  it('tokenizes raw text before splitting when asked', async () => {
    const first = (await loadSentences('sotu', { tokenize: true, lowercase: true }))[1];
    assert.equal(
      first,
      'the abundant fruits of another year have blessed our country with plenty and with the means of a flourishing commerce .',
    );
  });

  it('a file path wins over a dataset of the same name, a directory does not', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('brown');
      writeFileSync('sotu', 'my own speech\n');
      assert.deepEqual(await loadSentences('sotu'), ['my own speech']);
      assert.equal((await loadSentences('brown')).length, 57340);
    } finally {
      process.chdir(cwd);
    }
  });

  it('loads a dataset, cleans it, then splits it', async () => {
    const test = await loadSentences('brown', { split: 'test', splitScheme: 'mod10', clean: true });
    const raw = await loadSentences('brown', { split: 'test', splitScheme: 'mod10' });
    assert.equal(raw.length, 5734);
    assert.ok(test.length <= raw.length && test.length > 5600, `${test.length} cleaned test sentences`);
    assert.ok(test.every((s) => /^[a-z]{3,}( [a-z]{3,})*$/.test(s)));
  });

  it('a name that is neither a file nor a dataset lists the datasets', async () => {
    await assert.rejects(loadSentences('no-such-thing.txt'), (err: Error & { hint?: string }) => {
      assert.match(err.message, /neither a file nor a dataset/);
      assert.match(err.hint ?? '', /brown, sotu/);
      return true;
    });
    await assert.rejects(loadSentences('brown', { split: 'dev' }), /--split must be one of/);
  });
});
