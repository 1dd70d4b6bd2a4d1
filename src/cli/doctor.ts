/** `lmkit doctor`: which tensor backend runs, the BLAS under it and its threads, for bug reports. */
import type { CommandGroup } from './args.js';

/** The `doctor` command group. */
export const DOCTOR: CommandGroup = {
  name: 'doctor',
  summary: "show the tensor backend, BLAS, CPU, threads and lmkit's folders (home, models, history, cache)",
  command: {
    name: 'doctor',
    summary: "show the tensor backend, BLAS, CPU, threads and lmkit's folders (home, models, history, cache)",
    details:
      'The native backend is the C++ addon over OpenBLAS built at install; ref is plain TypeScript.\n' +
      'LMKIT_BACKEND=ref|native forces one; LMKIT_THREADS sets the BLAS threads.\n' +
      'Also shows where lmkit keeps things: $LMKIT_HOME (~/.lmkit) holds models/, history.db and cache/\n' +
      '(packages installed on demand); $LMKIT_MODELS, $LMKIT_DB and $LMKIT_CACHE move each one.',
    flags: [],
    positionals: [],
    json: true,
    load: () => import('./run/doctor.js').then((m) => m.run),
  },
};
