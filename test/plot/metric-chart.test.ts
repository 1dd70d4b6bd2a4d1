import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { metricChart } from '../../src/plot/metric-chart.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

describe('metric chart', () => {
  it('draws a key per step (window means, dashed) and its valid_ value per evaluation (solid)', async () => {
    const dir = tempDir();
    const lines = [
      { type: 'eval', step: 0, valid_reward: 0.1, valid_kl: 0 },
      ...[1, 2, 3, 4].map((step) => ({ type: 'train', step, reward: step / 10, kl: step })),
      { type: 'eval', step: 4, valid_reward: 0.5, valid_kl: 3 },
    ];
    writeFileSync(join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const chart = metricChart([dir], ['reward', 'kl'], { smooth: 2 });
    assert.deepEqual(
      chart.series.map((s) => [s.label, s.dashed ?? false]),
      [
        ['reward (per step)', true],
        ['reward (held out)', false],
        ['kl (per step)', true],
        ['kl (held out)', false],
      ],
    );
    assert.deepEqual(chart.series[0].points, [
      [2, 0.15000000000000002],
      [4, 0.35],
    ]);
    assert.deepEqual(chart.series[3].points, [
      [0, 0],
      [4, 3],
    ]);
    assert.throws(() => metricChart([dir], ['gold']), /has no "gold"/);
    const r = await runCli(['plot', dir, '--metric', 'reward', '--out', join(dir, 'p.svg')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*p\.svg: 2 curves/);
  });

  it('--panels: one chart per metric side by side, each with its own axis, the runs overlaid', async () => {
    const dirs = [tempDir(), tempDir()];
    dirs.forEach((dir, run) =>
      writeFileSync(
        join(dir, 'metrics.jsonl'),
        [1, 2, 3]
          .map((step) => JSON.stringify({ type: 'train', step, gold: step + run, kl: 100 * step }))
          .join('\n') + '\n',
      ),
    );
    const out = join(dirs[0], 'panels.svg');
    const r = await runCli(['plot', ...dirs, '--metric', 'gold', '--metric', 'kl', '--panels', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(out, 'utf8');
    assert.equal(svg.match(/<svg class="panel"/g)?.length, 2);
    assert.match(svg, /<svg class="panel" x="560" y="0" width="560"/);
    // each panel has its own y axis: the gold panel's top tick is small, the KL panel's in the hundreds
    const [gold, kl] = svg.split('<svg class="panel"').slice(1);
    assert.match(gold, />gold</);
    assert.doesNotMatch(gold, />300</);
    assert.match(kl, />300</);
    assert.equal(gold.match(/class="series"/g)?.length, 2); // the two runs
    const bad = await runCli(['plot', dirs[0], '--metric', 'gold', '--panels']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--panels draws one chart per --metric/);
  });
});
