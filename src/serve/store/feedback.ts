/**
 * Human feedback kept with the chat history: a thumb up or down on any reply, and comparisons — two
 * replies to the same user message shown side by side ("Which is better?") and the user's choice. This
 * is the labelled data InstructGPT's labelers produced, collected inside the product; `lmkit feedback
 * export` turns it into preference JSONL for the reward model and DPO.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../errors.js';
import type { ConversationStore, StoredMessage } from './conversations.js';

/** A thumb on a reply: +1 up, −1 down. */
export type Rating = 1 | -1;

/** What the user chose between replies A and B. */
export type Choice = 'a' | 'b' | 'tie' | 'both_bad';

/** The choices a comparison accepts. */
export const CHOICES: readonly Choice[] = ['a', 'b', 'tie', 'both_bad'];

/** A stored thumb. */
export interface StoredRating {
  message_id: string;
  conversation_id: string;
  rating: Rating;
  created_at: number;
}

/** Two replies to one user message, and the user's choice once made (null while pending). */
export interface Comparison {
  id: string;
  conversation_id: string;
  /** The user message both replies answer. */
  prompt_id: string;
  a_id: string;
  b_id: string;
  choice: Choice | null;
  created_at: number;
  decided_at: number | null;
}

/** Reads and writes ratings and comparisons; messages are checked through the conversation store. */
export class FeedbackStore {
  /** Uses the conversation store's database. */
  constructor(private readonly conversations: ConversationStore) {}

  private get db() {
    return this.conversations.db;
  }

  /** Puts a thumb on an assistant message (0 takes it off); returns the rating now held. */
  rate(conversationId: string, messageId: string, rating: Rating | 0): StoredRating | null {
    const m = this.conversations.message(conversationId, messageId);
    if (m.role !== 'assistant')
      throw badRequest(
        `only replies can be rated; message '${messageId}' is a ${m.role} message`,
        'message_id',
      );
    if (rating === 0) {
      this.db.prepare('DELETE FROM ratings WHERE message_id = ?').run(messageId);
      return null;
    }
    const r: StoredRating = {
      message_id: messageId,
      conversation_id: conversationId,
      rating,
      created_at: Date.now(),
    };
    this.db
      .prepare(
        `INSERT INTO ratings (message_id, conversation_id, rating, created_at)
         VALUES (@message_id, @conversation_id, @rating, @created_at)
         ON CONFLICT(message_id) DO UPDATE SET rating = excluded.rating, created_at = excluded.created_at`,
      )
      .run(r);
    return r;
  }

  /** The thumbs in a conversation. */
  ratings(conversationId: string): StoredRating[] {
    return this.db
      .prepare('SELECT * FROM ratings WHERE conversation_id = ? ORDER BY created_at')
      .all(conversationId) as StoredRating[];
  }

  /** Records that replies `a` and `b` (both answering user message `prompt`) are being compared. */
  compare(conversationId: string, prompt: StoredMessage, a: StoredMessage, b: StoredMessage): Comparison {
    for (const r of [a, b]) {
      if (r.role !== 'assistant' || r.parent_id !== prompt.id || r.conversation_id !== conversationId)
        throw badRequest(`message '${r.id}' is not a reply to message '${prompt.id}'`, 'message_id');
    }
    if (a.id === b.id) throw badRequest('a reply cannot be compared with itself', 'message_id');
    const c: Comparison = {
      id: randomUUID(),
      conversation_id: conversationId,
      prompt_id: prompt.id,
      a_id: a.id,
      b_id: b.id,
      choice: null,
      created_at: Date.now(),
      decided_at: null,
    };
    this.db
      .prepare(
        `INSERT INTO comparisons (id, conversation_id, prompt_id, a_id, b_id, choice, created_at, decided_at)
         VALUES (@id, @conversation_id, @prompt_id, @a_id, @b_id, @choice, @created_at, @decided_at)`,
      )
      .run(c);
    return c;
  }

  /** One comparison; 404 when it is not in this conversation. */
  comparison(conversationId: string, id: string): Comparison {
    const c = this.db
      .prepare('SELECT * FROM comparisons WHERE id = ? AND conversation_id = ?')
      .get(id, conversationId) as Comparison | undefined;
    if (!c)
      throw notFound(`comparison '${id}' is not in conversation '${conversationId}'`, 'comparison_not_found');
    return c;
  }

  /**
   * Records the user's choice (a later choice replaces an earlier one) and continues the conversation
   * from the chosen reply (A on a tie or when both are bad, so the thread goes on).
   */
  decide(conversationId: string, id: string, choice: Choice): Comparison {
    if (!CHOICES.includes(choice))
      throw badRequest(`'choice' must be one of ${CHOICES.join(', ')}`, 'choice', 'invalid_value');
    return this.db.transaction((): Comparison => {
      const c = this.comparison(conversationId, id);
      this.db
        .prepare('UPDATE comparisons SET choice = ?, decided_at = ? WHERE id = ?')
        .run(choice, Date.now(), id);
      this.conversations.select(conversationId, choice === 'b' ? c.b_id : c.a_id);
      return this.comparison(conversationId, id);
    })();
  }

  /** Every thumb in the history, oldest first. */
  allRatings(): StoredRating[] {
    return this.db.prepare('SELECT * FROM ratings ORDER BY created_at, rowid').all() as StoredRating[];
  }

  /** Every comparison in the history, oldest first. */
  allComparisons(): Comparison[] {
    return this.db.prepare('SELECT * FROM comparisons ORDER BY created_at, rowid').all() as Comparison[];
  }

  /** The comparisons in a conversation, oldest first. */
  comparisons(conversationId: string): Comparison[] {
    return this.db
      .prepare('SELECT * FROM comparisons WHERE conversation_id = ? ORDER BY created_at, rowid')
      .all(conversationId) as Comparison[];
  }
}
