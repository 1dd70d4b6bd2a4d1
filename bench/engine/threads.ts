/** Sets the BLAS thread count for a benchmark run (native backend only). */
import { setBlasThreads } from '../../src/tensor/index.js';

/** Sets OpenBLAS's thread count. */
export function setThreads(n: number): void {
  setBlasThreads(n);
}
