import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileMapped } from '../../src/util/map-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lmkit-map-'));

test('readFileMapped returns the bytes readFileSync returns', () => {
  const path = join(dir, 'data.bin');
  const bytes = Buffer.alloc(3 * 4096 + 5);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
  writeFileSync(path, bytes);
  const got = readFileMapped(path);
  assert.equal(got.length, bytes.length);
  assert.ok(got.equals(bytes));
});

test('writes into a mapped file stay private to the process', () => {
  const path = join(dir, 'private.bin');
  writeFileSync(path, Buffer.from('abcdefgh'));
  const got = readFileMapped(path);
  got[0] = 0x7a;
  assert.equal(got.toString('latin1'), 'zbcdefgh');
  assert.equal(readFileSync(path, 'latin1'), 'abcdefgh');
  assert.equal(readFileMapped(path).toString('latin1'), 'abcdefgh');
});

test('empty files and missing files behave as with readFileSync', () => {
  const path = join(dir, 'empty.bin');
  writeFileSync(path, '');
  assert.equal(readFileMapped(path).length, 0);
  assert.throws(() => readFileMapped(join(dir, 'missing.bin')), { code: 'ENOENT' });
});
