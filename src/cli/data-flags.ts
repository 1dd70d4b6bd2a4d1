/** The flags that pick which sentences of a dataset or file a command reads (--split, --scheme, --format). */
import type { FlagSpec } from './args.js';

/** --split, --scheme and --format, as `ngram train|eval` and `eval` take them. */
export const DATA_FLAGS: FlagSpec[] = [
  {
    name: 'split',
    type: 'string',
    choices: ['train', 'valid', 'test', 'all'],
    description: 'which part of the data (default all)',
  },
  {
    name: 'scheme',
    type: 'string',
    choices: ['bengio', 'mod10'],
    description: "how data is split (default: the dataset's own)",
  },
  {
    name: 'format',
    type: 'string',
    choices: ['lines', 'raw', 'auto'],
    description: 'a file holds one sentence per line, or raw text to split into sentences',
  },
];
