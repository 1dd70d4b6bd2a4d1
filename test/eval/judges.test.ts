import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import type { JudgedPrompt } from '../../src/data/preferences/prompts.js';
import { CORRECTNESS, judged, sentimentJudge, type Judge } from '../../src/eval/judges.js';
import { GPTModel } from '../../src/models/gpt.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { labelWithJudges } from '../../src/train/simulated-labeler.js';
import { parsePreferenceJsonl } from '../../src/train/preference-data.js';

describe('judges', () => {
  it('correctness: 1 for the exact answer (surrounding space aside), else half the token F1', () => {
    const meta = { reference: '2 + 3 = 5.' };
    assert.equal(CORRECTNESS.score(' 2 + 3 = 5. ', meta), 1);
    assert.equal(CORRECTNESS.score('2 + 3 = 6.', meta), 2 / 3 / 2);
    assert.equal(CORRECTNESS.score('no', meta), 0);
    assert.throws(() => CORRECTNESS.score('x', {}), /needs a "reference" answer/);
  });

  it('sentiment: AFINN valences summed over words, two-word entries matched first', () => {
    const judge = sentimentJudge(
      new Map([
        ['good', 3],
        ['bad', -3],
        ['bad luck', -2],
        ["can't stand", -3],
      ]),
    );
    assert.equal(judge.score('Good, GOOD day!', {}), 6);
    assert.equal(judge.score('bad luck and bad', {}), -5);
    assert.equal(judge.score("I can't stand it", {}), -3);
  });

  it('a judge giving NaN is an error naming the judge and the prompt', () => {
    const broken: Judge = { name: 'broken', description: '', score: () => NaN };
    assert.throws(
      () => judged(broken, 'x', {}, 'prompts.jsonl line 3'),
      /the broken judge gave NaN for the response to prompts\.jsonl line 3/,
    );
  });
});

describe('simulated labeler', () => {
  it('ranks K samples by the judge, ties grouped and duplicates once, skipping prompts with nothing preferred', async () => {
    const { tokenizer } = addChatTokens(CharTokenizer.train(['abc ']));
    const model = new GPTModel(
      { n_layer: 1, n_head: 1, n_embd: 8, block_size: 32, vocab_size: tokenizer.vocabSize },
      tokenizer,
      3,
    );
    const byLength: Judge = { name: 'correctness', description: '', score: (r) => Math.min(r.length, 3) };
    const constant: Judge = { name: 'sentiment', description: '', score: () => 1 };
    const prompts: JudgedPrompt[] = [
      {
        prompt: [{ role: 'user', content: 'ab' }],
        judge: 'correctness',
        reference: 'x',
        task: 't',
        lang: 'en',
        source: 's',
        license: 'MIT',
      },
      {
        prompt: [{ role: 'user', content: 'ba' }],
        judge: 'sentiment',
        task: 't',
        lang: 'en',
        source: 's',
        license: 'MIT',
      },
    ];
    const out = await labelWithJudges(
      model,
      prompts,
      new Map([
        ['correctness', byLength],
        ['sentiment', constant],
      ]),
      {
        samples: 8,
        maxTokens: 5,
        temperature: 1,
        seed: 1,
        batchSize: 16,
        modelName: 'm',
      },
    );
    assert.equal(out.records.length + out.allTied + out.tooFew, 2);
    assert.equal(out.allTied + out.tooFew >= 1, true, 'the constant judge prefers nothing');
    const [r] = out.records;
    assert.equal(r.labeler, 'judge:correctness');
    assert.equal(new Set(r.responses).size, r.responses.length);
    const levels = r.ranking.map((g) => r.judge_scores[g[0]]);
    assert.deepEqual(
      levels,
      [...levels].sort((a, b) => b - a),
    );
    for (const g of r.ranking) for (const j of g) assert.equal(r.judge_scores[j], r.judge_scores[g[0]]);
    // the record reads back as a ranking
    const [back] = parsePreferenceJsonl(JSON.stringify(r), 'x');
    assert.deepEqual(back.ranking, r.ranking);
    assert.equal(back.meta.labeler, 'judge:correctness');
  });

  it('continues an opening (continue_final_message): samples follow it on its line and are read verbatim', async () => {
    const tokenizer = CharTokenizer.train(['abc \n']); // a newline token and no chat tokens: the lines template
    const model = new GPTModel(
      { n_layer: 1, n_head: 1, n_embd: 8, block_size: 32, vocab_size: tokenizer.vocabSize },
      tokenizer,
      4,
    );
    const seen: string[] = [];
    const spaces: Judge = {
      name: 'sentiment',
      description: '',
      score: (r) => {
        seen.push(r);
        return r.length - r.trimStart().length;
      },
    };
    const opening: JudgedPrompt = {
      prompt: [{ role: 'assistant', content: 'ab' }],
      continue_final_message: true,
      judge: 'sentiment',
      task: 'continuation',
      lang: 'en',
      source: 's',
      license: 'MIT',
    };
    const out = await labelWithJudges(model, [opening, opening, opening], new Map([['sentiment', spaces]]), {
      samples: 8,
      maxTokens: 6,
      temperature: 1,
      seed: 2,
      batchSize: 24,
      modelName: 'm',
    });
    // a leading space is part of the continuation ("ab" + " c..."), not trimmed as a reply line would be
    assert.ok(
      seen.some((t) => t.startsWith(' ')),
      JSON.stringify(seen),
    );
    assert.ok(seen.every((t) => !t.includes('\n')));
    assert.ok(out.records.length > 0);
    for (const r of out.records) {
      assert.equal(r.continue_final_message, true);
      const [back] = parsePreferenceJsonl(JSON.stringify(r), 'x');
      assert.deepEqual(back.prompt, opening.prompt);
    }
  });
});
