/** A tiny SFT checkpoint and preference data over it, shared by the reward-model, DPO and PPO tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { pretrain } from '../../src/train/pretrain.js';
import { trainSFT } from '../../src/train/sft.js';
import { tempDir } from './paths.js';

const SMALL = { n_layer: 2, n_head: 2, n_embd: 32, block_size: 32, weight_decay: 0, eval_iters: 4 };
const WORDS = ['cat', 'dog', 'sun', 'red', 'box', 'hat', 'pen', 'cup', 'map', 'egg', 'owl', 'bee'];

/**
 * An SFT checkpoint of a copying task ("say X" → "X X") and preference data over it: the right answer
 * preferred to one with a made-up word ("X zzz"), as pairs and as K = 3 rankings, plus SFT demonstrations.
 */
export async function setupPreferenceTask() {
  const dir = tempDir();
  const text = join(dir, 'text.txt');
  writeFileSync(
    text,
    Array.from({ length: 200 }, (_, i) => `say ${WORDS[i % 12]} ${WORDS[(i * 5) % 12]}`).join('\n'),
  );
  await pretrain({
    data: text,
    tokenizer: 'char',
    settings: [SMALL, { max_iters: 30, eval_interval: 30, learning_rate: 3e-3 }],
    out: join(dir, 'pre'),
  });
  const rng = new Rng(5);
  const word = () => WORDS[rng.int(12)];
  const BAD = ['zzz', 'qqq', 'xxv', 'vvx'];
  const other = () => BAD[rng.int(BAD.length)];
  const sftFile = join(dir, 'sft.jsonl');
  writeFileSync(
    sftFile,
    Array.from({ length: 200 }, () => {
      const w = word();
      return JSON.stringify({ prompt: `say ${w}`, completion: `${w} ${w}` });
    }).join('\n'),
  );
  await trainSFT({
    init: join(dir, 'pre'),
    data: sftFile,
    settings: [{ max_iters: 100, eval_interval: 100, learning_rate: 3e-3, batch_size: 16 }],
    out: join(dir, 'sft'),
  });
  const prefs = join(dir, 'prefs.jsonl');
  writeFileSync(
    prefs,
    Array.from({ length: 240 }, (_, i) => {
      const w = word();
      if (i % 3 === 0)
        return JSON.stringify({
          prompt: `say ${w}`,
          responses: [`${other()} ${w}`, `${w} ${w}`, `${w} ${other()}`],
          ranking: [1, [0, 2]],
          labeler: 'test',
        });
      return JSON.stringify({ prompt: `say ${w}`, chosen: `${w} ${w}`, rejected: `${w} ${other()}` });
    }).join('\n'),
  );
  const prompts = join(dir, 'prompts.jsonl');
  writeFileSync(
    prompts,
    Array.from({ length: 120 }, () => {
      const w = word();
      return JSON.stringify({ prompt: `say ${w}`, judge: 'correctness', reference: `${w} ${w}` });
    }).join('\n'),
  );
  return { dir, sft: join(dir, 'sft'), sftFile, prefs, prompts };
}
