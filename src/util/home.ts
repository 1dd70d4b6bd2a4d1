/**
 * lmkit's one home folder and what lives in it. Everything lmkit keeps between runs goes under
 * $LMKIT_HOME (default ~/.lmkit), and each part can be moved on its own:
 *
 *   models/      served by `lmkit serve` with no MODEL ($LMKIT_MODELS)
 *   history.db   chat history of `serve` and `chat` ($LMKIT_DB)
 *   cache/       packages installed on demand, e.g. `data install tang` ($LMKIT_CACHE)
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Reads a path from the environment, treating an empty value as unset. */
function fromEnv(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** lmkit's home folder: $LMKIT_HOME, else ~/.lmkit. */
export function lmkitHome(): string {
  return fromEnv('LMKIT_HOME') ?? join(homedir(), '.lmkit');
}

/** The models folder `lmkit serve` serves by default: $LMKIT_MODELS, else $LMKIT_HOME/models. */
export function defaultModelsDir(): string {
  return fromEnv('LMKIT_MODELS') ?? join(lmkitHome(), 'models');
}

/** The chat history database of `serve` and `chat`: $LMKIT_DB, else $LMKIT_HOME/history.db. */
export function defaultHistoryPath(): string {
  return fromEnv('LMKIT_DB') ?? join(lmkitHome(), 'history.db');
}

/** The cache of packages installed on demand: $LMKIT_CACHE, else $LMKIT_HOME/cache. */
export function cacheDir(): string {
  return fromEnv('LMKIT_CACHE') ?? join(lmkitHome(), 'cache');
}

/** Every location with the variable that moves it, for `lmkit doctor`. */
export function homePaths(): { name: string; path: string; env: string }[] {
  return [
    { name: 'home', path: lmkitHome(), env: 'LMKIT_HOME' },
    { name: 'models', path: defaultModelsDir(), env: 'LMKIT_MODELS' },
    { name: 'history', path: defaultHistoryPath(), env: 'LMKIT_DB' },
    { name: 'cache', path: cacheDir(), env: 'LMKIT_CACHE' },
  ];
}
