import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { firstInvalidUtf8, readTextFile } from '../../src/data/text-file.js';
import { LmkitError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';

const dir = tempDir();
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe('readTextFile', () => {
  it('reads UTF-8, strips a BOM and turns CRLF into LF', async () => {
    const p = file('bom.txt', '\ufeffone\r\ntwo\r\n你好\n');
    assert.equal(await readTextFile(p), 'one\ntwo\n你好\n');
  });

  it('gunzips a file recognised by its magic bytes, whatever its name', async () => {
    const p = file('looks-plain.txt', gzipSync(Buffer.from('the cat sat\n', 'utf8')));
    assert.equal(await readTextFile(p), 'the cat sat\n');
  });

  it('says where the first invalid UTF-8 byte is and how to convert', async () => {
    const p = file('latin1.txt', Buffer.from('line one\ncaf\xe9 au lait\n', 'latin1'));
    await assert.rejects(readTextFile(p), (err: LmkitError) => {
      assert.match(err.message, /not UTF-8 text: invalid byte 0xe9 at byte offset 12 \(line 2\)/);
      assert.match(err.hint ?? '', /iconv -f latin1 -t utf-8/);
      return true;
    });
  });

  it('rejects empty and whitespace-only files', async () => {
    await assert.rejects(readTextFile(file('empty.txt', '')), /is empty/);
    await assert.rejects(readTextFile(file('blank.txt', ' \n\t\n')), /is empty \(only whitespace\)/);
  });

  it('names the path of a missing file, a directory, and an unreadable file', async () => {
    await assert.rejects(readTextFile(join(dir, 'nope.txt')), /file not found: .*nope\.txt/);
    await assert.rejects(readTextFile(dir), /is a directory/);
    if (process.getuid?.() !== 0) {
      const p = file('secret.txt', 'x');
      chmodSync(p, 0o000);
      await assert.rejects(readTextFile(p), /permission denied/);
    }
  });

  it('rejects a corrupt gzip file', async () => {
    const p = file('bad.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
    await assert.rejects(readTextFile(p), /cannot be decompressed/);
  });
});

describe('firstInvalidUtf8', () => {
  it('accepts valid multi-byte text and finds overlong, surrogate and truncated sequences', () => {
    const valid = Buffer.from('aé你😀', 'utf8');
    assert.equal(firstInvalidUtf8(valid), valid.length);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0xaf])), 1);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xe4, 0xbd])), 1);
  });
});
