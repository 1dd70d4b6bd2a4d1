/** `lmkit speedrun`: every stage from a raw corpus to a served assistant in one command and one budget, then a report card. */
import { parseDuration } from '../speedrun/budget.js';
import { runSpeedrun } from '../speedrun/run.js';
import { stageTable, type SpeedrunLang } from '../speedrun/stages.js';
import type { CommandGroup } from './args.js';

const list = (values: string[]) => values.flatMap((v) => v.split(',')).filter(Boolean);

/** The speedrun command. */
export const SPEEDRUN: CommandGroup = {
  name: 'speedrun',
  summary:
    'the whole road in one command: data, tokenizers, n-grams, NPLM, RNN, GPT, SFT, RM, DPO, PPO, report',
  command: {
    name: 'speedrun',
    summary:
      'run every stage from a raw corpus to a served assistant within a time budget, then write a report card',
    details:
      `Stages, in order: ${stageTable()
        .map((s) => s.name)
        .join(', ')}.\n` +
      'Each runs as lmkit commands in child processes; OUT/STAGE/done.json marks a finished stage (written last).\n' +
      "The budget is wall-clock time, divided as each stage starts: the time left times the stage's weight over\n" +
      'the weights of the stages still to run; a training stage stops on time (train --max-time) and checkpoints.\n' +
      'Ends with OUT/report.md and OUT/report.html, and the command that serves the assistant.',
    json: true,
    flags: [
      {
        name: 'budget',
        type: 'string',
        value: 'DURATION',
        default: '30m',
        description: 'wall-clock budget of the whole run (e.g. 5m, 30m, 1h); 5m gives a complete, weak run',
      },
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        default: 'runs/speedrun',
        description: 'where everything goes',
      },
      {
        name: 'lang',
        type: 'string',
        choices: ['en', 'zh', 'both'],
        default: 'both',
        description: 'English (Brown), Chinese (fortunes-zh) or both; instructions and prompts follow',
      },
      {
        name: 'data',
        type: 'string',
        value: 'FILE',
        description: 'your own corpus instead of the built-in ones',
      },
      {
        name: 'only',
        type: 'string',
        value: 'STAGES',
        repeatable: true,
        description: 'run only these stages (comma-separated)',
      },
      {
        name: 'skip',
        type: 'string',
        value: 'STAGES',
        repeatable: true,
        description: 'leave these stages out (and those needing them)',
      },
      {
        name: 'resume',
        type: 'boolean',
        description: 'continue the run in --out: finished stages are reused (its settings too)',
      },
    ],
    positionals: [],
    async run(a, io) {
      const out = a.string('out') as string;
      const s = await runSpeedrun({
        out,
        budget: parseDuration(a.string('budget') as string),
        lang: a.string('lang') as SpeedrunLang,
        data: a.string('data'),
        only: list(a.list('only')),
        skip: list(a.list('skip')),
        resume: a.bool('resume'),
        log: io.stderr,
        tiny: process.env.LMKIT_SPEEDRUN_TINY === '1', // test-only: one-layer models, tiny data
      });
      if (a.json) io.stdout.write(JSON.stringify({ out, ...s }) + '\n');
      else {
        io.stdout.write(
          `speedrun finished in ${(s.seconds / 60).toFixed(1)} min: ${s.ran.length} stage(s) run` +
            (s.reused.length ? `, ${s.reused.length} reused` : '') +
            (s.skipped.length ? `, skipped ${s.skipped.join(', ')}` : '') +
            `\nreport: ${out}/report.md and ${out}/report.html\n`,
        );
        if (s.assistant) io.stdout.write(`serve the assistant: lmkit serve ${s.assistant}\n`);
      }
    },
  },
};
