/**
 * `lmkit ngram query` (flags in ../ngram.ts): scores text word by word like KenLM's query. Kept apart
 * from the other n-gram commands so that scoring one sentence loads little: the binary model reader,
 * the scorer and the output, no sampling, dataset or ARPA code unless the input needs it.
 */
import { LmkitError } from '../../errors.js';
import type { BackoffModel } from '../../ngram/backoff-model.js';
import { Evaluator, scoreSentence, type TokenScore } from '../../ngram/evaluate.js';
import { loadForScoring } from '../../ngram/load-for-scoring.js';
import { NativeScorer } from '../../ngram/native-score.js';
import { tokenizeSentence } from '../../ngram/tokenize.js';
import { EOS, EOS_WORD, UNK } from '../../ngram/vocabulary.js';
import { shortestFloat32 } from '../../util/float-format.js';
import type { CliIO, ParsedArgs } from '../args.js';
import { finite, summaryJson } from './ngram-summary.js';

/** `lmkit ngram query`. */
export async function query(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const model = await loadForScoring(a.positional('MODEL') as string);
  const file = a.positional('FILE');
  // The dataset readers load only when a file or dataset is named: scoring standard input starts faster.
  const text = file
    ? (await (await import('../../data/load.js')).loadSentences(file, { format: 'lines' })).join('\n')
    : await readStdin(io);
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const prepare = await preparer(model);
  const prepared = lines.map(prepare);
  const ev = new Evaluator(model);
  for (const scores of scoreLines(model, prepared)) {
    ev.addScored(scores);
    if (a.bool('summary-only')) continue;
    const total = scores.reduce((t, w) => t + w.log10p, 0);
    const oov = scores.filter((w) => w.oov).length;
    if (a.json) {
      io.stdout.write(
        JSON.stringify({
          words: scores.map((w) => ({ ...w, log10p: w.log10p === -Infinity ? null : w.log10p })),
          total: finite(total),
          oov,
        }) + '\n',
      );
    } else {
      io.stdout.write(
        scores.map((w) => `${w.word}=${w.id} ${w.matched} ${shortestFloat32(w.log10p)}\t`).join('') +
          `Total: ${shortestFloat32(total)} OOV: ${oov}\n`,
      );
    }
  }
  const s = ev.summary();
  if (a.json) io.stdout.write(JSON.stringify(summaryJson(s)) + '\n');
  else
    io.stdout.write(
      `Perplexity including OOVs:\t${s.perplexity}\nPerplexity excluding OOVs:\t${s.perplexityExclOov}\nOOVs:\t${s.oov}\nTokens:\t${s.tokens}\n`,
    );
}

/**
 * Each line's token scores: in C++ (native-score.ts) for word-level models when the addon is built,
 * else in TypeScript; both give the same ids, matched lengths and log10 p.
 */
function* scoreLines(model: BackoffModel, lines: string[]): Generator<TokenScore[]> {
  const native = model.info.level === 'word' ? NativeScorer.of(model) : null;
  if (!native) {
    for (const line of lines) yield scoreSentence(model, tokenizeSentence(line, model.info.level));
    return;
  }
  const bytes = Buffer.from(lines.join('\n'), 'utf8');
  const sentences = native.scoreTokens(bytes, 0, bytes.length, 0);
  if (typeof sentences === 'number') {
    throw new LmkitError(
      `the text contains the reserved token ${bytes[sentences + 1] === 0x2f ? '</s>' : '<s>'}`,
      { hint: 'sentence boundaries are added automatically: remove <s> and </s> from the input' },
    );
  }
  for (const tokens of sentences) {
    yield tokens.map((t) => ({
      word: t.id === EOS && t.length === 0 ? EOS_WORD : bytes.toString('utf8', t.start, t.start + t.length),
      id: t.id,
      matched: t.matched,
      log10p: t.log10p,
      oov: t.id === UNK,
    }));
  }
}

/** The preprocessing recorded in the model (lowercasing, classic cleaning, splitting), as one function of a line. */
async function preparer(model: BackoffModel): Promise<(line: string) => string> {
  const d = model.info.details ?? {};
  if (d.tokenize === true || d.clean === true) {
    const { prepareText } = await import('../../data/clean.js');
    const p = { tokenize: d.tokenize === true, clean: d.clean === true, lowercase: d.lowercase === true };
    return (line) => prepareText(p, line);
  }
  return d.lowercase === true ? (line) => line.toLowerCase() : (line) => line;
}

/** All of standard input as UTF-8 text: one synchronous read when the CLI runs for real, else its stream. */
async function readStdin(io: CliIO): Promise<string> {
  let buf = io.readStdin?.();
  if (!buf) {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    buf = Buffer.concat(chunks);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new LmkitError('standard input is not valid UTF-8 text', {
      hint: 'convert it first, e.g. with iconv -t utf-8',
    });
  }
}
