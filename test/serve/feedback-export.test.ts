import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { exportFeedback, feedbackStats } from '../../src/serve/store/feedback-export.js';
import { FeedbackStore } from '../../src/serve/store/feedback.js';
import { parsePreferenceJsonl } from '../../src/train/preference-data.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/**
 * A history with every kind of feedback: conversation 1 compares m1's and m2's replies (A chosen), and
 * thumbs A up; conversation 2 has three replies by m1 (thumb up, thumb down, none), a tie, a pending
 * comparison and a "both bad".
 */
function history(path = ':memory:'): ConversationStore {
  const store = new ConversationStore(openDatabase(path));
  const f = new FeedbackStore(store);
  const c1 = store.create();
  store.add(c1.id, { role: 'system', content: 'Be kind.' });
  const q1 = store.add(c1.id, { role: 'user', content: 'Say something cheerful.' });
  const a = store.add(c1.id, {
    role: 'assistant',
    content: 'What a lovely day!',
    parentId: q1.id,
    model: 'm1',
    params: { seed: 1 },
  });
  const b = store.add(c1.id, {
    role: 'assistant',
    content: 'It rains.',
    parentId: q1.id,
    model: 'm2',
    params: { seed: 1 },
  });
  f.decide(c1.id, f.compare(c1.id, q1, a, b).id, 'a');
  f.rate(c1.id, a.id, 1);

  const c2 = store.create();
  const q2 = store.add(c2.id, { role: 'user', content: 'What is 2 + 2?' });
  const r1 = store.add(c2.id, { role: 'assistant', content: '4', parentId: q2.id, model: 'm1' });
  const r2 = store.add(c2.id, { role: 'assistant', content: '5', parentId: q2.id, model: 'm1' });
  const r3 = store.add(c2.id, { role: 'assistant', content: 'four', parentId: q2.id, model: 'm1' });
  f.rate(c2.id, r1.id, 1);
  f.rate(c2.id, r2.id, -1);
  f.decide(c2.id, f.compare(c2.id, q2, r1, r3).id, 'tie');
  f.compare(c2.id, q2, r2, r3);
  f.decide(c2.id, f.compare(c2.id, q2, r2, r3).id, 'both_bad');
  return store;
}

describe('feedback export', () => {
  it('makes pairs from chosen comparisons and thumbs on siblings, and unpaired examples from every thumb', () => {
    const store = history();
    const e = exportFeedback(store, 'h.db');
    assert.deepEqual(e.skipped, { pending: 1, ties: 1, bothBad: 1, empty: 0 });
    assert.deepEqual(
      e.pairs.map((p) => [p.chosen[0].content, p.rejected[0].content, p.labeler]),
      [
        ['What a lovely day!', 'It rains.', 'human: web UI comparison'],
        ['4', '5', 'human: web UI thumbs on two replies'],
      ],
    );
    assert.deepEqual(e.pairs[0].prompt, [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Say something cheerful.' },
    ]);
    assert.equal(e.pairs[0].chosen_model, 'm1');
    assert.equal(e.pairs[0].rejected_model, 'm2');
    assert.deepEqual(e.pairs[0].chosen_params, { seed: 1 });
    // the thumbs (3) and both replies of the "both bad" (2)
    assert.deepEqual(
      e.unpaired.map((u) => [u.completion[0].content, u.label]),
      [
        ['5', false],
        ['four', false],
        ['What a lovely day!', true],
        ['4', true],
        ['5', false],
      ],
    );
    // what the reward model and DPO read
    const read = parsePreferenceJsonl(e.pairs.map((p) => JSON.stringify(p)).join('\n'), 'prefs.jsonl');
    assert.equal(read.length, 2);
    assert.deepEqual(read[1].responses, ['4', '5']);
    assert.deepEqual(read[1].ranking, [[0], [1]]);
    assert.equal(read[0].meta.labeler, 'human: web UI comparison');
    store.db.close();
  });

  it('counts thumbs and comparisons per model and head to head', () => {
    const store = history();
    const s = feedbackStats(store);
    assert.equal(s.conversations, 2);
    assert.equal(s.replies, 5);
    assert.equal(s.thumbsUp, 2);
    assert.equal(s.thumbsDown, 1);
    assert.deepEqual(s.comparisons, { decided: 3, pending: 1, a: 1, b: 0, tie: 1, both_bad: 1 });
    const m1 = s.models.find((m) => m.model === 'm1');
    assert.deepEqual(
      { ...m1 },
      { model: 'm1', replies: 4, thumbsUp: 2, thumbsDown: 1, wins: 1, losses: 0, ties: 2, bothBad: 2 },
    );
    assert.deepEqual(s.headToHead, [{ models: ['m1', 'm2'], wins: [1, 0], ties: 0, bothBad: 0 }]);
    store.db.close();
  });

  it('runs as lmkit feedback export and stats, and says what to do without a history', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.db');
    history(db).db.close();
    const out = join(dir, 'prefs.jsonl');
    const kto = join(dir, 'kto.jsonl');
    const r = await runCli(['feedback', 'export', '--db', db, '--out', out, '--unpaired', kto, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).pairs, 2);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 2);
    assert.equal(readFileSync(kto, 'utf8').trim().split('\n').length, 5);
    const stats = await runCli(['feedback', 'stats', '--db', db]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /thumbs 2 up, 1 down/);
    assert.match(stats.stdout, /m1 vs m2: 1–0/);

    const missing = join(dir, 'none.db');
    const m = await runCli(['feedback', 'export', '--db', missing, '--out', out]);
    assert.notEqual(m.code, 0);
    assert.match(m.stderr, /no chat history at/);
    assert.ok(!existsSync(missing), 'exporting does not create an empty history');
    const noOut = await runCli(['feedback', 'export', '--db', db]);
    assert.notEqual(noOut.code, 0);
    assert.match(noOut.stderr, /--out FILE is required/);
  });
});
