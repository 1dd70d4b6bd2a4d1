/** `lmkit plot`: training and validation loss curves of one or more runs as a standalone SVG. */
import type { CommandGroup } from './args.js';

/** The plot command. */
export const PLOT: CommandGroup = {
  name: 'plot',
  summary: 'draw the loss curves of training runs (metrics.jsonl) as an SVG',
  command: {
    name: 'plot',
    summary: 'draw the loss curves of training runs (metrics.jsonl) as an SVG',
    details:
      "Each RUN_DIR is an 'lmkit train --out' folder (or its metrics.jsonl). Per run, the training loss of each\n" +
      'step (averaged over --smooth steps, dashed) and the validation loss of each evaluation (solid) share a\n' +
      'color; several runs are overlaid. --x time plots against seconds of training (evaluation excluded).\n' +
      "--metric KEY (repeatable) plots any logged figure instead: per step dashed, the evaluations' valid_KEY\n" +
      'solid (a PPO run: --metric reward --metric kl --metric gold; a reward model: --metric valid_accuracy).\n' +
      'With --panels each --metric gets its own chart and axis, side by side, the runs overlaid in each.',
    json: true,
    flags: [
      {
        name: 'out',
        short: 'o',
        type: 'string',
        value: 'FILE.svg',
        description: 'where to write the SVG (default: plot.svg in the first run)',
      },
      { name: 'x', type: 'string', choices: ['step', 'time'], default: 'step', description: 'x axis' },
      {
        name: 'smooth',
        type: 'integer',
        min: 1,
        description: 'average training loss over this many steps (default ~1% of the run)',
      },
      { name: 'title', type: 'string', description: 'chart title' },
      {
        name: 'metric',
        type: 'string',
        repeatable: true,
        value: 'KEY',
        description: 'plot this metrics.jsonl key instead of the losses (repeatable)',
      },
      {
        name: 'panels',
        type: 'boolean',
        description: 'one chart per --metric side by side, each with its own axis',
      },
    ],
    positionals: [{ name: 'RUN_DIR', description: 'run directories', variadic: true }],
    load: () => import('./run/plot.js').then((m) => m.run),
  },
};
