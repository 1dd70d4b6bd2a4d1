/** What `lmkit reward` does when it runs (its flags and help are in ../reward.ts). */
import { UsageError } from '../../errors.js';
import { RewardModel } from '../../models/reward.js';
import { parseScoreJsonl, scoreResponses, type ScoreItem } from '../../train/reward-score.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit reward`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** All of a readable stream as text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
