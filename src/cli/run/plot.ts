/** What `lmkit plot` does when it runs (its flags and help are in ../plot.ts). */
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { lossChart, readRunCurves, renderSvg } from '../../plot/svg.js';
import { metricChart } from '../../plot/metric-chart.js';
import { renderPanels } from '../../plot/panels.js';

import { UsageError } from '../../errors.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit plot`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const dirs = a.rest('RUN_DIR');
  const keys = a.list('metric');
  if (a.bool('panels') && keys.length < 2)
    throw new UsageError('--panels draws one chart per --metric: give two or more --metric keys');
  const runs = keys.length ? [] : dirs.map(readRunCurves);
  const chart = keys.length
    ? metricChart(dirs, keys, { smooth: a.number('smooth'), title: a.string('title') })
    : lossChart(runs, {
        x: a.string('x') as 'step' | 'time',
        smooth: a.number('smooth'),
        title: a.string('title'),
      });
  const out = a.string('out') ?? join(dirs[0].endsWith('.jsonl') ? dirname(dirs[0]) : dirs[0], 'plot.svg');
  const panels = a.bool('panels')
    ? keys.map((k) => metricChart(dirs, [k], { smooth: a.number('smooth'), title: k }))
    : undefined;
  writeFileAtomic(out, [panels ? renderPanels(panels) : renderSvg(chart)]);
  const summary = {
    out,
    runs: keys.length
      ? dirs
      : runs.map((r) => ({ name: r.name, steps: r.train.length, evals: r.evals.length })),
    series: chart.series.length,
  };
  if (a.json) io.stdout.write(JSON.stringify(summary) + '\n');
  else io.stderr.write(`wrote ${out}: ${chart.series.length} curves from ${dirs.length} run(s)\n`);
}
