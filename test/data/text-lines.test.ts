import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTextLines } from '../../src/data/text-lines.js';
import { LmkitError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';

const dir = tempDir();
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

/** The whole text of a file read through readTextLines (its lines joined again by LF). */
const readTextFile = async (path: string): Promise<string> => {
  const lines: string[] = [];
  for await (const batch of readTextLines(path)) lines.push(...batch);
  return lines.join('\n');
};

describe('readTextLines', () => {
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

  it('says a binary file (an executable, random bytes) looks binary, without the iconv hint', async () => {
    const elf = file('prog', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0xff, 0xfe]));
    let state = 12345;
    const random = Buffer.alloc(4096, 0).map(() => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state >> 16) & 0xff || 1;
    });
    for (const p of [elf, file('random.bin', random)]) {
      await assert.rejects(readTextFile(p), (err: LmkitError) => {
        assert.match(err.message, /looks like a binary file, not text/);
        assert.doesNotMatch(err.hint ?? '', /iconv/);
        return true;
      });
    }
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

  it('joins lines, CRLFs and UTF-8 sequences that straddle chunks, and counts bytes read up to the size', async () => {
    // Chunks are 64 KiB: byte 65,535 is the LF of a CRLF whose CR ends the first chunk, and the second
    // chunk ends inside an 'é' (odd offsets from 65,537 on).
    const lines = [
      'a'.repeat(65_534),
      'x' + 'é'.repeat(40_000),
      ...Array.from({ length: 3000 }, (_, i) => `${i} 你好`),
    ];
    const text = lines.join('\r\n') + '\r\n' + 'y'.repeat(300_000);
    const p = file('big.txt', text);
    let last = [0, 0];
    const batches: string[][] = [];
    for await (const b of readTextLines(p, (done, size) => (last = [done, size]))) batches.push(b);
    assert.ok(batches.length >= 3, `${batches.length} batches`);
    assert.deepEqual(batches.flat(), [...lines, 'y'.repeat(300_000)]);
    assert.deepEqual(batches[0], [lines[0]], 'the CR that ends the first chunk waited for its LF');
    assert.deepEqual(last, [Buffer.byteLength(text), Buffer.byteLength(text)]);
  });

  it('places an invalid byte far into the file by its offset and line', async () => {
    const before = 'ok line\n'.repeat(20_000); // 160,000 bytes: past the first chunks
    const p = file(
      'late.txt',
      Buffer.concat([Buffer.from(before + 'caf'), Buffer.from([0xe9]), Buffer.from(' x\n')]),
    );
    await assert.rejects(readTextFile(p), /invalid byte 0xe9 at byte offset 160003 \(line 20001\)/);
  });

  it('rejects a truncated gzip file', async () => {
    const gz = gzipSync(Buffer.from('the cat sat\n'.repeat(1000)));
    await assert.rejects(
      readTextFile(file('cut.gz', gz.subarray(0, gz.length - 10))),
      /cannot be decompressed/,
    );
  });
});
