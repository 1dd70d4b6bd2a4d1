/** What `lmkit doctor` does when it runs (its flags and help are in ../doctor.ts). */
import { cpus } from 'node:os';
import { backendInfo } from '../../tensor/backend.js';
import { homePaths } from '../../util/home.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** The environment variables the report shows. */
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

/** `lmkit doctor`. */
export async function run(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}
