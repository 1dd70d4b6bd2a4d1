/**
 * Publishing a training checkpoint as one unit. Its files (weights, tokenizer, config, optimizer moments,
 * train state) are written into a staging folder `DIR/.saving-STEP`, which is then marked committed and
 * its files renamed into DIR one by one. A process killed while writing leaves an uncommitted folder
 * (removed on recovery: DIR still holds the previous checkpoint whole); one killed while renaming leaves
 * a committed folder, whose remaining files recovery moves into place. Either way DIR ends up holding
 * every file of one step.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

const STAGING = /^\.saving-(\d+)$/;
const COMMITTED = 'COMMITTED';

/** A fresh, empty staging folder for the checkpoint of `step` in `dir`. */
export function stagingDir(dir: string, step: number): string {
  const staging = join(dir, `.saving-${step}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Marks `staging` complete and moves its files into `dir`, `last` last (the file loaders look for first). */
export function publish(dir: string, staging: string, last: string): void {
  writeFileAtomic(join(staging, COMMITTED), ['']);
  moveAll(dir, staging, last);
}

/** Finishes a publish cut short and drops staging folders that were never committed; safe to call any time. */
export function recoverCheckpoint(dir: string, last: string): void {
  if (!existsSync(dir)) return;
  const staged = readdirSync(dir)
    .map((name) => ({ name, step: STAGING.exec(name)?.[1] }))
    .filter((s) => s.step !== undefined)
    .sort((a, b) => Number(a.step) - Number(b.step));
  for (const { name } of staged) {
    const staging = join(dir, name);
    if (existsSync(join(staging, COMMITTED))) moveAll(dir, staging, last);
    else rmSync(staging, { recursive: true, force: true });
  }
}

/** Renames every file of `staging` but the marker into `dir` (`last` last), then removes `staging`. */
function moveAll(dir: string, staging: string, last: string): void {
  const files = readdirSync(staging).filter((f) => f !== COMMITTED && !f.startsWith('.'));
  files.sort((a, b) => Number(a === last) - Number(b === last));
  for (const f of files) renameSync(join(staging, f), join(dir, f));
  rmSync(staging, { recursive: true, force: true });
}
