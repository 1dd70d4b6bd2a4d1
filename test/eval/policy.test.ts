import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scorePolicy } from '../../src/eval/policy.js';
import type { LanguageModel } from '../../src/lm.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { tempDir } from '../helpers/paths.js';

const tokenizer = CharTokenizer.train(['ab?\n']);
const [A, B, NL] = ['a', 'b', '\n'].map((c) => tokenizer.encode(c)[0]);

/** A line-prompted model whose reply is one letter, 'a' with probability `pa`, else 'b', then a line break. */
function letter(pa: number): LanguageModel {
  return {
    kind: 'scripted',
    tokenizer,
    contextLength: Infinity,
    start() {
      let i = 0;
      return {
        logProbs() {
          const lp = new Float32Array(tokenizer.vocabSize).fill(-Infinity);
          if (i === 0) [lp[A], lp[B]] = [Math.log(pa), Math.log(1 - pa)];
          else lp[NL] = 0;
          return lp;
        },
        push() {
          i++;
        },
      };
    },
  };
}

describe('scoring a policy on judged prompts', () => {
  it('samples once per prompt and gives the gold score, exact match and the KL to the reference', async () => {
    const file = join(tempDir(), 'prompts-test.jsonl');
    const prompt = { prompt: [{ role: 'user', content: 'a?' }], judge: 'correctness', reference: 'a' };
    writeFileSync(file, Array.from({ length: 400 }, () => JSON.stringify(prompt)).join('\n') + '\n');
    const r = await scorePolicy(letter(0.75), file, { reference: letter(0.5), maxTokens: 5, seed: 1 });
    assert.equal(r.prompts, 400);
    // every reply is 'a' (gold 1) or 'b' (gold 0: no token in common), so gold = exact = share of 'a'
    assert.equal(r.gold, r.exact);
    assert.ok(Math.abs(r.exact - 0.75) < 0.07, `about 3 in 4 replies are 'a' (${r.exact})`);
    // KL per response: ln(0.75/0.5) for each 'a', ln(0.25/0.5) for each 'b'; the line break adds nothing
    const expected = r.exact * Math.log(1.5) + (1 - r.exact) * Math.log(0.5);
    assert.ok(Math.abs((r.kl as number) - expected) < 1e-6, `${r.kl} vs ${expected}`);
    assert.equal(r.response_tokens, 2, 'the letter and the end of the turn');
    assert.deepEqual(
      r.samples.map((s) => s.prompt),
      ['a?', 'a?', 'a?'],
    );
    // the same seed gives the same responses; without a reference there is no KL
    const again = await scorePolicy(letter(0.75), file, { maxTokens: 5, seed: 1 });
    assert.equal(again.gold, r.gold);
    assert.equal(again.kl, undefined);
  });

  it('refuses prompts that name no judge', async () => {
    const file = join(tempDir(), 'prompts.jsonl');
    writeFileSync(file, JSON.stringify({ prompt: 'a?' }) + '\n');
    await assert.rejects(scorePolicy(letter(0.5), file, { maxTokens: 5, seed: 1 }), /line 1 names no judge/);
  });
});
