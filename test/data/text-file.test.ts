import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstInvalidUtf8 } from '../../src/data/text-file.js';

describe('firstInvalidUtf8', () => {
  it('accepts valid multi-byte text and finds overlong, surrogate and truncated sequences', () => {
    const valid = Buffer.from('aé你😀', 'utf8');
    assert.equal(firstInvalidUtf8(valid), valid.length);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0xaf])), 1);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xe4, 0xbd])), 1);
  });
});
