/**
 * Rows of a matrix picked by index (a reward model reads the hidden state of each sequence's last token):
 * forward copies the rows, backward adds each output row's gradient back into the row it came from.
 */
import { ShapeError } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

/** x (N,C) at rows (M) → (M,C); a row may be picked more than once. */
export function gatherRows(x: Tensor, rows: Int32Array): Tensor {
  live(x);
  if (x.ndim !== 2) throw new ShapeError(`gatherRows: ${x.describe()} must be 2-D (N, C)`);
  const [N, C] = x.shape;
  const M = rows.length;
  for (const r of rows)
    if (!Number.isInteger(r) || r < 0 || r >= N)
      throw new ShapeError(`gatherRows: row ${r} is outside ${x.describe()}`);
  const out = empty([M, C], x.dtype);
  // out[m] = x[rows[m]]
  for (let m = 0; m < M; m++) out.data.set(x.data.subarray(rows[m] * C, (rows[m] + 1) * C), m * C);
  record('gatherRows', [x], [out], () => {
    // dx[rows[m]] += dout[m]
    const g = out.grad!;
    const gx = x.ensureGrad();
    for (let m = 0; m < M; m++) {
      const o = rows[m] * C;
      for (let c = 0; c < C; c++) gx[o + c] += g[m * C + c];
    }
  });
  return out;
}
