/**
 * `lmkit quickstart`: the first stage of the story on built-in data. Splits the Brown corpus 90/10,
 * trains n-gram models with every estimator, compares their test perplexities, samples sentences
 * and shows a next-word distribution, then points at the next commands.
 */
import type { CommandGroup } from './args.js';

export const QUICKSTART: CommandGroup = {
  name: 'quickstart',
  summary: 'train and compare n-gram models on the Brown corpus, then sample from the best (about a minute)',
  command: {
    name: 'quickstart',
    summary: 'train and compare n-gram models on the Brown corpus, then sample from the best',
    json: true,
    flags: [
      {
        name: 'out',
        type: 'string',
        value: 'DIR',
        default: 'runs/quickstart',
        description: 'where to write the models',
      },
      { name: 'seed', type: 'integer', default: 1, description: 'random seed for the samples' },
    ],
    positionals: [],
    load: () => import('./run/quickstart.js').then((m) => m.run),
  },
};
