/** The JSON form of an evaluation summary, shared by `lmkit ngram eval` and `lmkit ngram query`. */
import type { EvalSummary } from '../../ngram/evaluate.js';

/** The summary as `--json` prints it (perplexities that are not finite as null). */
export function summaryJson(s: EvalSummary) {
  return {
    perplexity: finite(s.perplexity),
    perplexity_excl_oov: finite(s.perplexityExclOov),
    oov: s.oov,
    tokens: s.tokens,
    sentences: s.sentences,
    log10_prob: s.log10Prob,
    zero_prob_events: s.zeroProbEvents,
  };
}

/** v, or null when it is not finite (JSON has no infinity). */
export function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
