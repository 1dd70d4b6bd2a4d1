/** The sampling flags of every command that generates text, from the one table of sampling parameters. */
import { SAMPLING_PARAMS, samplingParamOf } from '../generate/sampling-params.js';
import type { SamplingOptions } from '../generate/sample.js';
import type { FlagSpec, ParsedArgs } from './args.js';

/** The sampling parameters every generating command offers (the token limit is each command's own flag). */
const SHARED = ['temperature', 'topK', 'topP', 'repetitionPenalty', 'seed'] as const;

/** The flag of one sampling parameter, with the table's bounds (`overrides`: a default, a short name). */
export function samplingFlag(
  key: (typeof SAMPLING_PARAMS)[number]['key'],
  overrides: Partial<FlagSpec> = {},
): FlagSpec {
  const p = samplingParamOf(key);
  const unbounded = p.key === 'seed';
  return {
    name: p.flag,
    type: p.integer ? 'integer' : 'number',
    ...(unbounded ? {} : { min: p.min, max: p.max }),
    description: p.description,
    ...(p.key === 'temperature' ? { short: 't', default: 1 } : {}),
    ...overrides,
  };
}

/** --temperature, --top-k, --top-p, --repetition-penalty and --seed. */
export const SAMPLING_FLAGS: FlagSpec[] = SHARED.map((key) => samplingFlag(key));

/** The sampling options the flags ask for (absent flags left out; --max-tokens when the command has it). */
export function samplingOptions(a: ParsedArgs): SamplingOptions {
  const out: SamplingOptions = {};
  for (const p of SAMPLING_PARAMS) {
    const v = a.flags.has(p.flag) ? a.number(p.flag) : undefined;
    if (v !== undefined) out[p.key] = v;
  }
  return out;
}
