/**
 * The built-in instruction dataset: every source's examples, duplicates removed, split into train and
 * test by a hash of each conversation (FNV-1a of its messages' JSON; hash % 10 == 0 tests), so the split
 * is the same on every run and an example keeps its side when other sources change.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { fnv1a, type InstructExample, type InstructSource } from './example.js';
import { DEBIAN_FAQ_EN, DEBIAN_FAQ_ZH } from './debian-faq.js';
import { JOKES } from './jokes.js';
import { SYNTHETIC_EN, SYNTHETIC_ZH } from './synthetic.js';
import { TANG300 } from './tang300.js';
import { WORDNET } from './wordnet.js';
import { XIEHOUYU } from './xiehouyu.js';

/** Every instruction source, English first. */
export const INSTRUCT_SOURCES: readonly InstructSource[] = [
  WORDNET,
  JOKES,
  DEBIAN_FAQ_EN,
  SYNTHETIC_EN,
  XIEHOUYU,
  TANG300,
  DEBIAN_FAQ_ZH,
  SYNTHETIC_ZH,
];

/** Options of {@link buildInstruct}. */
export interface BuildInstructOptions {
  lang: 'en' | 'zh' | 'all';
  /** At most this many examples per source. */
  maxPerSource: number;
  /** Where installs report progress. */
  log: NodeJS.WritableStream;
}

/** Per-source facts of a build. */
export interface SourceReport {
  name: string;
  lang: 'en' | 'zh';
  license: string;
  origin: string;
  train: number;
  test: number;
  /** Why the source gave nothing (an optional package missing). */
  skipped?: string;
}

/** The dataset: train and test examples and what each source gave. */
export interface InstructDataset {
  train: InstructExample[];
  test: InstructExample[];
  sources: SourceReport[];
}

/** Whether an example goes to the test split. */
export function isTestExample(e: Pick<InstructExample, 'messages'>): boolean {
  return fnv1a(JSON.stringify(e.messages)) % 10 === 0;
}

/** Builds the dataset, installing the packages it reads when they are missing. */
export async function buildInstruct(o: BuildInstructOptions): Promise<InstructDataset> {
  const out: InstructDataset = { train: [], test: [], sources: [] };
  const seen = new Set<string>();
  for (const source of INSTRUCT_SOURCES) {
    if (o.lang !== 'all' && source.lang !== o.lang) continue;
    await source.ensure(o.log);
    const report: SourceReport = {
      name: source.name,
      lang: source.lang,
      license: source.license,
      origin: source.origin,
      train: 0,
      test: 0,
    };
    const skipped = source.missing?.();
    if (skipped) {
      out.sources.push({ ...report, skipped });
      continue;
    }
    for (const e of await source.examples(o.maxPerSource)) {
      const key = JSON.stringify(e.messages);
      if (seen.has(key)) continue;
      seen.add(key);
      if (isTestExample(e)) {
        out.test.push(e);
        report.test++;
      } else {
        out.train.push(e);
        report.train++;
      }
    }
    out.sources.push(report);
  }
  return out;
}

/** Writes train.jsonl, test.jsonl and sources.json into `dir`, atomically. */
export function writeInstruct(dir: string, d: InstructDataset): void {
  mkdirSync(dir, { recursive: true });
  const lines = (examples: InstructExample[]) => examples.map((e) => JSON.stringify(e) + '\n');
  writeFileAtomic(join(dir, 'train.jsonl'), lines(d.train));
  writeFileAtomic(join(dir, 'test.jsonl'), lines(d.test));
  writeFileAtomic(join(dir, 'sources.json'), [JSON.stringify(d.sources, null, 2) + '\n']);
}
