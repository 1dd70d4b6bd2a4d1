import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

const GPT = join(ROOT, 'test', 'fixtures', 'checkpoints', 'gpt');

describe('preference training on too little data', () => {
  it('says the held-out split is empty (not that rankings are too long) for the reward model and DPO', async () => {
    const dir = tempDir();
    const prefs = join(dir, 'p.jsonl');
    writeFileSync(
      prefs,
      [
        { prompt: 'the', chosen: 'jury', rejected: 'was' },
        { prompt: 'a', chosen: 'tale', rejected: 'fair' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    for (const objective of ['reward', 'dpo']) {
      const r = await runCli([
        'train',
        '--objective',
        objective,
        '--init',
        GPT,
        '--data',
        prefs,
        '--out',
        join(dir, objective),
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /the validation split of .*p\.jsonl has no rankings/);
      assert.match(r.stderr, /--valid FILE/);
    }
  });
});
