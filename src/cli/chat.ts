/** `lmkit chat MODEL`: a terminal chat with any model, streaming its replies; history in the server's store. */
import { join } from 'node:path';
import { ChatSession } from '../chat/repl.js';
import { loadModel } from '../serve/models.js';
import { lmkitHome } from '../serve/start.js';
import { ConversationStore } from '../serve/store/conversations.js';
import { openDatabase } from '../serve/store/db.js';
import type { CommandGroup } from './args.js';

/** The chat command. */
export const CHAT: CommandGroup = {
  name: 'chat',
  summary: 'chat with a model in the terminal (streaming; /help for commands)',
  command: {
    name: 'chat',
    summary: 'chat with a model in the terminal (streaming; /help for commands)',
    details:
      'Type a message and press Enter; """ on a line starts and ends a message of several lines.\n' +
      'An n-gram model has no notion of dialogue: it continues your last message to the end of a sentence.',
    flags: [
      { name: 'system', type: 'string', value: 'TEXT', description: 'system prompt' },
      {
        name: 'temperature',
        short: 't',
        type: 'number',
        min: 0,
        max: 2,
        default: 1,
        description: 'sampling temperature',
      },
      {
        name: 'top-p',
        type: 'number',
        min: 0,
        max: 1,
        default: 1,
        description: 'nucleus sampling threshold',
      },
      {
        name: 'top-k',
        type: 'integer',
        min: 0,
        max: 200,
        default: 0,
        description: 'sample from the k most likely (0: all)',
      },
      { name: 'max-tokens', type: 'integer', min: 1, max: 4096, default: 256, description: 'longest reply' },
      { name: 'seed', type: 'integer', min: 0, description: 'random seed, for reproducible replies' },
      {
        name: 'db',
        type: 'string',
        value: 'FILE',
        description: 'history database (default ~/.lmkit/history.db; none: off)',
      },
    ],
    positionals: [{ name: 'MODEL', description: 'n-gram file (.arpa, .arpa.gz, .bin) or checkpoint folder' }],
    async run(a, io) {
      const model = loadModel(a.positional('MODEL') as string);
      const dbPath = a.string('db') ?? join(lmkitHome(), 'history.db');
      const store = dbPath === 'none' ? undefined : new ConversationStore(openDatabase(dbPath));
      const session = new ChatSession({
        model,
        history: store,
        input: io.stdin,
        output: io.stdout,
        interactive: !!(io.stdin as NodeJS.ReadStream).isTTY,
        system: a.string('system'),
        settings: {
          temperature: a.number('temperature') as number,
          top_p: a.number('top-p') as number,
          top_k: a.number('top-k') as number,
          max_tokens: a.number('max-tokens') as number,
          seed: a.number('seed'),
        },
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
