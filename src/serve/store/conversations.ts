/**
 * Conversations and their messages, kept as a tree: each message points to its parent, so editing a
 * message or regenerating a reply adds a sibling (a branch) instead of overwriting. Each conversation
 * remembers its current branch by its last message (`current_leaf_id`).
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, ChatRole } from '../../chat/conversation.js';
import { notFound } from '../errors.js';
import type { Db } from './db.js';

/** A conversation's header. */
export interface Conversation {
  id: string;
  title: string;
  model: string | null;
  current_leaf_id: string | null;
  created_at: number;
  updated_at: number;
}

/** One stored message. */
export interface StoredMessage {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: ChatRole;
  content: string;
  model: string | null;
  params: Record<string, unknown> | null;
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: number;
}

/** A message to add. */
export interface NewMessage {
  role: ChatRole;
  content: string;
  /** The message this one answers or follows; default: the end of the current branch (null: a new root). */
  parentId?: string | null;
  model?: string;
  params?: Record<string, unknown>;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
}

interface MessageRow extends Omit<StoredMessage, 'params'> {
  params: string | null;
}

const TITLE_CHARS = 80;

/** Reads and writes conversations in the history database. */
export class ConversationStore {
  private last = 0;

  /** Uses an open database (see openDatabase). */
  constructor(readonly db: Db) {}

  /** Milliseconds since the epoch, strictly increasing, so "most recent" is never a tie. */
  private now(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  /** Creates an empty conversation. */
  create(options: { title?: string; model?: string } = {}): Conversation {
    const now = this.now();
    const c: Conversation = {
      id: randomUUID(),
      title: clip(options.title ?? ''),
      model: options.model ?? null,
      current_leaf_id: null,
      created_at: now,
      updated_at: now,
    };
    this.db
      .prepare(
        'INSERT INTO conversations (id, title, model, current_leaf_id, created_at, updated_at) VALUES (@id, @title, @model, @current_leaf_id, @created_at, @updated_at)',
      )
      .run(c);
    return c;
  }

  /** Every conversation, most recently updated first. */
  list(): Conversation[] {
    return this.db
      .prepare('SELECT * FROM conversations ORDER BY updated_at DESC, rowid DESC')
      .all() as Conversation[];
  }

  /** One conversation's header; 404 when it does not exist. */
  get(id: string): Conversation {
    const c = this.db.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as Conversation | undefined;
    if (!c) throw notFound(`conversation '${id}' does not exist`, 'conversation_not_found');
    return c;
  }

  /** Renames a conversation. */
  rename(id: string, title: string): Conversation {
    this.get(id);
    this.db
      .prepare('UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?')
      .run(clip(title), this.now(), id);
    return this.get(id);
  }

  /** Deletes a conversation and all its messages. */
  delete(id: string): void {
    this.get(id);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(id);
      this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
    })();
  }

  /** Every message of a conversation (all branches), oldest first. */
  messages(id: string): StoredMessage[] {
    this.get(id);
    const rows = this.db
      .prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq')
      .all(id) as MessageRow[];
    return rows.map(fromRow);
  }

  /** One message; 404 when it is not in this conversation. */
  message(conversationId: string, messageId: string): StoredMessage {
    const row = this.db
      .prepare('SELECT * FROM messages WHERE id = ? AND conversation_id = ?')
      .get(messageId, conversationId) as MessageRow | undefined;
    if (!row)
      throw notFound(
        `message '${messageId}' is not in conversation '${conversationId}'`,
        'message_not_found',
      );
    return fromRow(row);
  }

  /** Adds a message and makes it the end of the current branch; the first user message titles an untitled chat. */
  add(conversationId: string, m: NewMessage): StoredMessage {
    return this.db.transaction((): StoredMessage => {
      const c = this.get(conversationId);
      const parentId = m.parentId === undefined ? c.current_leaf_id : m.parentId;
      if (parentId !== null) this.message(conversationId, parentId);
      const now = this.now();
      const stored: StoredMessage = {
        id: randomUUID(),
        conversation_id: conversationId,
        parent_id: parentId,
        role: m.role,
        content: m.content,
        model: m.model ?? null,
        params: m.params ?? null,
        finish_reason: m.finishReason ?? null,
        prompt_tokens: m.promptTokens ?? null,
        completion_tokens: m.completionTokens ?? null,
        created_at: now,
      };
      this.db
        .prepare(
          `INSERT INTO messages (id, conversation_id, parent_id, role, content, model, params, finish_reason,
             prompt_tokens, completion_tokens, created_at)
           VALUES (@id, @conversation_id, @parent_id, @role, @content, @model, @params, @finish_reason,
             @prompt_tokens, @completion_tokens, @created_at)`,
        )
        .run({ ...stored, params: stored.params === null ? null : JSON.stringify(stored.params) });
      const title =
        c.title === '' && m.role === 'user' ? clip(m.content.replace(/\s+/g, ' ').trim()) : c.title;
      this.db
        .prepare(
          'UPDATE conversations SET current_leaf_id = ?, updated_at = ?, title = ?, model = COALESCE(?, model) WHERE id = ?',
        )
        .run(stored.id, now, title, m.model ?? null, conversationId);
      return stored;
    })();
  }

  /**
   * Switches the current branch to the one through `messageId`, following the newest child down (or,
   * with `follow: false`, ending at `messageId` itself: a user message whose replies await a choice).
   */
  select(conversationId: string, messageId: string, options: { follow?: boolean } = {}): Conversation {
    this.message(conversationId, messageId);
    if (options.follow === false) {
      this.db
        .prepare('UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?')
        .run(messageId, this.now(), conversationId);
      return this.get(conversationId);
    }
    const newestChild = this.db.prepare(
      'SELECT id FROM messages WHERE parent_id = ? ORDER BY seq DESC LIMIT 1',
    );
    let leaf = messageId;
    for (
      let child = newestChild.get(leaf) as { id: string } | undefined;
      child;
      child = newestChild.get(leaf) as { id: string } | undefined
    ) {
      leaf = child.id;
    }
    this.db
      .prepare('UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?')
      .run(leaf, this.now(), conversationId);
    return this.get(conversationId);
  }

  /** The messages from the root to `leafId` (default: the current branch). */
  path(conversationId: string, leafId?: string | null): StoredMessage[] {
    const c = this.get(conversationId);
    const byId = new Map(this.messages(conversationId).map((m) => [m.id, m]));
    const out: StoredMessage[] = [];
    for (
      let id = leafId === undefined ? c.current_leaf_id : leafId;
      id;
      id = byId.get(id)?.parent_id ?? null
    ) {
      const m = byId.get(id);
      if (!m)
        throw notFound(`message '${id}' is not in conversation '${conversationId}'`, 'message_not_found');
      out.push(m);
    }
    return out.reverse();
  }

  /** A conversation as one JSON document: header, every message, and the current branch as chat messages. */
  export(conversationId: string): {
    conversation: Conversation;
    messages: StoredMessage[];
    current: ChatMessage[];
  } {
    return {
      conversation: this.get(conversationId),
      messages: this.messages(conversationId),
      current: this.path(conversationId).map((m) => ({ role: m.role, content: m.content })),
    };
  }
}

function fromRow(row: MessageRow): StoredMessage {
  return { ...row, params: row.params === null ? null : (JSON.parse(row.params) as Record<string, unknown>) };
}

function clip(title: string): string {
  return [...title].slice(0, TITLE_CHARS).join('');
}
