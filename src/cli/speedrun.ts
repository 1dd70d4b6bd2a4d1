/** `lmkit speedrun`: every stage from a raw corpus to a served assistant in one command and one budget, then a report card. */
import type { CommandGroup } from './args.js';

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
      'Stages, in order: data, tokenizer, kn3, kn5, nplm, rnn, gpt, sft, reward, dpo, ppo, word2vec (ELMo, BERT,\n' +
      'T5 where those kinds exist), evaluation, assistant, report.\n' +
      'Each runs as lmkit commands in child processes; OUT/STAGE/done.json marks a finished stage (written last).\n' +
      "The budget is wall-clock time, divided as each stage starts: the time left times the stage's weight over\n" +
      'the weights of the stages still to run; a training stage stops on time (train --max-time) and checkpoints.\n' +
      'Fixed costs (start-up, data, sampling, scoring) are reserved first and scale with the share; see the README.\n' +
      '--resume continues a stopped run; a --budget given with it is divided among the stages still to run.\n' +
      'Ends with OUT/report.md and OUT/report.html, and the command that serves the assistant.',
    json: true,
    flags: [
      {
        name: 'budget',
        type: 'string',
        value: 'DURATION',
        description:
          'wall-clock budget of the whole run (e.g. 5m, 30m, 1h; default 30m); 5m gives a complete, weak run; ' +
          'with --resume or --only: the time for the stages still to run (default: what is left of the saved budget)',
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
    load: () => import('./run/speedrun.js').then((m) => m.run),
  },
};
