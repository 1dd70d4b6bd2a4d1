/** `lmkit fill-mask`: a masked language model's most probable tokens at each [MASK] of a text (Hugging Face's fill-mask). */
import type { CommandGroup } from './args.js';

/** The fill-mask command. */
export const FILL_MASK: CommandGroup = {
  name: 'fill-mask',
  summary: "a masked LM's (BERT's) most probable tokens for each [MASK] of a text",
  command: {
    name: 'fill-mask',
    summary: "a masked LM's (BERT's) most probable tokens for each [MASK] of a text",
    details:
      "MODEL is a checkpoint directory from 'lmkit train --model bert'. Each [MASK] of a text is predicted\n" +
      'from the whole text around it (other masks stay masked), --top tokens each, most probable first.\n' +
      "--json prints one JSON value per text in Hugging Face's fill-mask pipeline shape: a list of\n" +
      '{score, token, token_str, sequence} for a text with one mask, a list of such lists (one per mask) for\n' +
      'a text with several.',
    json: true,
    flags: [
      { name: 'top', type: 'integer', min: 1, default: 5, description: 'predictions per mask' },
      { name: 'file', type: 'string', value: 'FILE', description: 'more texts, one per line' },
    ],
    positionals: [
      { name: 'MODEL', description: 'a masked language model checkpoint directory' },
      { name: 'TEXT', description: 'texts holding [MASK]', optional: true, variadic: true },
    ],
    load: () => import('./run/fill-mask.js').then((m) => m.run),
  },
};
