import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLanguageModel } from '../../src/models/load.js';
import { RewardModel } from '../../src/models/reward.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { modelFilesIn } from '../../src/serve/models.js';
import { scoreResponses } from '../../src/train/reward-score.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** A reward model folder written by test/fixtures/reward/make.mjs, and the rewards it gave then. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'reward');
const RM = join(FIXTURE, 'rm');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  pairs: { prompt: string; response: string }[];
  rewards: number[];
};

describe('a reward model checkpoint written by an earlier build', () => {
  it('loads with its offset and gives the rewards it gave then', () => {
    const rm = RewardModel.load(RM);
    assert.equal(rm.offset, 0.25);
    const got = scoreResponses(
      rm,
      expected.pairs.map((p, i) => ({
        prompt: [{ role: 'user', content: p.prompt }],
        response: p.response,
        where: `pair ${i}`,
      })),
    );
    got.forEach((r, i) => assert.ok(Math.abs(r - expected.rewards[i]) < 1e-6, `pair ${i}: ${r}`));
  });

  it("keeps Hugging Face's GPT2ForSequenceClassification names", () => {
    const names = [...readSafetensors(join(RM, 'model.safetensors')).tensors.keys()];
    assert.ok(names.includes('score.weight'));
    assert.ok(names.includes('transformer.wte.weight'));
    assert.ok(names.includes('transformer.h.1.attn.c_attn.weight'));
  });

  it('is refused by generate with what to do instead, and left out of a served models folder', async () => {
    assert.throws(() => loadLanguageModel(RM), /is a reward model: it scores a response/);
    const r = await runCli(['generate', RM, '--prompt', 'hi']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /lmkit reward/);
    const dir = tempDir();
    cpSync(RM, join(dir, 'rm'), { recursive: true });
    cpSync(join(ROOT, 'test', 'fixtures', 'checkpoints', 'gpt'), join(dir, 'gpt'), { recursive: true });
    const skipped: string[] = [];
    assert.deepEqual(
      modelFilesIn(dir, (p) => skipped.push(p)),
      [join(dir, 'gpt')],
    );
    assert.deepEqual(skipped, [join(dir, 'rm')]);
  });
});
