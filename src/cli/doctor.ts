/** `lmkit doctor`: which tensor backend runs, the BLAS under it and its threads, for bug reports. */
import { cpus } from 'node:os';
import type { CommandGroup } from './args.js';
import { backendInfo } from '../tensor/backend.js';
import { homePaths } from '../util/home.js';

const ENV_VARS = [
  'LMKIT_BACKEND',
  'LMKIT_THREADS',
  'OPENBLAS_NUM_THREADS',
  'OPENBLAS_CORETYPE',
  'OPENBLAS_L2_SIZE',
  'LMKIT_HOME',
  'LMKIT_MODELS',
  'LMKIT_DB',
  'LMKIT_CACHE',
];

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
    async run(args, io) {
      const info = backendInfo();
      const env = Object.fromEntries(ENV_VARS.map((k) => [k, process.env[k] ?? null]));
      const report = {
        backend: info.backend,
        native: info.nativeLoaded ? 'loaded' : `not available: ${info.nativeError}`,
        blas: info.blas
          ? {
              library: info.blas.config,
              coreType: info.blas.corename,
              threads: info.blas.threads,
              processors: info.blas.procs,
            }
          : null,
        cpu: { model: cpus()[0]?.model ?? 'unknown', logicalCores: cpus().length },
        node: process.version,
        env,
        paths: Object.fromEntries(homePaths().map((p) => [p.name, p.path])),
      };
      if (args.json) {
        io.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return 0;
      }
      const lines = [
        `backend      ${report.backend}`,
        `native addon ${report.native}`,
        `BLAS         ${report.blas ? report.blas.library : '(none: ref backend uses TypeScript loops)'}`,
      ];
      if (report.blas) {
        lines.push(`core type    ${report.blas.coreType}`);
        lines.push(`BLAS threads ${report.blas.threads} of ${report.blas.processors} processors`);
      }
      lines.push(`CPU          ${report.cpu.model}, ${report.cpu.logicalCores} logical cores`);
      lines.push(`node         ${report.node}`);
      for (const p of homePaths()) lines.push(`${p.name.padEnd(12)} ${p.path}  ($${p.env})`);
      for (const [k, v] of Object.entries(env)) if (v !== null) lines.push(`env          ${k}=${v}`);
      io.stdout.write(lines.join('\n') + '\n');
      return 0;
    },
  },
};
