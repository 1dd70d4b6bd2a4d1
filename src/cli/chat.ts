/** `lmkit chat MODEL`: a terminal chat with any model, streaming its replies; history in the server's store. */
import { ChatSession } from '../chat/repl.js';
import { loadModel } from '../serve/models.js';
import { defaultHistoryPath } from '../util/home.js';
import { ConversationStore } from '../serve/store/conversations.js';
import { openDatabase } from '../serve/store/db.js';
import type { CommandGroup } from './args.js';
import { SAMPLING_FLAGS, samplingFlag, samplingOptions } from './sampling-flags.js';

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
    async run(a, io) {
      const model = loadModel(a.positional('MODEL') as string);
      const dbPath = a.string('db') ?? defaultHistoryPath();
      const store = dbPath === 'none' ? undefined : new ConversationStore(openDatabase(dbPath));
      const session = new ChatSession({
        model,
        history: store,
        input: io.stdin,
        output: io.stdout,
        interactive: !!(io.stdin as NodeJS.ReadStream).isTTY,
        system: a.string('system'),
        settings: samplingOptions(a),
      });
      const onInterrupt = () => {
        if (!session.interrupt()) process.exit(130);
      };
      process.on('SIGINT', onInterrupt);
      try {
        await session.run();
      } finally {
        process.off('SIGINT', onInterrupt);
        store?.db.close();
      }
    },
  },
};
