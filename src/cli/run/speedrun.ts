/** `lmkit speedrun`: runs the stages (src/speedrun/run.ts) and prints where the report is and how to serve the assistant. */
import { parseDuration } from '../../speedrun/budget.js';
import { runSpeedrun } from '../../speedrun/run.js';
import type { SpeedrunLang } from '../../speedrun/stages.js';
import type { CliIO, ParsedArgs } from '../args.js';

const list = (values: string[]) => values.flatMap((v) => v.split(',')).filter(Boolean);

/** `lmkit speedrun`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = a.string('out') as string;
  const s = await runSpeedrun({
    out,
    budget: a.string('budget') === undefined ? undefined : parseDuration(a.string('budget') as string),
    lang: a.string('lang') as SpeedrunLang,
    data: a.string('data'),
    only: list(a.list('only')),
    skip: list(a.list('skip')),
    resume: a.bool('resume'),
    log: io.stderr,
    tiny: process.env.LMKIT_SPEEDRUN_TINY === '1', // test-only: one-layer models, tiny data
  });
  if (a.json) io.stdout.write(JSON.stringify({ out, ...s }) + '\n');
  else {
    io.stdout.write(
      `speedrun finished in ${(s.seconds / 60).toFixed(1)} min: ${s.ran.length} stage(s) run` +
        (s.reused.length ? `, ${s.reused.length} reused` : '') +
        (s.skipped.length ? `, skipped ${s.skipped.join(', ')}` : '') +
        `\nreport: ${out}/report.md and ${out}/report.html\n`,
    );
    if (s.assistant) io.stdout.write(`serve the assistant: lmkit serve ${s.assistant}\n`);
  }
}
