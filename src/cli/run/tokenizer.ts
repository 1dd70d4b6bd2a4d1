/** What the `lmkit tokenizer` commands do when they run (their flags and help are in ../tokenizer.ts). */
import { CHAT_TOKENS } from '../../chat/template.js';
import { loadSentences } from '../../data/load.js';
import { type TextFormat } from '../../data/sentences.js';
import { LmkitError, UsageError } from '../../errors.js';
import { BPETokenizer } from '../../tokenizers/bpe.js';
import { trainBPE } from '../../tokenizers/bpe-train.js';
import { resolveTokenizer, saveTokenizer, type SavableTokenizer } from '../../tokenizers/tokenizer-file.js';
import { readingBar } from '../../util/progress.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit tokenizer train`. */
export async function train(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = args.string('out');
  const vocabSize = args.number('vocab-size');
  if (!out || vocabSize === undefined)
    throw new UsageError(
      'lmkit tokenizer train needs --vocab-size N and --out FILE',
      "run 'lmkit tokenizer train --help' for usage",
    );
  const listed = (args.string('special') ?? '').split(',').filter((s) => s);
  const specialTokens = [...new Set([...listed, ...(args.bool('chat') ? Object.values(CHAT_TOKENS) : [])])];
  const reading = readingBar(io.stderr);
  const sentences = await loadSentences(args.positional('SOURCE') as string, {
    split: args.string('split'),
    format: args.string('format') as TextFormat,
    onRead: reading.update,
  }).finally(reading.done);
  const bytes = sentences.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  const start = performance.now();
  const tokenizer = trainBPE(sentences, {
    vocabSize,
    specialTokens,
    minFrequency: args.number('min-frequency'),
  });
  const seconds = (performance.now() - start) / 1000;
  saveTokenizer(tokenizer, out);
  const facts = {
    out,
    vocabSize: tokenizer.vocabSize,
    merges: tokenizer.merges.length,
    specialTokens,
    sentences: sentences.length,
    bytes,
    seconds: Number(seconds.toFixed(3)),
  };
  if (args.json) io.stdout.write(JSON.stringify(facts) + '\n');
  else {
    io.stderr.write(
      `wrote ${out}: ${n(tokenizer.vocabSize)} tokens (${n(tokenizer.merges.length)} merges, ` +
        `${specialTokens.length} special) from ${n(sentences.length)} sentences, ` +
        `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`,
    );
    if (tokenizer.vocabSize < vocabSize)
      io.stderr.write(
        `note: no pair occurs ${args.number('min-frequency')}+ times any more, so the vocabulary stopped below ${n(vocabSize)}\n`,
      );
  }
}

/** `lmkit tokenizer encode`. */
export async function encode(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
  const text = args.positional('TEXT') ?? (await readStdin(io));
  let ids: number[];
  if (tokenizer instanceof BPETokenizer)
    ids = tokenizer.encode(text, { allowedSpecial: args.bool('allow-special') ? 'all' : 'none' });
  else if (args.bool('allow-special'))
    throw new UsageError(`--allow-special applies to BPE tokenizers (this one is ${tokenizer.kind})`);
  else ids = tokenizer.encode(text);
  if (args.json)
    io.stdout.write(
      JSON.stringify({
        ids,
        tokens: ids.map((id) => tokenizer.idToToken(id)),
        pieces: ids.map((id) => tokenizer.decode([id])),
      }) + '\n',
    );
  else io.stdout.write(ids.join(' ') + '\n');
}

/** `lmkit tokenizer decode`. */
export async function decode(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
  const given = args.rest('IDS');
  const ids = parseIds(given.length ? given.join(' ') : await readStdin(io));
  const text =
    tokenizer instanceof BPETokenizer
      ? tokenizer.decode(ids, { keepSpecial: args.bool('keep-special') })
      : tokenizer.decode(ids);
  io.stdout.write(args.bool('newline') ? text + '\n' : text);
}

/** `lmkit tokenizer show`. */
export async function show(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
  const info = describe(tokenizer, args.number('merges') as number);
  if (args.json) {
    io.stdout.write(JSON.stringify(info, null, 2) + '\n');
    return;
  }
  const lines = [
    `kind:        ${info.kind}`,
    `vocabulary:  ${n(info.vocabSize)} tokens`,
    `special:     ${info.specialTokens.map((s) => `${s.token}=${s.id}`).join(' ') || 'none'}`,
  ];
  if (info.merges !== undefined) {
    lines.push(`merges:      ${n(info.merges)}`);
    const row = (m: MergeInfo) =>
      `  ${String(m.rank).padStart(7)}  ${m.left} + ${m.right} → ${m.token} (${m.id}) ${JSON.stringify(m.text)}`;
    lines.push('first merges:', ...(info.firstMerges ?? []).map(row));
    lines.push('last merges:', ...(info.lastMerges ?? []).map(row));
  }
  io.stdout.write(lines.join('\n') + '\n');
}

const n = (x: number) => x.toLocaleString('en-US');

interface MergeInfo {
  rank: number;
  left: string;
  right: string;
  token: string;
  id: number;
  /** The token's bytes read as UTF-8 (U+FFFD where a character is cut). */
  text: string;
}

function describe(tokenizer: SavableTokenizer, count: number) {
  if (!(tokenizer instanceof BPETokenizer)) {
    const specials = Object.entries(tokenizer.special).filter(([, id]) => id !== undefined) as [
      string,
      number,
    ][];
    return {
      kind: tokenizer.kind,
      vocabSize: tokenizer.vocabSize,
      specialTokens: specials.map(([, id]) => ({ token: tokenizer.idToToken(id), id })),
      merges: undefined,
    };
  }
  const merge = (rank: number): MergeInfo => {
    const [left, right] = tokenizer.merges[rank];
    const id = tokenizer.tokenToId(left + right) as number;
    return { rank, left, right, token: left + right, id, text: tokenizer.decode([id]) };
  };
  const total = tokenizer.merges.length;
  const first = Math.min(count, total);
  const last = Math.min(count, total - first);
  return {
    kind: tokenizer.kind,
    vocabSize: tokenizer.vocabSize,
    specialTokens: tokenizer.specialTokens.map((token) => ({
      token,
      id: tokenizer.tokenToId(token) as number,
    })),
    merges: total,
    firstMerges: Array.from({ length: first }, (_, i) => merge(i)),
    lastMerges: Array.from({ length: last }, (_, i) => merge(total - last + i)),
  };
}

function parseIds(text: string): number[] {
  const fields = text
    .replace(/[[\]]/g, ' ')
    .split(/[\s,]+/)
    .filter((f) => f);
  return fields.map((f) => {
    if (!/^\d+$/.test(f)) throw new UsageError(`not a token id: '${f}'`, 'token ids are whole numbers ≥ 0');
    return Number(f);
  });
}

async function readStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new LmkitError('standard input is not valid UTF-8 text', {
      hint: 'convert it first, e.g. with iconv -t utf-8',
    });
  }
}
