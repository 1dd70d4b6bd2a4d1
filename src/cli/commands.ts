/** The table of command groups `lmkit` knows; each group lives in its own file under src/cli/. */
import type { CommandGroup } from './args.js';
import { CHAT } from './chat.js';
import { DATA } from './data.js';
import { DOCTOR } from './doctor.js';
import { EMBED } from './embed.js';
import { EVAL } from './eval.js';
import { GENERATE } from './generate.js';
import { NGRAM } from './ngram.js';
import { PLOT } from './plot.js';
import { QUICKSTART } from './quickstart.js';
import { REWARD } from './reward.js';
import { SERVE } from './serve.js';
import { SPEEDRUN } from './speedrun.js';
import { TOKENIZER } from './tokenizer.js';
import { TRAIN } from './train.js';

export const COMMANDS: CommandGroup[] = [
  QUICKSTART,
  SPEEDRUN,
  DATA,
  TOKENIZER,
  NGRAM,
  TRAIN,
  EVAL,
  EMBED,
  REWARD,
  PLOT,
  GENERATE,
  SERVE,
  CHAT,
  DOCTOR,
];
