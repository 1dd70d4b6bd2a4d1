/** What `lmkit eval-tasks` does when it runs (its flags and help are in ../eval-tasks.ts). */
import { isDatasetName } from '../../data/datasets.js';
import { LmkitError, UsageError } from '../../errors.js';
import { readConversations } from '../../eval/conversations.js';
import {
  scoreClassificationInContext,
  scoreTasksInContext,
  type LabelledText,
} from '../../eval/in-context.js';
import { loadLanguageModel } from '../../models/load.js';
import { readLabelled, type LabelledItem } from '../../train/classify.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** The texts of labelled items. */
function texts(items: LabelledItem[]): LabelledText[] {
  return items.flatMap((it) => ('label' in it ? [{ text: it.text, label: it.label }] : []));
}

/** `lmkit eval-tasks`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<void> {
  const path = a.positional('MODEL') as string;
  const shots = a.number('shots') as number;
  const tasksFile = a.string('tasks');
  const trainFile = a.string('train');
  const classify = a.string('classify');
  const perTask = a.number('per-task') as number;
  const seed = a.number('seed') as number;
  if (tasksFile === undefined && classify === undefined)
    throw new UsageError('give --tasks test.jsonl (conversations with a task), --classify spam, or both');
  if (tasksFile !== undefined && shots > 0 && trainFile === undefined)
    throw new UsageError(
      '--shots draws solved examples from --train FILE.jsonl: give it (e.g. the train.jsonl of build-instruct)',
    );
  const model = loadLanguageModel(path);
  if (model.scoring === 'pseudo')
    throw new LmkitError(`${path} is a masked LM: in-context learning needs a left-to-right model (a GPT)`, {
      hint: 'ask a BERT cloze questions with lmkit classify instead',
    });
  const t0 = performance.now();
  const tasks =
    tasksFile === undefined
      ? []
      : scoreTasksInContext(
          model,
          readConversations(tasksFile, perTask, true),
          trainFile === undefined || shots === 0 ? [] : readConversations(trainFile, Infinity, true),
          shots,
          { seed },
        );
  let classified;
  if (classify !== undefined) {
    const parts = await readLabelled('classify', classify, undefined);
    // evenly spaced through the file: a dataset in source order (SpamAssassin: ham folders first) would
    // otherwise give one label only
    const all = texts(isDatasetName(classify) ? parts.test : parts.valid);
    const step = Math.max(1, all.length / perTask);
    const test = Array.from({ length: Math.min(perTask, all.length) }, (_, i) => all[Math.floor(i * step)]);
    classified = scoreClassificationInContext(model, classify, test, texts(parts.train), shots, {
      seed,
      maxChars: a.number('max-chars') as number,
    });
  }
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
  if (a.json) {
    io.stdout.write(
      JSON.stringify({
        model: path,
        shots,
        block_size: model.contextLength,
        tasks,
        classify: classified,
        seconds,
      }) + '\n',
    );
    return;
  }
  io.stdout.write(`${path}: ${shots} shot${shots === 1 ? '' : 's'}, context ${model.contextLength} tokens\n`);
  const fitted = (r: { mean_shots: number; cut: number; over: number }, n: number) =>
    `${r.mean_shots.toFixed(2).padStart(6)} ${r.cut ? `${r.cut} of ${n} cut` : ''}${r.over ? `, ${r.over} over the window` : ''}`;
  if (tasks.length) {
    io.stdout.write(
      `${'task'.padEnd(22)} ${'turns'.padStart(6)} ${'exact'.padStart(7)} ${'F1'.padStart(6)}  shots fitted\n`,
    );
    for (const t of tasks)
      io.stdout.write(
        `${t.task.padEnd(22)} ${String(t.turns).padStart(6)} ${(100 * t.exact).toFixed(1).padStart(6)}% ${t.f1.toFixed(3).padStart(6)}  ${fitted(t, t.turns)}\n`,
      );
  }
  if (classified)
    io.stdout.write(
      `classify ${classified.task}: ${classified.examples} texts, accuracy ${classified.accuracy.toFixed(4)}, macro-F1 ${classified.macro_f1.toFixed(4)}; ` +
        `predicted ${Object.entries(classified.predicted)
          .map(([l, n]) => `${l} ${n}`)
          .join(', ')}; shots fitted ${fitted(classified, classified.examples).trim()}\n`,
    );
}
