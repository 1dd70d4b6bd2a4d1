/** `lmkit classify`: label texts with a BERT, as a cloze question to its masked LM (zero-shot or PET) or with a fine-tuned head. */
import type { CommandGroup } from './args.js';

/** The classify command. */
export const CLASSIFY: CommandGroup = {
  name: 'classify',
  summary: 'label texts with a BERT: a cloze question to its masked LM (zero-shot, PET) or a fine-tuned head',
  command: {
    name: 'classify',
    summary:
      'label texts with a BERT: a cloze question to its masked LM (zero-shot, PET) or a fine-tuned head',
    details:
      "MODEL is a BERT masked LM ('lmkit train --model bert'), a PET run of one ('--objective pet', which\n" +
      "remembers its pattern and verbalizer) or a classifier ('--objective classify'). A masked LM is asked\n" +
      'the cloze --pattern with the text in place of {text}; each label scores the logit of its --verbalizer\n' +
      'word at the [MASK], and the most probable label wins (zero-shot when the model was never fine-tuned).\n' +
      'The text is cut at its end so that the pattern fits the block. TEXTs (or --file, one per line) print\n' +
      'each label with its probability; --data FILE.jsonl|spam scores a labelled set instead (--split, default\n' +
      'test for a dataset, all of a file): accuracy and macro-F1, and how often each label was predicted.\n' +
      'JSON: per text {text, label, probabilities}; with --data {model, data, split, examples, accuracy,\n' +
      'macro_f1, predicted}.',
    json: true,
    flags: [
      {
        name: 'pattern',
        type: 'string',
        value: 'TEXT',
        description: "the cloze question: {text} where the text goes and one [MASK] (default: the PET run's)",
      },
      {
        name: 'verbalizer',
        type: 'string',
        value: 'LABEL=WORD,...',
        description:
          "each label's word at the mask, one token each, e.g. spam=junk,ham=fine (default: the PET run's)",
      },
      { name: 'file', type: 'string', value: 'FILE', description: 'more texts, one per line' },
      { name: 'data', type: 'string', value: 'FILE.jsonl|NAME', description: 'a labelled set to score' },
      {
        name: 'split',
        type: 'string',
        choices: ['train', 'valid', 'test', 'all'],
        description: 'which part of --data (default: test for a dataset, all of a file)',
      },
    ],
    positionals: [
      { name: 'MODEL', description: 'a BERT checkpoint directory' },
      { name: 'TEXT', description: 'texts to label', optional: true, variadic: true },
    ],
    load: () => import('./run/classify.js').then((m) => m.run),
  },
};
