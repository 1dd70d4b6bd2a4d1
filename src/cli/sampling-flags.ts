/** The sampling flags shared by every command that generates text, and their translation to options. */
import type { SamplingOptions } from '../generate/sample.js';
import type { FlagSpec, ParsedArgs } from './args.js';

/** --temperature, --top-k, --top-p, --repetition-penalty and --seed. */
export const SAMPLING_FLAGS: FlagSpec[] = [
  {
    name: 'temperature',
    short: 't',
    type: 'number',
    min: 0,
    default: 1,
    description: 'sharpen (< 1) or flatten (> 1); 0 is greedy',
  },
  { name: 'top-k', type: 'integer', min: 0, description: 'sample only from the k most likely tokens' },
  {
    name: 'top-p',
    type: 'number',
    min: 0,
    max: 1,
    description: 'nucleus sampling: the smallest set reaching probability p',
  },
  {
    name: 'repetition-penalty',
    type: 'number',
    min: 0,
    description: 'discourage tokens already generated (> 1), as in CTRL; 1 is off',
  },
  { name: 'seed', type: 'integer', description: 'random seed, for reproducible samples' },
];

/** The sampling options the shared flags ask for (the token limit comes from each command's own flag). */
export function samplingOptions(a: ParsedArgs): SamplingOptions {
  return {
    temperature: a.number('temperature'),
    topK: a.number('top-k'),
    topP: a.number('top-p'),
    repetitionPenalty: a.number('repetition-penalty'),
    maxTokens: a.number('max-tokens'),
  };
}
