/**
 * The history database: one SQLite file in WAL mode (a crash or kill -9 loses at most the transaction
 * in flight, never what was committed), with the schema created or upgraded on open.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LmkitError } from '../../errors.js';

/** An open better-sqlite3 database. */
export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE conversations (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     model TEXT,
     current_leaf_id TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
     parent_id TEXT REFERENCES messages(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
     content TEXT NOT NULL,
     model TEXT,
     params TEXT,
     finish_reason TEXT,
     prompt_tokens INTEGER,
     completion_tokens INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX messages_by_conversation ON messages(conversation_id, seq);
   CREATE INDEX messages_by_parent ON messages(parent_id);
   CREATE INDEX conversations_by_update ON conversations(updated_at DESC);`,
  // 2: human feedback on replies — a thumb up or down per reply, and "which is better?" comparisons of two
  // replies to one user message (choice NULL until the user picks).
  `CREATE TABLE ratings (
     message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
     conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
     rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
     created_at INTEGER NOT NULL
   );
   CREATE TABLE comparisons (
     id TEXT PRIMARY KEY,
     conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
     prompt_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
     a_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
     b_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
     choice TEXT CHECK (choice IN ('a', 'b', 'tie', 'both_bad')),
     created_at INTEGER NOT NULL,
     decided_at INTEGER
   );
   CREATE INDEX ratings_by_conversation ON ratings(conversation_id);
   CREATE INDEX comparisons_by_conversation ON comparisons(conversation_id, created_at);`,
];

/** Opens (creating if needed) the history database at `path` (`:memory:` for a throwaway one). */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new LmkitError(`cannot open the history database ${path}: ${(err as Error).message}`, {
      hint: 'pass --db FILE to use another file',
    });
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new LmkitError(`the history database ${path} was written by a newer lmkit (schema ${version})`, {
      hint: 'upgrade lmkit or pass --db FILE to use another file',
    });
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
