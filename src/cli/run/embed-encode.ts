/** What `lmkit embed encode` does when it runs (its flags and help are in ../embed-encode.ts). */
import { UsageError } from '../../errors.js';
import { loadLanguageModel } from '../../models/load.js';
import { promptPreparer } from '../../models/preprocessing.js';
import { equalMix } from '../../nn/scalar-mix.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit embed encode`. */
export async function encode(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}
