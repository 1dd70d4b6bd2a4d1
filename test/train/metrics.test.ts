import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MetricsLog } from '../../src/train/metrics.js';
import { tempDir } from '../helpers/paths.js';

describe('metrics log', () => {
  it('on resume keeps the records up to the step and drops a line a kill cut short mid-write', () => {
    const path = join(tempDir(), 'metrics.jsonl');
    writeFileSync(
      path,
      '{"type":"train","step":1}\n{"type":"train","step":2}\n{"type":"train","step":3}\n{"type":"tra',
    );
    new MetricsLog(path).truncateAfter(2);
    assert.equal(readFileSync(path, 'utf8'), '{"type":"train","step":1}\n{"type":"train","step":2}\n');
  });
});
