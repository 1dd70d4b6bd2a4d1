/**
 * The simulated labeler of InstructGPT's data collection: a model (normally the SFT policy) samples K
 * responses to each prompt, a programmatic judge (eval/judges.ts) scores them, and the scores become a
 * ranking, best first, equal scores tied in one group. Identical responses are kept once and empty ones
 * dropped; a prompt left with fewer than two responses, or whose responses all tie, gives no ranking
 * (nothing is preferred). Sampling is the same batched sampler as `lmkit generate`, K samples per prompt
 * decoded together, each with its own seed.
 */
import type { ChatMessage } from '../chat/conversation.js';
import { chatTemplateFor, replyTo } from '../chat/template.js';
import type { JudgedPrompt } from '../data/preferences/prompts.js';
import { judged, type Judge } from '../eval/judges.js';
import { generateBatch, type BatchableModel } from '../generate/batch.js';
import { neverSampled } from '../generate/sample.js';
import { Rng } from '../util/rng.js';

/** How to sample. */
export interface LabelOptions {
  /** K: responses sampled per prompt. */
  samples: number;
  maxTokens: number;
  temperature: number;
  seed: number;
  /** Sequences decoded together. */
  batchSize: number;
  /** Names the model in each record's source. */
  modelName: string;
  onProgress?(prompts: number): void;
}

/** A ranking record in TRL's K-wise shape, with how it was labelled. */
export interface RankingRecord {
  prompt: ChatMessage[];
  /** The responses continue the prompt's last (assistant) message. */
  continue_final_message?: true;
  responses: string[];
  ranking: number[][];
  labeler: string;
  judge_scores: number[];
  reference?: string;
  task: string;
  lang: string;
  source: string;
  license: string;
}

/** What labelling gave: the rankings, and how many prompts gave none because every response tied or was empty. */
export interface Labelled {
  records: RankingRecord[];
  allTied: number;
  tooFew: number;
  /** Each prompt's mean judge score over its K samples (before deduplication), in order. */
  meanScores: number[];
}

/** Samples K responses per prompt from `model` and ranks them with each prompt's judge. */
export async function labelWithJudges(
  model: BatchableModel,
  prompts: readonly JudgedPrompt[],
  judges: ReadonlyMap<string, Judge>,
  o: LabelOptions,
): Promise<Labelled> {
  const template = chatTemplateFor(model.tokenizer);
  const jobs = prompts.flatMap((p, i) => Array.from({ length: o.samples }, (_, k) => ({ i, k })));
  const texts: string[][] = prompts.map(() => []);
  for (let s = 0; s < jobs.length; s += o.batchSize) {
    const chunk = jobs.slice(s, s + o.batchSize);
    const results = await generateBatch(
      model,
      chunk.map(({ i }) => template.render(prompts[i].prompt, { continueFinal: true })),
      {
        maxTokens: o.maxTokens,
        temperature: o.temperature,
        stopTokens: template.endOfTurn,
        suppressTokens: neverSampled(model.tokenizer),
        rngs: chunk.map(({ i, k }) => new Rng(o.seed + i * o.samples + k)),
      },
    );
    results.forEach((r, j) => texts[chunk[j].i].push(replyTo(template, prompts[chunk[j].i].prompt, r.text)));
    o.onProgress?.(Math.floor((s + chunk.length) / o.samples));
  }
  const out: Labelled = { records: [], allTied: 0, tooFew: 0, meanScores: [] };
  prompts.forEach((p, i) => {
    const judge = judges.get(p.judge)!;
    const meta = p.reference === undefined ? {} : { reference: p.reference };
    const where = `prompt ${i + 1} (${JSON.stringify(p.prompt[p.prompt.length - 1].content)})`;
    out.meanScores.push(
      texts[i].reduce((sum, t) => sum + judged(judge, t, meta, where), 0) / texts[i].length,
    );
    const responses = [...new Set(texts[i].filter((t) => t.trim()))];
    if (responses.length < 2) {
      out.tooFew++;
      return;
    }
    const scores = responses.map((t) => judged(judge, t, meta, where));
    const levels = [...new Set(scores)].sort((a, b) => b - a);
    if (levels.length < 2) {
      out.allTied++;
      return;
    }
    out.records.push({
      prompt: p.prompt,
      ...(p.continue_final_message ? { continue_final_message: true as const } : {}),
      responses,
      ranking: levels.map((v) => scores.flatMap((s, j) => (s === v ? [j] : []))),
      labeler: `judge:${judge.name}`,
      judge_scores: scores,
      ...(p.reference === undefined ? {} : { reference: p.reference }),
      task: p.task,
      lang: p.lang,
      source: `${p.source}; responses sampled from ${o.modelName} (K = ${o.samples}, temperature ${o.temperature})`,
      license: p.license,
    });
  });
  return out;
}
