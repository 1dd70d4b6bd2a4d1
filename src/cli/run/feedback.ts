/** What `lmkit feedback export|stats` do when they run (flags and help in ../feedback.ts). */
import { existsSync } from 'node:fs';
import { LmkitError, UsageError } from '../../errors.js';
import { ConversationStore } from '../../serve/store/conversations.js';
import { openDatabase } from '../../serve/store/db.js';
import { exportFeedback, feedbackStats, type FeedbackStats } from '../../serve/store/feedback-export.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { defaultHistoryPath } from '../../util/home.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** Opens an existing history; a missing file is an error (exporting must not create an empty one). */
function openHistory(path: string | undefined): { store: ConversationStore; path: string } {
  const p = path ?? defaultHistoryPath();
  if (!existsSync(p))
    throw new LmkitError(`there is no chat history at ${p}`, {
      hint: "give --db FILE, or collect feedback first: 'lmkit serve', then thumbs and 'Compare' in the web UI",
    });
  return { store: new ConversationStore(openDatabase(p)), path: p };
}

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r) + '\n');

function statsText(s: FeedbackStats): string {
  const c = s.comparisons;
  const lines = [
    `${s.conversations} conversations, ${s.replies} replies; thumbs ${s.thumbsUp} up, ${s.thumbsDown} down`,
    `comparisons: ${c.decided} decided (A ${c.a}, B ${c.b}, tie ${c.tie}, both bad ${c.both_bad}), ${c.pending} waiting for a choice`,
  ];
  if (s.models.length) {
    lines.push('', 'model                replies  up  down  wins  losses  ties  both bad');
    for (const m of s.models)
      lines.push(
        `${m.model.padEnd(20)} ${String(m.replies).padStart(7)} ${String(m.thumbsUp).padStart(3)} ${String(m.thumbsDown).padStart(5)} ${String(m.wins).padStart(5)} ${String(m.losses).padStart(7)} ${String(m.ties).padStart(5)} ${String(m.bothBad).padStart(9)}`,
      );
  }
  for (const h of s.headToHead)
    lines.push(
      `${h.models[0]} vs ${h.models[1]}: ${h.wins[0]}–${h.wins[1]} (ties ${h.ties}, both bad ${h.bothBad})`,
    );
  return lines.join('\n') + '\n';
}

/** `lmkit feedback export`. */
export async function exportPreferences(a: ParsedArgs, io: CliIO): Promise<void> {
  const out = a.string('out');
  if (!out) throw new UsageError('--out FILE is required (e.g. --out prefs.jsonl)');
  const { store, path } = openHistory(a.string('db'));
  try {
    const unpairedPath = a.string('unpaired');
    const e = exportFeedback(store, path);
    writeFileAtomic(out, jsonl(e.pairs));
    if (unpairedPath) writeFileAtomic(unpairedPath, jsonl(e.unpaired));
    const summary = {
      pairs: e.pairs.length,
      unpaired: unpairedPath ? e.unpaired.length : undefined,
      skipped: e.skipped,
      out,
      unpaired_out: unpairedPath,
    };
    if (a.json) io.stdout.write(JSON.stringify(summary) + '\n');
    else {
      const s = e.skipped;
      io.stdout.write(
        `wrote ${e.pairs.length} preference pairs to ${out}` +
          (unpairedPath ? ` and ${e.unpaired.length} single judged replies to ${unpairedPath}` : '') +
          `\nleft out: ${s.pending} comparisons waiting for a choice, ${s.ties} ties, ${s.bothBad} "both bad", ${s.empty} with an empty reply\n`,
      );
      if (e.pairs.length === 0)
        io.stderr.write(
          "no pairs yet: in the web UI press 'Compare' under a reply and pick the better answer\n",
        );
    }
  } finally {
    store.db.close();
  }
}

/** `lmkit feedback stats`. */
export async function stats(a: ParsedArgs, io: CliIO): Promise<void> {
  const { store } = openHistory(a.string('db'));
  try {
    const s = feedbackStats(store);
    io.stdout.write(a.json ? JSON.stringify(s) + '\n' : statsText(s));
  } finally {
    store.db.close();
  }
}
