/** `lmkit reward`: score responses with a reward model trained by `lmkit train --objective reward`. */
import { UsageError } from '../errors.js';
import { RewardModel } from '../models/reward.js';
import { parseScoreJsonl, scoreResponses, type ScoreItem } from '../train/reward-score.js';
import type { CommandGroup } from './args.js';

/** All of a readable stream as text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

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
    async run(a, io) {
      const prompt = a.string('prompt');
      const response = a.string('response');
      if ((prompt === undefined) !== (response === undefined))
        throw new UsageError('give --prompt and --response together (or neither, for JSONL on stdin)');
      const rm = RewardModel.load(a.positional('DIR') as string);
      const items: ScoreItem[] =
        prompt !== undefined
          ? [{ prompt: [{ role: 'user', content: prompt }], response: response as string, where: '--prompt' }]
          : parseScoreJsonl(await readAll(io.stdin), 'stdin');
      const rewards = scoreResponses(rm, items);
      rewards.forEach((r) =>
        io.stdout.write(a.json ? JSON.stringify({ reward: r }) + '\n' : `${r.toFixed(4)}\n`),
      );
    },
  },
};
