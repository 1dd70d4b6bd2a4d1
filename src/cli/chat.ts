/** `lmkit chat MODEL`: a terminal chat with any model, streaming its replies; history in the server's store. */
import type { CommandGroup } from './args.js';
import { SAMPLING_FLAGS, samplingFlag } from './sampling-flags.js';

/** The chat command. */
export const CHAT: CommandGroup = {
  name: 'chat',
  summary: 'chat with a model in the terminal (streaming; /help for commands)',
  command: {
    name: 'chat',
    summary: 'chat with a model in the terminal (streaming; /help for commands)',
    details:
      'Type a message and press Enter; """ on a line starts and ends a message of several lines.\n' +
      'The chat template depends on the model: one whose tokenizer has <|system|>, <|user|>, <|assistant|> and\n' +
      '<|end|> (after SFT) gets real turns; a GPT or RNN without them whose tokenizer has a line break (trained\n' +
      'on lines) sees one message per line and replies with the next line (the "lines" template); a word-level\n' +
      'n-gram model has no notion of dialogue and continues your last message to the end of a sentence.',
    flags: [
      { name: 'system', type: 'string', value: 'TEXT', description: 'system prompt' },
      ...SAMPLING_FLAGS,
      samplingFlag('maxTokens', { default: 256, description: 'longest reply' }),
      {
        name: 'db',
        type: 'string',
        value: 'FILE',
        description: 'history database (default $LMKIT_DB, else $LMKIT_HOME/history.db, ~/.lmkit; none: off)',
      },
    ],
    positionals: [{ name: 'MODEL', description: 'n-gram file (.arpa, .arpa.gz, .bin) or checkpoint folder' }],
    load: () => import('./run/chat.js').then((m) => m.run),
  },
};
