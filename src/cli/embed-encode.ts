/** `lmkit embed encode`: a checkpoint's contextual vectors (an ELMo biLM's layers or their mix) for each token of a text. */
import type { CommandSpec } from './args.js';

/** The encode command. */
export const ENCODE: CommandSpec = {
  name: 'encode',
  summary: "contextual vectors of each token of a text from a checkpoint's layers (an ELMo biLM)",
  details:
    'DIR is a checkpoint with contextual layers (lmkit train --model elmo). TEXT is prepared as the model\n' +
    "read its training text (punctuation split off for Brown's vocabulary) and read between two boundary\n" +
    'tokens, as ELMo reads a sentence. --layer 0 is the token layer (duplicated to both halves), 1 … L the\n' +
    "LSTM layers (forward state ‖ backward state), mix their mean (ELMo's scalar mix with equal weights: a\n" +
    'mix learned for a task lives with that task, see bench/embed/pos-probe.ts). Prints one line per token,\n' +
    'the token then its values (the word2vec text format without its header); --json: model, layer,\n' +
    'layers, dim, tokens, vectors.',
  json: true,
  flags: [
    {
      name: 'layer',
      type: 'string',
      default: 'mix',
      value: 'mix|0|1|…',
      description: "which layer: mix (the layers' mean), 0 (tokens) or 1 … L",
    },
  ],
  positionals: [
    { name: 'DIR', description: 'an ELMo checkpoint directory' },
    { name: 'TEXT', description: 'the text' },
  ],
  load: () => import('./run/embed-encode.js').then((m) => m.encode),
};
