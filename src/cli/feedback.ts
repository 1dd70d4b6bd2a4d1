/** `lmkit feedback export|stats`: the thumbs and comparisons collected in the web UI, as preference data and as counts. */
import type { CommandGroup, FlagSpec } from './args.js';

const DB_FLAG: FlagSpec = {
  name: 'db',
  type: 'string',
  value: 'FILE',
  description: 'history database (default $LMKIT_DB, else $LMKIT_HOME/history.db, ~/.lmkit)',
};

/** The feedback commands. */
export const FEEDBACK: CommandGroup = {
  name: 'feedback',
  summary: 'export the thumbs and comparisons from the web UI as preference data, or count them',
  commands: [
    {
      name: 'export',
      summary: 'write the comparisons (and thumbs) in the chat history as preference JSONL',
      details:
        'Each decided comparison ("Which is better?" in the web UI) becomes a pair {"prompt", "chosen",\n' +
        '"rejected"} in TRL\'s conversational shape (the prompt is the conversation up to the user turn), with\n' +
        "labeler, source, license and each side's model and sampling settings; lmkit train --objective reward\n" +
        'or dpo reads it as is. A tie or "both bad" makes no pair. Two replies to one message with a thumb up\n' +
        'and a thumb down also make a pair. --unpaired FILE also writes every thumb as a KTO-style example\n' +
        '{"prompt", "completion", "label"} (each reply of a "both bad" with label false).',
      json: true,
      flags: [
        DB_FLAG,
        {
          name: 'out',
          short: 'o',
          type: 'string',
          value: 'FILE',
          description: 'pairs JSONL to write',
        },
        {
          name: 'unpaired',
          type: 'string',
          value: 'FILE',
          description: 'also write single judged replies (KTO shape)',
        },
      ],
      positionals: [],
      load: () => import('./run/feedback.js').then((m) => m.exportPreferences),
    },
    {
      name: 'stats',
      summary: 'count thumbs and comparisons, per model and head to head',
      json: true,
      flags: [DB_FLAG],
      positionals: [],
      load: () => import('./run/feedback.js').then((m) => m.stats),
    },
  ],
};
