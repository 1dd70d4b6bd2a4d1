/**
 * The feedback collected in the chat history as training data and as counts. Comparisons become
 * preference pairs in TRL's conversational shape, which `lmkit train --objective reward|dpo` reads:
 * `{"prompt": [messages up to the user turn], "chosen": [reply], "rejected": [reply]}` with how it was
 * labelled, where from, and each side's model and sampling settings. A tie or "both bad" makes no pair.
 * Thumbs make pairs where one reply to a message got a thumb up and a sibling a thumb down; every thumb
 * (and each reply of a "both bad") is also an unpaired example `{"prompt", "completion", "label"}`, the
 * shape of TRL's KTO trainer, written only on request.
 */
import type { ChatMessage } from '../../chat/conversation.js';
import type { ConversationStore, StoredMessage } from './conversations.js';
import { FeedbackStore } from './feedback.js';

/** One preference pair. */
export interface FeedbackPair {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  labeler: string;
  source: string;
  license: string;
  conversation_id: string;
  chosen_model: string | null;
  rejected_model: string | null;
  chosen_params: Record<string, unknown> | null;
  rejected_params: Record<string, unknown> | null;
}

/** One reply judged alone (KTO-style): desirable or not. */
export interface UnpairedExample {
  prompt: ChatMessage[];
  completion: ChatMessage[];
  label: boolean;
  labeler: string;
  source: string;
  license: string;
  conversation_id: string;
  model: string | null;
  params: Record<string, unknown> | null;
}

/** What the history's feedback gives, and what it had to leave out. */
export interface FeedbackExport {
  pairs: FeedbackPair[];
  unpaired: UnpairedExample[];
  skipped: { pending: number; ties: number; bothBad: number; empty: number };
}

const LICENSE = "the history's owner's own labels";

