/** `lmkit eval-tasks`: in-context learning, a model scored on tasks with k solved examples in its prompt. */
import type { CommandGroup } from './args.js';

/** The eval-tasks command. */
export const EVAL_TASKS: CommandGroup = {
  name: 'eval-tasks',
  summary: 'in-context learning: score a GPT on tasks with k solved examples in its prompt (--shots)',
  command: {
    name: 'eval-tasks',
    summary: 'in-context learning: score a GPT on tasks with k solved examples in its prompt (--shots)',
    details:
      'MODEL is a GPT (pretrained or SFT) checkpoint. --tasks FILE.jsonl holds test conversations with a\n' +
      "`task` (the test.jsonl of 'lmkit data build-instruct'); before each one, --shots training conversations\n" +
      'of the same task from --train FILE.jsonl (drawn by --seed, the same for every model) come as earlier\n' +
      "turns, in the model's own format (chat tokens after SFT, one message per line otherwise). Every\n" +
      'assistant turn is answered greedily: exact match and token F1 per task (and language). --classify spam|FILE.jsonl adds\n' +
      'a classification task: "Is this message ham or spam? TEXT" (the text cut to --max-chars), the labels\n' +
      'ranked by the mean log-probability per token of each as the reply; k labelled training texts as shots.\n' +
      'The context window bounds the shots: the oldest are dropped until prompt and answer fit block_size;\n' +
      'each row says the mean shots that fitted and how many prompts were cut (JSON: tasks [{task, turns,\n' +
      'exact, f1, shots, mean_shots, cut, over}], classify {task, examples, accuracy, macro_f1, predicted, ...}).',
    json: true,
    flags: [
      {
        name: 'shots',
        type: 'integer',
        min: 0,
        default: 0,
        description: 'solved examples before each question',
      },
      { name: 'tasks', type: 'string', value: 'FILE.jsonl', description: 'test conversations with a task' },
      {
        name: 'train',
        type: 'string',
        value: 'FILE.jsonl',
        description: 'conversations the shots are drawn from (needed with --tasks and --shots > 0)',
      },
      {
        name: 'classify',
        type: 'string',
        value: 'NAME|FILE.jsonl',
        description: 'a labelled set (spam, or {text, label} lines): test split scored, shots from train',
      },
      {
        name: 'per-task',
        type: 'integer',
        min: 1,
        default: 1000,
        description:
          'conversations scored per task (the first in file order); texts to classify (evenly spaced)',
      },
      {
        name: 'max-chars',
        type: 'integer',
        min: 1,
        default: 200,
        description: 'classify: characters of a text kept',
      },
      { name: 'seed', type: 'integer', min: 0, default: 0, description: 'which examples are drawn as shots' },
    ],
    positionals: [{ name: 'MODEL', description: 'a GPT checkpoint directory' }],
    load: () => import('./run/eval-tasks.js').then((m) => m.run),
  },
};
