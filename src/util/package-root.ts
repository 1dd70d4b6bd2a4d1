/** The lmkit package root, found from a module's location (build outputs and native addons live there). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this file with lmkit's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'lmkit')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the lmkit package root');
    dir = up;
  }
}
