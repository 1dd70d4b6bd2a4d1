import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHINESE_POETRY } from '../../src/data/chinese.js';
import { isCachedPackageInstalled } from '../../src/data/packages.js';
import { loadSentences } from '../../src/data/load.js';
import { correctnessPrompts, isTestPrompt, openingPrompts } from '../../src/data/preferences/prompts.js';
import { parsePreferenceJsonl, parsePromptJsonl } from '../../src/train/preference-data.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

describe('build-preferences', () => {
  it('correctness prompts end in a user turn and carry their exact answer; the split is a hash of the prompt', async () => {
    const prompts = await correctnessPrompts(['en', 'zh'], 40);
    assert.equal(prompts.length, 80);
    for (const p of prompts) {
      assert.equal(p.prompt[p.prompt.length - 1].role, 'user');
      assert.ok(p.reference && p.judge === 'correctness' && p.license);
    }
    const followup = prompts.find((p) => p.task === 'arithmetic-followup')!;
    assert.equal(followup.prompt.length, 3);
    assert.equal(
      isTestPrompt(prompts[0].prompt),
      isTestPrompt(JSON.parse(JSON.stringify(prompts[0].prompt))),
    );
    const tested = prompts.filter((p) => isTestPrompt(p.prompt)).length;
    assert.ok(tested > 0 && tested < 20, `${tested} of 80 test prompts`);
  });

  it("opening prompts: 2-4 opening words of the last tenth of a corpus's sentences, for the model to continue", async () => {
    const prompts = await openingPrompts('sotu', 50);
    assert.equal(prompts.length, 50);
    const sentences = await loadSentences('sotu');
    const held = new Set(sentences.slice(Math.floor(sentences.length * 0.9)));
    for (const p of prompts) {
      assert.equal(p.prompt.length, 1);
      assert.equal(p.prompt[0].role, 'assistant');
      assert.equal(p.continue_final_message, true);
      assert.equal(p.judge, 'sentiment');
      assert.match(p.license, /CC0/);
      const words = p.prompt[0].content.split(' ');
      assert.ok(words.length >= 2 && words.length <= 4, p.prompt[0].content);
      // it opens a held-out sentence, and that sentence goes on
      assert.ok([...held].some((s) => s.startsWith(p.prompt[0].content + ' ')));
    }
    assert.equal(new Set(prompts.map((p) => p.prompt[0].content)).size, 50);
  });

  it('CLI: refuses K above 9 and a judge without a model', async () => {
    let r = await runCli(['data', 'build-preferences', '--model', 'x', '--samples', '10']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--samples must be at most 9/);
    r = await runCli(['data', 'build-preferences', '--judge', 'correctness']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--judge ranks a model's samples: give --model DIR/);
    r = await runCli(['data', 'build-preferences', '--model', 'x', '--openings', 'sotu']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--openings gives the sentiment judge's prompts: add --judge sentiment/);
  });

  it(
    "writes the Tang poems' expert pairs with labeler, source and license, readable as preference data",
    {
      skip: isCachedPackageInstalled(CHINESE_POETRY.name, CHINESE_POETRY.version)
        ? false
        : 'chinese-poetry is not in the lmkit cache',
    },
    async () => {
      const out = join(tempDir(), 'prefs');
      const r = await runCli(['data', 'build-preferences', '--out', out, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const train = parsePreferenceJsonl(readFileSync(join(out, 'train.jsonl'), 'utf8'), 'train');
      const test = parsePreferenceJsonl(readFileSync(join(out, 'test.jsonl'), 'utf8'), 'test');
      assert.ok(train.length > 150 && test.length > 5);
      for (const e of [...train, ...test]) {
        assert.match(String(e.meta.labeler), /^expert-selection/);
        assert.equal(e.meta.source, 'tang300');
        assert.equal(e.meta.license, 'MIT (npm chinese-poetry)');
        assert.notEqual(e.responses[0], e.responses[1]);
      }
      assert.throws(
        () => parsePromptJsonl(readFileSync(join(out, 'prompts-train.jsonl'), 'utf8'), 'p'),
        /holds no examples/,
      );
    },
  );
});
