/**
 * One answer, for every command, to "this path is not a model": what the path is (a folder of runs,
 * a text file, a tokenizer, part of a checkpoint...) and what would work instead.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { looksBinary } from '../data/text-file.js';
import { LmkitError } from '../errors.js';

const WHAT_WORKS =
  "a model is an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint folder from 'lmkit train'";
const NGRAM_NAME = /\.(arpa|arpa\.gz|bin)$/;

/** Whether `dir` is a checkpoint folder (it holds config.json). */
function isCheckpointDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json'));
}

/** The first bytes of a file (up to 4 KiB). */
function head(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether a file's first bytes look like an n-gram model lmkit reads (binary magic, gzip, ARPA). */
function looksLikeNGramFile(bytes: Buffer): boolean {
  if (bytes.subarray(0, 5).toString('latin1') === 'LMKIT') return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  return bytes.toString('latin1').includes('\\data\\');
}

/** Up to three entries of `dir` for which `keep` holds, as paths to give. */
function examples(dir: string, keep: (path: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .map((n) => join(dir, n))
    .filter(keep)
    .slice(0, 3);
}

/**
 * Throws an LmkitError saying what `path` is and what to give instead when it cannot be a model;
 * returns when it looks like one (the loader then reports any problem inside it). With `ngramOnly`,
 * checkpoint folders are refused too (the `ngram` commands).
 */
export function checkModelPath(path: string, options: { ngramOnly?: boolean } = {}): void {
  if (!existsSync(path)) {
    throw new LmkitError(`model ${path} does not exist`, {
      hint: `check the path; ${WHAT_WORKS}`,
    });
  }
  const stat = statSync(path);
  if (stat.isDirectory()) {
    if (isCheckpointDir(path)) {
      if (!options.ngramOnly) return;
      throw new LmkitError(`${path} is a checkpoint folder, not an n-gram file`, {
        hint: `'lmkit ngram' commands take .arpa/.bin files; 'lmkit generate', 'eval', 'chat' and 'serve' take ${path}`,
      });
    }
    const runs = examples(path, (p) => isCheckpointDir(p));
    if (runs.length) {
      throw new LmkitError(`${path} is a folder of runs, not a model`, {
        hint: `give one of them (or its best/ folder), e.g. ${runs.join(', ')}`,
      });
    }
    const files = examples(path, (p) => NGRAM_NAME.test(p));
    if (files.length) {
      throw new LmkitError(`${path} is a folder of n-gram models, not a model`, {
        hint: `give one of them, e.g. ${files.join(', ')}${options.ngramOnly ? '' : ` ('lmkit serve --models-dir ${path}' serves them all)`}`,
      });
    }
    throw new LmkitError(`${path} is a folder without config.json, so not a checkpoint`, {
      hint: WHAT_WORKS,
    });
  }
  if (!stat.isFile()) throw new LmkitError(`${path} is not a file or folder`, { hint: WHAT_WORKS });
  let bytes: Buffer;
  try {
    bytes = head(path);
  } catch {
    return; // unreadable: the loader names the reason
  }
  if (NGRAM_NAME.test(path) || looksLikeNGramFile(bytes)) return;
  const name = basename(path);
  const dir = dirname(path);
  if (
    isCheckpointDir(dir) &&
    /^(config\.json|model\.safetensors|tokenizer\.json|metrics\.jsonl|train_state)/.test(name)
  ) {
    throw new LmkitError(`${path} is a file inside the checkpoint ${dir}, not a model by itself`, {
      hint: `give the folder: ${dir}`,
    });
  }
  const text = bytes.toString('utf8');
  if (name.endsWith('.json') && /"added_tokens"|"model"\s*:\s*\{/.test(text)) {
    throw new LmkitError(`${path} is a tokenizer file, not a model`, {
      hint: `use it with 'lmkit tokenizer encode ${path} TEXT' or 'lmkit train --tokenizer ${path}'; ${WHAT_WORKS}`,
    });
  }
  if (bytes.length === 0 || looksBinary(bytes)) {
    throw new LmkitError(`${path} is ${bytes.length ? 'a binary file' : 'empty'}, not a model lmkit reads`, {
      hint: WHAT_WORKS,
    });
  }
  throw new LmkitError(`${path} is a text file, not a model`, {
    hint: `${WHAT_WORKS}; to train one on this text: lmkit ngram train ${path} --order 3 --out runs/model.bin`,
  });
}
