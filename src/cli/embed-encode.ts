/** `lmkit embed encode`: a checkpoint's contextual vectors (an ELMo biLM's layers or their mix) for each token of a text. */
import { UsageError } from '../errors.js';
import { loadLanguageModel } from '../models/load.js';
import { promptPreparer } from '../models/preprocessing.js';
import { equalMix } from '../nn/scalar-mix.js';
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
  async run(a, io) {
    const dir = a.positional('DIR') as string;
    const model = loadLanguageModel(dir);
    if (!model.contextualLayers)
      throw new UsageError(
        `${dir} is a ${model.kind} model, which has no contextual layers`,
        'train one with lmkit train --model elmo',
      );
    const layer = a.string('layer') as string;
    const ids = model.tokenizer.encode(
      promptPreparer(model, { oneLine: true })(a.positional('TEXT') as string),
    );
    if (ids.length === 0) throw new UsageError('the text has no tokens', 'give some words to encode');
    const layers = model.contextualLayers(ids);
    let vectors: Float32Array;
    if (layer === 'mix') vectors = equalMix(layers);
    else if (/^\d+$/.test(layer) && Number(layer) < layers.length) vectors = layers[Number(layer)];
    else
      throw new UsageError(
        `--layer must be mix or a layer from 0 to ${layers.length - 1} (got ${JSON.stringify(layer)})`,
      );
    const dim = vectors.length / ids.length;
    const tokens = ids.map((id) => model.tokenizer.idToToken(id));
    const rows = tokens.map((_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim)));
    if (a.json) {
      const out = { model: dir, layer, layers: layers.length, dim, tokens, vectors: rows };
      io.stdout.write(JSON.stringify(out) + '\n');
      return;
    }
    for (let i = 0; i < tokens.length; i++)
      io.stdout.write(`${tokens[i]} ${rows[i].map((v) => v.toFixed(5)).join(' ')}\n`);
  },
};
