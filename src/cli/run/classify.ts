/** What `lmkit classify` does when it runs (its flags and help are in ../classify.ts). */
import { readFileSync } from 'node:fs';
import { isDatasetName } from '../../data/datasets.js';
import { LmkitError, UsageError } from '../../errors.js';
import { classificationScores } from '../../eval/classification.js';
import { BERT_CLASSIFIER_KIND, BertClassifier } from '../../models/bert-classifier.js';
import { ClozeClassifier, parseVerbalizer } from '../../models/bert-cloze.js';
import { BertMaskedLM } from '../../models/bert.js';
import { checkpointKind, readConfigJSON } from '../../models/checkpoint.js';
import { readLabelled, readLabelledFile, type LabelledItem } from '../../train/classify.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** Labels and, where the model gives them, label probabilities for texts. */
interface Labeller {
  labels: readonly string[];
  /** Each text's label probabilities in label order (a head: 1 for its choice). */
  probabilities(texts: readonly string[]): Float64Array[];
}

/** The model of MODEL: a cloze question to a masked LM (flags, else the PET run's), or a classifier head. */
function labeller(path: string, a: ParsedArgs): Labeller {
  const kind = checkpointKind(readConfigJSON(path));
  if (kind === BERT_CLASSIFIER_KIND) {
    if (a.string('pattern') !== undefined || a.string('verbalizer') !== undefined)
      throw new UsageError(
        `${path} is a classifier with its own head: --pattern and --verbalizer are for a masked LM`,
      );
    const c = BertClassifier.load(path);
    if (c.task !== 'sequence') throw new LmkitError(`${path} tags words; classify labels whole texts`);
    return {
      labels: c.labels,
      probabilities: (texts) =>
        c
          .predict(texts.map((t) => c.frame(c.tokenizer.encode(t))))
          .map(([l]) => Float64Array.from(c.labels, (_, i) => (i === l ? 1 : 0))),
    };
  }
  if (kind !== 'bert')
    throw new LmkitError(`${path} holds a ${kind ?? 'model of unknown kind'}, not a BERT`, {
      hint: 'classify needs a BERT masked LM (lmkit train --model bert) or a BERT classifier (--objective classify)',
    });
  const saved = ClozeClassifier.savedSpec(path);
  const pattern = a.string('pattern') ?? saved?.pattern;
  const words = a.string('verbalizer');
  const verbalizer = words === undefined ? saved?.verbalizer : parseVerbalizer(words);
  if (pattern === undefined || verbalizer === undefined)
    throw new UsageError(
      `${path} is a masked LM: give the cloze question with --pattern and --verbalizer`,
      '--pattern "{text} This message is [MASK]." --verbalizer spam=junk,ham=fine',
    );
  return new ClozeClassifier(BertMaskedLM.load(path), { pattern, verbalizer });
}

/** The labelled texts of --data at --split. */
async function labelled(data: string, split: string | undefined): Promise<LabelledItem[]> {
  if (!isDatasetName(data)) {
    if (split !== undefined && split !== 'all')
      throw new UsageError(`--split ${split} is for a dataset; a file is scored whole`);
    return readLabelledFile('classify', data);
  }
  const parts = await readLabelled('classify', data, undefined);
  const s = split ?? 'test';
  return s === 'all'
    ? [...parts.train, ...parts.valid, ...parts.test]
    : parts[s as 'train' | 'valid' | 'test'];
}

/** `lmkit classify`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<void> {
  const path = a.positional('MODEL') as string;
  const data = a.string('data');
  const texts = a.rest('TEXT');
  const file = a.string('file');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    texts.push(...text.split(/\r?\n/).filter((l) => l.trim() !== ''));
  }
  if (data === undefined && !texts.length)
    throw new UsageError(
      'give texts to label, --file FILE (one per line), or --data FILE.jsonl|spam to score',
    );
  if (data !== undefined && texts.length) throw new UsageError('give texts or --data, not both');
  const model = labeller(path, a);
  if (data === undefined) {
    model.probabilities(texts).forEach((p, i) => {
      const best = p.indexOf(Math.max(...p));
      const probabilities = Object.fromEntries(model.labels.map((l, j) => [l, p[j]]));
      if (a.json)
        io.stdout.write(JSON.stringify({ text: texts[i], label: model.labels[best], probabilities }) + '\n');
      else
        io.stdout.write(
          `${model.labels[best]}\t${model.labels.map((l, j) => `${l} ${p[j].toFixed(4)}`).join('  ')}\t${texts[i]}\n`,
        );
    });
    return;
  }
  const items = await labelled(data, a.string('split'));
  const gold = items.map((it) => {
    const i = 'label' in it ? model.labels.indexOf(it.label) : -1;
    if (i < 0)
      throw new LmkitError(
        `${it.where}: label ${JSON.stringify('label' in it ? it.label : '')} is not one of the model's labels (${model.labels.join(', ')})`,
        { hint: 'give each label of the data a --verbalizer word' },
      );
    return i;
  });
  const pred = model
    .probabilities(items.map((it) => ('label' in it ? it.text : '')))
    .map((p) => p.indexOf(Math.max(...p)));
  const { accuracy, macroF1 } = classificationScores(gold, pred, model.labels.length);
  const predicted = Object.fromEntries(model.labels.map((l, i) => [l, pred.filter((p) => p === i).length]));
  const split = isDatasetName(data) ? (a.string('split') ?? 'test') : 'all';
  if (a.json)
    io.stdout.write(
      JSON.stringify({
        model: path,
        data,
        split,
        examples: items.length,
        accuracy,
        macro_f1: macroF1,
        predicted,
      }) + '\n',
    );
  else
    io.stdout.write(
      `${data} (${split}, ${items.length} examples): accuracy ${accuracy.toFixed(4)}, macro-F1 ${macroF1.toFixed(4)}; ` +
        `predicted ${Object.entries(predicted)
          .map(([l, n]) => `${l} ${n}`)
          .join(', ')}\n`,
    );
}
