/**
 * The latest speedrun's assistant, remembered in lmkit's home folder ($LMKIT_HOME/speedrun.json) so that
 * `lmkit serve` with no model arguments serves it ahead of the Brown trigram default.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lmkitHome } from '../util/home.js';

function pointer(): string {
  return join(lmkitHome(), 'speedrun.json');
}

/** Records `assistant` (a checkpoint folder) as the latest speedrun's, from the run in `out`. */
export function recordLatestAssistant(assistant: string, out: string): void {
  mkdirSync(lmkitHome(), { recursive: true });
  writeFileAtomic(pointer(), [JSON.stringify({ assistant, out, finished: new Date().toISOString() }) + '\n']);
}

/** The latest speedrun's assistant folder, if one was recorded and still exists. */
export function latestAssistant(): string | undefined {
  try {
    const { assistant } = JSON.parse(readFileSync(pointer(), 'utf8')) as { assistant?: unknown };
    return typeof assistant === 'string' && existsSync(join(assistant, 'config.json'))
      ? assistant
      : undefined;
  } catch {
    return undefined;
  }
}
