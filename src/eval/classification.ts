/**
 * Classification figures as scikit-learn computes them: accuracy, and macro-F1, the unweighted mean over
 * labels of F1 = 2·P·R / (P + R) (0 where P + R is 0), P = TP / (TP + FP), R = TP / (TP + FN), over the
 * labels that occur among the gold or predicted labels (`f1_score(average="macro")`).
 */

/** Accuracy and macro-F1 of predicted label ids against gold ones. */
export interface ClassificationScores {
  accuracy: number;
  macroF1: number;
  /** F1 of each label id (NaN for a label that occurs in neither list). */
  f1: number[];
}

/** Scores predictions `pred` against `gold` (label ids below `numLabels`, equal lengths). */
export function classificationScores(
  gold: ArrayLike<number>,
  pred: ArrayLike<number>,
  numLabels: number,
): ClassificationScores {
  if (gold.length !== pred.length)
    throw new Error(`classificationScores: ${gold.length} gold, ${pred.length} predicted`);
  const tp = new Float64Array(numLabels);
  const fp = new Float64Array(numLabels);
  const fn = new Float64Array(numLabels);
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === pred[i]) {
      right++;
      tp[gold[i]]++;
    } else {
      fp[pred[i]]++;
      fn[gold[i]]++;
    }
  }
  const f1 = Array.from({ length: numLabels }, (_, l) => {
    if (tp[l] + fp[l] + fn[l] === 0) return NaN;
    const p = tp[l] + fp[l] ? tp[l] / (tp[l] + fp[l]) : 0;
    const r = tp[l] + fn[l] ? tp[l] / (tp[l] + fn[l]) : 0;
    return p + r ? (2 * p * r) / (p + r) : 0;
  });
  const present = f1.filter((v) => !Number.isNaN(v));
  return {
    accuracy: gold.length ? right / gold.length : NaN,
    macroF1: present.length ? present.reduce((s, v) => s + v, 0) / present.length : NaN,
    f1,
  };
}
