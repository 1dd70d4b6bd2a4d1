/**
 * A reward model's held-out pairwise accuracy, split by task and by the kind of pair: for the correctness
 * judge a right answer against a wrong one (judge score 1 against < 1), or two wrong answers that the
 * judge's token F1 tells apart; for other judges (sentiment) by how far apart the judge put the two
 * (margin 1, 2, 3 or more). Reads rankings written by `lmkit data build-preferences` (their
 * `judge_scores`, `labeler` and `task`).
 *
 *   node dist/bench/rlhf/rm-accuracy.js --model runs/rm/best --data prefs/test.jsonl
 */
import { parseArgs } from 'node:util';
import { RewardModel } from '../../src/models/reward.js';
import { rankingPairs, readPreferenceFile } from '../../src/train/preference-data.js';
import { rewardInput } from '../../src/train/reward-score.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, data: { type: 'string' } } });
if (!values.model || !values.data) {
  process.stderr.write('usage: rm-accuracy.js --model RM_DIR --data prefs.jsonl\n');
  process.exit(2);
}
const rm = RewardModel.load(values.model);
const tally = new Map<string, { right: number; pairs: number }>();
const count = (key: string, right: boolean) => {
  const t = tally.get(key) ?? { right: 0, pairs: 0 };
  t.pairs++;
  if (right) t.right++;
  tally.set(key, t);
};
for (const e of readPreferenceFile(values.data)) {
  const r = rm.score(e.responses.map((y) => rewardInput(rm, e.prompt, y)));
  const scores = e.meta.judge_scores as number[] | undefined;
  for (const [w, l] of rankingPairs(e.ranking)) {
    const right = r[w] > r[l];
    const kind = !scores
      ? 'pair'
      : e.meta.labeler === 'judge:correctness'
        ? scores[w] === 1
          ? 'right vs wrong'
          : 'wrong vs wrong'
        : `judge margin ${scores[w] - scores[l] >= 3 ? '≥ 3' : scores[w] - scores[l]}`;
    count('all', right);
    count(kind, right);
    count(`${String(e.meta.task)}/${String(e.meta.lang)}`, right);
  }
}
process.stdout.write('| pairs | count | accuracy |\n| --- | --- | --- |\n');
for (const [k, t] of [...tally].sort((a, b) =>
  a[0] === 'all' ? -1 : b[0] === 'all' ? 1 : a[0] < b[0] ? -1 : 1,
))
  process.stdout.write(`| ${k} | ${t.pairs} | ${((100 * t.right) / t.pairs).toFixed(1)}% |\n`);
