/** `lmkit reward`: score responses with a reward model trained by `lmkit train --objective reward`. */
import type { CommandGroup } from './args.js';

/** The reward command. */
export const REWARD: CommandGroup = {
  name: 'reward',
  summary: 'score a response to a prompt with a reward model',
  command: {
    name: 'reward',
    summary: 'score a response to a prompt with a reward model',
    details:
      'DIR is a reward model folder from lmkit train --objective reward. The prompt (a user turn) and the\n' +
      'response are rendered in the chat template as in training, and the reward is read at the last token,\n' +
      "minus the model's offset (the SFT demonstrations' mean reward is 0). Without --prompt and --response it\n" +
      'reads JSONL from stdin, one {"prompt", "response"} a line (prompt: a string or a list of messages),\n' +
      'and prints one reward a line.',
    json: true,
    flags: [
      { name: 'prompt', short: 'p', type: 'string', description: "the user's message" },
      { name: 'response', short: 'r', type: 'string', description: "the assistant's response to score" },
    ],
    positionals: [{ name: 'DIR', description: 'reward model folder' }],
    load: () => import('./run/reward.js').then((m) => m.run),
  },
};
