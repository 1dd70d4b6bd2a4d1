/** Sets the BLAS thread count for a benchmark run (native backend only). */
import { kernels } from '../../src/tensor/index.js';

/** Sets OpenBLAS's thread count when the native backend is active. */
export function setThreads(n: number): void {
  const k = kernels() as unknown as { setThreads?: (n: number) => void };
  k.setThreads?.(n);
}
