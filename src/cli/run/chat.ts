/** What `lmkit chat` does when it runs (its flags and help are in ../chat.ts). */
import { ChatSession } from '../../chat/repl.js';
import { loadModel } from '../../serve/models.js';
import { defaultHistoryPath } from '../../util/home.js';
import { ConversationStore } from '../../serve/store/conversations.js';
import { openDatabase } from '../../serve/store/db.js';
import { samplingOptions } from '../sampling-flags.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit chat`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}
