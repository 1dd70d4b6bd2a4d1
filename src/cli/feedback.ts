/** `lmkit feedback export|stats`: the thumbs and comparisons collected in the web UI, as preference data and as counts. */
import { existsSync } from 'node:fs';
import { LmkitError, UsageError } from '../errors.js';
import { ConversationStore } from '../serve/store/conversations.js';
import { openDatabase } from '../serve/store/db.js';
import { exportFeedback, feedbackStats, type FeedbackStats } from '../serve/store/feedback-export.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { defaultHistoryPath } from '../util/home.js';
import type { CommandGroup, FlagSpec } from './args.js';

const DB_FLAG: FlagSpec = {
  name: 'db',
  type: 'string',
  value: 'FILE',
  description: 'history database (default $LMKIT_DB, else $LMKIT_HOME/history.db, ~/.lmkit)',
};

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
      async run(a, io) {
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
      },
    },
    {
      name: 'stats',
      summary: 'count thumbs and comparisons, per model and head to head',
      json: true,
      flags: [DB_FLAG],
      positionals: [],
      async run(a, io) {
        const { store } = openHistory(a.string('db'));
        try {
          const s = feedbackStats(store);
          io.stdout.write(a.json ? JSON.stringify(s) + '\n' : statsText(s));
        } finally {
          store.db.close();
        }
      },
    },
  ],
};
