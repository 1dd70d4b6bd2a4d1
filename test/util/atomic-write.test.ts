import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { tempDir } from '../helpers/paths.js';

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file behind', () => {
    const dir = tempDir();
    const path = join(dir, 'a.txt');
    writeFileAtomic(path, ['old']);
    writeFileAtomic(path, ['new ', new TextEncoder().encode('text')]);
    assert.equal(readFileSync(path, 'utf8'), 'new text');
    assert.deepEqual(readdirSync(dir), ['a.txt']);
  });

  it('creates missing folders, and says which path cannot be written when a file stands in the way', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'x', 'y', 'm.bin'), ['z']);
    assert.equal(readFileSync(join(dir, 'x', 'y', 'm.bin'), 'utf8'), 'z');
    writeFileSync(join(dir, 'file'), '');
    assert.throws(
      () => writeFileAtomic(join(dir, 'file', 'm.bin'), ['z']),
      (e: Error) => e.name === 'LmkitError' && /cannot write .*file\/m\.bin/.test(e.message),
    );
  });

  it('keeps the old file when producing the content fails midway', () => {
    const dir = tempDir();
    const path = join(dir, 'a.txt');
    writeFileAtomic(path, ['old']);
    function* failing() {
      yield 'half';
      throw new Error('out of data');
    }
    assert.throws(() => writeFileAtomic(path, failing()), /out of data/);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['a.txt']);
  });
});
