import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clock, parseDuration, stageShare, trainingTime } from '../../src/speedrun/budget.js';
import { stageTable } from '../../src/speedrun/stages.js';
import { ROOT, tempDir } from '../helpers/paths.js';

const BIN = join(ROOT, 'bin', 'lmkit.js');
const HOME = tempDir('lmkit-speedrun-home-');
// one-layer models on a few hundred sentences; packages installed on demand come from the usual cache
const ENV = {
  ...process.env,
  LMKIT_HOME: HOME,
  LMKIT_CACHE: process.env.LMKIT_CACHE ?? join(homedir(), '.lmkit', 'cache'),
  LMKIT_SPEEDRUN_TINY: '1',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lmkit speedrun ARGS` as a process; `whileRunning` may act on it (kill its child). */
function speedrun(args: string[], whileRunning?: (pid: number) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'speedrun', ...args], { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (whileRunning) whileRunning(child.pid as number).catch(reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('speedrun budget', () => {
  it('reads durations and refuses what is not one', () => {
    assert.equal(parseDuration('5m'), 300);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('2.5m'), 150);
    assert.equal(parseDuration('45'), 45);
    for (const bad of ['', '5x', 'm', '0s', '5m x'])
      assert.throws(() => parseDuration(bad), /is not a duration/, bad);
    assert.equal(clock(3725), '1:02:05');
    assert.equal(clock(65), '1:05');
  });

  it('divides the time left by the weights of the stages still to run', () => {
    const weights = stageTable().map((s) => s.weight);
    const total = weights.reduce((a, b) => a + b, 0);
    // at the start, a stage gets its weight's share of the whole budget
    assert.equal(stageShare(300, 25, total), (300 * 25) / total);
    // the last stage gets all that is left, and an overrun leaves nothing to share
    assert.equal(stageShare(42, 1, 1), 42);
    assert.equal(stageShare(-5, 1, 3), 0);
    // training gets the share less its start-up and final evaluation allowance, at least a second
    assert.equal(trainingTime(100), 83);
    assert.equal(trainingTime(1), 1);
  });

  it('lists stages in the order of the road, and only kinds that exist', () => {
    const names = stageTable().map((s) => s.name);
    const order = ['data', 'tokenizer', 'kn3', 'kn5', 'nplm', 'rnn', 'gpt', 'sft', 'reward', 'dpo', 'ppo'];
    assert.deepEqual(
      names.filter((n) => order.includes(n)),
      order,
    );
    assert.deepEqual(names.slice(-3), ['evaluation', 'assistant', 'report']);
    assert.ok(names.includes('t5'), 'the T5 stage is listed now that t5 is a kind');
  });
});

describe('lmkit speedrun', () => {
  const out = join(tempDir('lmkit-speedrun-'), 'run');

  it('runs every stage end to end in a tiny budget and writes the report card', async () => {
    const r = await speedrun(['--budget', '20s', '--lang', 'en', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { ran: string[]; assistant: string };
    assert.deepEqual(
      summary.ran,
      stageTable().map((s) => s.name),
    );
    for (const s of summary.ran) assert.ok(existsSync(join(out, s, 'done.json')), s);
    // one progress display: stage k/n lines, each command line shown
    assert.match(r.stderr, /\[1\/\d+\] data: /);
    assert.match(r.stderr, /lmkit train --model gpt .*--max-time /);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const row of ['| kn3 |', '| kn5 |', '| nplm |', '| rnn |', '| gpt |'])
      assert.ok(md.includes(row), `the language model table has ${row}`);
    assert.match(md, /\| gpt \| gpt \(char\) \| \d+\.\d{3} \|/);
    assert.match(md, /pairwise accuracy/);
    assert.match(md, /gold score \/ KL to SFT/);
    assert.match(md, /A three-turn conversation with the assistant/);
    assert.match(md, /lmkit ngram train --order 5 --smoothing kn /);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.ok((html.match(/<svg/g) ?? []).length >= 4, 'loss curves inline');
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//, 'nothing loaded from elsewhere');
    // lmkit serve with no models now serves this run's assistant
    const latest = JSON.parse(readFileSync(join(HOME, 'speedrun.json'), 'utf8')) as { assistant: string };
    assert.ok(latest.assistant.endsWith(join('run', summary.assistant.split('/').slice(-2).join('/'))));
  });

  it('a killed stage stops the run with the command to rerun it; --resume redoes only that stage', async () => {
    const kept = ['data', 'sft', 'report'].map((s) => statSync(join(out, s, 'done.json')).mtimeMs);
    rmSync(join(out, 'gpt'), { recursive: true }); // as if the run had been stopped during GPT pretraining
    const killed = await speedrun(['--out', out, '--resume', '--lang', 'en'], async (pid) => {
      // once the GPT run has logged its first evaluation, kill the lmkit process training it
      for (let i = 0; i < 1200; i++, await sleep(25)) {
        if (!existsSync(join(out, 'gpt', 'metrics.jsonl'))) continue;
        let child: string | undefined;
        try {
          child = execFileSync('pgrep', ['-P', String(pid)])
            .toString()
            .trim()
            .split('\n')[0];
        } catch {
          continue; // between commands
        }
        process.kill(Number(child), 'SIGKILL');
        return;
      }
    });
    assert.equal(killed.code, 1, killed.stderr);
    assert.match(killed.stderr, /lmkit: error: stage gpt failed/);
    assert.match(killed.stderr, /command: lmkit train --model gpt /);
    assert.match(killed.stderr, new RegExp(`rerun this stage alone: lmkit speedrun --out ${out} --only gpt`));
    assert.ok(!existsSync(join(out, 'gpt', 'done.json')));
    const resumed = await speedrun(['--out', out, '--resume', '--lang', 'en', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const s = JSON.parse(resumed.stdout) as { ran: string[]; reused: string[] };
    assert.deepEqual(s.ran, ['gpt']);
    assert.ok(s.reused.includes('data') && s.reused.includes('report'));
    assert.ok(existsSync(join(out, 'gpt', 'done.json')));
    assert.deepEqual(
      ['data', 'sft', 'report'].map((x) => statSync(join(out, x, 'done.json')).mtimeMs),
      kept,
      'finished stages are not rerun',
    );
  });

  it('--only reruns the stages named; --skip leaves out a stage and those that need it', async () => {
    const only = await speedrun(['--out', out, '--only', 'kn3', '--lang', 'en', '--json']);
    assert.equal(only.code, 0, only.stderr);
    assert.deepEqual((JSON.parse(only.stdout) as { ran: string[] }).ran, ['kn3']);

    const fresh = join(tempDir('lmkit-speedrun-'), 'run');
    const skip = await speedrun(['--out', fresh, '--skip', 'data', '--lang', 'en', '--json']);
    assert.equal(skip.code, 0, skip.stderr);
    const s = JSON.parse(skip.stdout) as { ran: string[]; skipped: string[] };
    assert.deepEqual(s.ran, ['report'], 'every other stage needs the data');
    assert.ok(s.skipped.includes('gpt') && s.skipped.includes('data'));

    const needs = await speedrun(['--out', fresh, '--only', 'sft', '--lang', 'en']);
    assert.equal(needs.code, 2);
    assert.match(needs.stderr, /stage sft needs data, gpt, which has not finished/);
    const unknown = await speedrun(['--out', fresh, '--only', 'bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown stage 'bogus' \(the stages are: data, tokenizer,/);
  });

  it('a stage that fails on bad input stops the run with its error', async () => {
    const dir = join(tempDir('lmkit-speedrun-'), 'run');
    const r = await speedrun(['--out', dir, '--data', join(dir, 'missing.txt'), '--budget', '20s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /lmkit: error: stage data failed \(exit \d+\): .*missing\.txt/);
    assert.match(r.stderr, /--only data/);
    assert.ok(!existsSync(join(dir, 'data', 'done.json')));
  });
});
