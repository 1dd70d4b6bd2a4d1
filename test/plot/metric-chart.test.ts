import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
});