/** Turns every decided comparison and every thumb in the history into preference data. */
export function exportFeedback(store: ConversationStore, sourceName: string): FeedbackExport {
  const feedback = new FeedbackStore(store);
  const out: FeedbackExport = {
    pairs: [],
    unpaired: [],
    skipped: { pending: 0, ties: 0, bothBad: 0, empty: 0 },
  };
  const seen = new Set<string>();
  const source = (conversationId: string) => `${sourceName} conversation ${conversationId}`;
  const promptOf = (m: StoredMessage) =>
    store.path(m.conversation_id, m.id).map((x) => ({ role: x.role, content: x.content }));
  const reply = (m: StoredMessage): ChatMessage[] => [{ role: 'assistant', content: m.content }];
  const pair = (prompt: StoredMessage, chosen: StoredMessage, rejected: StoredMessage, labeler: string) => {
    const key = `${chosen.id} ${rejected.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (!chosen.content.trim() || !rejected.content.trim()) {
      out.skipped.empty++;
      return;
    }
    out.pairs.push({
      prompt: promptOf(prompt),
      chosen: reply(chosen),
      rejected: reply(rejected),
      labeler,
      source: source(prompt.conversation_id),
      license: LICENSE,
      conversation_id: prompt.conversation_id,
      chosen_model: chosen.model,
      rejected_model: rejected.model,
      chosen_params: chosen.params,
      rejected_params: rejected.params,
    });
  };
  const unpaired = (m: StoredMessage, label: boolean, labeler: string) => {
    if (!m.content.trim()) return;
    const prompt = store.message(m.conversation_id, m.parent_id as string);
    out.unpaired.push({
      prompt: promptOf(prompt),
      completion: reply(m),
      label,
      labeler,
      source: source(m.conversation_id),
      license: LICENSE,
      conversation_id: m.conversation_id,
      model: m.model,
      params: m.params,
    });
  };

  for (const c of feedback.allComparisons()) {
    if (c.choice === null) {
      out.skipped.pending++;
      continue;
    }
    if (c.choice === 'tie') out.skipped.ties++;
    if (c.choice === 'both_bad') out.skipped.bothBad++;
    const prompt = store.message(c.conversation_id, c.prompt_id);
    const a = store.message(c.conversation_id, c.a_id);
    const b = store.message(c.conversation_id, c.b_id);
    if (c.choice === 'a') pair(prompt, a, b, 'human: web UI comparison');
    if (c.choice === 'b') pair(prompt, b, a, 'human: web UI comparison');
    if (c.choice === 'both_bad') {
      unpaired(a, false, 'human: web UI comparison, both bad');
      unpaired(b, false, 'human: web UI comparison, both bad');
    }
  }

  // thumbs: a reply rated up against each sibling rated down
  const ratings = feedback.allRatings();
  const byParent = new Map<string, { up: StoredMessage[]; down: StoredMessage[] }>();
  for (const r of ratings) {
    const m = store.message(r.conversation_id, r.message_id);
    unpaired(m, r.rating === 1, 'human: web UI thumb');
    const key = m.parent_id as string;
    const group = byParent.get(key) ?? { up: [], down: [] };
    (r.rating === 1 ? group.up : group.down).push(m);
    byParent.set(key, group);
  }
  for (const [parentId, { up, down }] of byParent) {
    if (!up.length || !down.length) continue;
    const prompt = store.message(up[0].conversation_id, parentId);
    for (const u of up) for (const d of down) pair(prompt, u, d, 'human: web UI thumbs on two replies');
  }
  return out;
}

/** Counts of one model's feedback. */
export interface ModelFeedback {
  model: string;
  replies: number;
  thumbsUp: number;
  thumbsDown: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
}

/** What the history holds: totals, per model, and head-to-head results between different models. */
export interface FeedbackStats {
  conversations: number;
  replies: number;
  thumbsUp: number;
  thumbsDown: number;
  comparisons: { decided: number; pending: number; a: number; b: number; tie: number; both_bad: number };
  models: ModelFeedback[];
  headToHead: { models: [string, string]; wins: [number, number]; ties: number; bothBad: number }[];
}

/** Counts the feedback in the history. */
export function feedbackStats(store: ConversationStore): FeedbackStats {
  const feedback = new FeedbackStore(store);
  const db = store.db;
  const models = new Map<string, ModelFeedback>();
  const of = (model: string | null) => {
    const name = model ?? '(unknown)';
    let m = models.get(name);
    if (!m) {
      m = { model: name, replies: 0, thumbsUp: 0, thumbsDown: 0, wins: 0, losses: 0, ties: 0, bothBad: 0 };
      models.set(name, m);
    }
    return m;
  };
  const replies = db
    .prepare("SELECT model, COUNT(*) AS n FROM messages WHERE role = 'assistant' GROUP BY model")
    .all() as { model: string | null; n: number }[];
  for (const r of replies) of(r.model).replies += r.n;
  const stats: FeedbackStats = {
    conversations: (db.prepare('SELECT COUNT(*) AS n FROM conversations').get() as { n: number }).n,
    replies: replies.reduce((t, r) => t + r.n, 0),
    thumbsUp: 0,
    thumbsDown: 0,
    comparisons: { decided: 0, pending: 0, a: 0, b: 0, tie: 0, both_bad: 0 },
    models: [],
    headToHead: [],
  };
  for (const r of feedback.allRatings()) {
    const m = of(store.message(r.conversation_id, r.message_id).model);
    if (r.rating === 1) {
      m.thumbsUp++;
      stats.thumbsUp++;
    } else {
      m.thumbsDown++;
      stats.thumbsDown++;
    }
  }
  const h2h = new Map<string, FeedbackStats['headToHead'][number]>();
  for (const c of feedback.allComparisons()) {
    if (c.choice === null) {
      stats.comparisons.pending++;
      continue;
    }
    stats.comparisons.decided++;
    stats.comparisons[c.choice]++;
    const a = store.message(c.conversation_id, c.a_id);
    const b = store.message(c.conversation_id, c.b_id);
    const [ma, mb] = [of(a.model), of(b.model)];
    if (c.choice === 'a' || c.choice === 'b') {
      const [w, l] = c.choice === 'a' ? [ma, mb] : [mb, ma];
      w.wins++;
      l.losses++;
    } else {
      for (const m of [ma, mb]) m[c.choice === 'tie' ? 'ties' : 'bothBad']++;
    }
    if (ma.model === mb.model) continue;
    const [first, second] = [ma.model, mb.model].sort();
    const key = `${first}\u0000${second}`;
    const row = h2h.get(key) ?? { models: [first, second], wins: [0, 0], ties: 0, bothBad: 0 };
    if (c.choice === 'tie') row.ties++;
    else if (c.choice === 'both_bad') row.bothBad++;
    else {
      const winner = c.choice === 'a' ? ma.model : mb.model;
      row.wins[winner === first ? 0 : 1]++;
    }
    h2h.set(key, row);
  }
  stats.models = [...models.values()].sort((x, y) => x.model.localeCompare(y.model));
  stats.headToHead = [...h2h.values()];
  return stats;
}
