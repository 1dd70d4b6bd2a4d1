/** Loads a model of any kind from a path: an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint folder. */
import { statSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { CHECKPOINT_FILES, checkpointKind, readConfigJSON } from './checkpoint.js';
import { MODEL_KINDS } from './kinds.js';
import { REWARD_KIND } from './reward.js';
import { checkWeightsFit } from './weights-budget.js';
import { checkModelPath } from './what-is-this-path.js';

/** The model at `path`: a checkpoint folder (of the kind its config.json records), or an n-gram file. */
export function loadLanguageModel(path: string): LanguageModel {
  checkModelPath(path);
  if (!statSync(path).isDirectory()) return NGramModel.load(path);
  const config = readConfigJSON(path);
  const found = checkpointKind(config);
  const kind = found === null ? undefined : MODEL_KINDS.get(found);
  if (found === REWARD_KIND)
    throw new LmkitError(`${path} is a reward model: it scores a response to a prompt and writes no text`, {
      hint: `score with 'lmkit reward ${path} --prompt P --response R'; generate, chat or serve the policy (an SFT, PPO or DPO run)`,
    });
  if (!kind)
    throw new LmkitError(
      `${path} holds a model of kind ${JSON.stringify(found)}, not one lmkit loads (${[...MODEL_KINDS.keys()].join(', ')})`,
    );
  checkWeightsFit(path, CHECKPOINT_FILES.weights, found, config);
  return kind.load(path);
}
