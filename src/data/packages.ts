/**
 * Where dataset packages live: npm dependencies of lmkit (resolved like `import`), and large
 * packages installed on demand into lmkit's cache folder with `npm install --prefix`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LmkitError } from '../errors.js';
import { cacheDir } from '../util/home.js';

const require = createRequire(import.meta.url);

/** The folder of an npm dependency of lmkit; an error with `hint` when it is not installed. */
export function packageDir(name: string, hint: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new LmkitError(`npm package ${name} is not installed`, { hint });
  }
}

export { cacheDir };

/** The folder a package installed on demand has in the cache (it may not exist yet). */
export function cachedPackageDir(name: string, version: string): string {
  return join(cacheDir(), 'npm', `${name}@${version}`, 'node_modules', name);
}

/** Whether `name@version` has been installed into the cache. */
export function isCachedPackageInstalled(name: string, version: string): boolean {
  return existsSync(join(cachedPackageDir(name, version), 'package.json'));
}

/** Installs `name@version` into the cache (npm install --prefix into a temp folder, then rename). */
export async function installCachedPackage(
  name: string,
  version: string,
  log: NodeJS.WritableStream,
): Promise<string> {
  const prefix = join(cacheDir(), 'npm', `${name}@${version}`);
  if (isCachedPackageInstalled(name, version)) return cachedPackageDir(name, version);
  const tmp = `${prefix}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const args = [
    'install',
    '--prefix',
    tmp,
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `${name}@${version}`,
  ];
  log.write(`installing ${name}@${version} into ${prefix} (npm ${args.join(' ')})\n`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => log.write(c));
    child.stderr.on('data', (c: Buffer) => log.write(c));
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  }).catch((err: Error) => {
    throw new LmkitError(`cannot run npm to install ${name}: ${err.message}`, {
      hint: 'install Node.js with npm',
    });
  });
  if (code !== 0) {
    await rm(tmp, { recursive: true, force: true });
    throw new LmkitError(`npm install ${name}@${version} failed (exit code ${code})`, {
      hint: 'check the network access to the npm registry, then retry',
    });
  }
  await rm(prefix, { recursive: true, force: true });
  await rename(tmp, prefix);
  return cachedPackageDir(name, version);
}
