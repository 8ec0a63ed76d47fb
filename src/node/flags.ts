// Command-line flags: splitting argv, and checking flag values against zod schemas so that
// every value is validated, with a message naming the flag, before anything uses it.
import { z } from 'zod';

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string>;
  /** Flags given without a value (their value in `flags` is "true"). */
  bare: string[];
}

/** Splits `a b --key value --key=value --switch` into positional words and flags; a repeated flag is refused. */
export function parseFlags(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  // No prototype: a flag named like an Object member (--constructor) is just an unknown flag.
  const flags: Record<string, string> = Object.create(null);
  const bare: string[] = [];
  const set = (name: string, value: string) => {
    if (Object.hasOwn(flags, name)) throw new Error(`--${name} is given twice.`);
    flags[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        set(arg.slice(2), argv[++i]);
      } else {
        set(arg.slice(2), 'true');
        bare.push(arg.slice(2));
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags, bare };
}

/** A flag's text as a number when it is one ("abc", "NaN", "" stay text, for the schema to refuse). */
function asNumber(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

/** A number flag: its text read as a number, then checked by `schema`. */
export function numberFlag<T extends z.ZodType>(schema: T) {
  return z.preprocess(asNumber, schema);
}

/**
 * An integer flag from `min` (to `max` when given, with the reason for that bound). One message
 * for every way to miss, so the user reads the rule rather than which check failed first.
 */
export function integerFlag(min: number, max?: number, why?: string) {
  const rule = max === undefined
    ? `must be an integer of at least ${min}`
    : `must be an integer from ${min} to ${max}${why ? ` (${why})` : ''}`;
  const n = z.number({ error: rule }).int({ error: rule }).min(min, { error: rule });
  return numberFlag(max === undefined ? n : n.max(max, { error: rule }));
}

/** Refuses flags a command does not take, listing those it does, then flags given no value. */
export function checkFlagNames(args: ParsedArgs, valid: string[], subject: string): void {
  const unknown = Object.keys(args.flags).filter((k) => !valid.includes(k));
  if (unknown.length) {
    const takes = valid.length ? `it takes ${valid.map((k) => `--${k}`).join(', ')}` : 'it takes no flags';
    throw new Error(`${subject} does not take ${unknown.map((k) => `--${k}`).join(', ')}; ${takes}.`);
  }
  if (args.bare.length) throw new Error(`--${args.bare[0]} needs a value.`);
}

/**
 * Flag values through a schema, or an error naming the first flag that fails, what it must be
 * and what it got. Schema messages are written as the rest of the sentence after the flag
 * ("must be …"); enums say their options.
 */
export function parseFlagValues<S extends z.ZodType>(schema: S, flags: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0]);
  const given = flags[name];
  if (given === undefined) throw new Error(`--${name} is required.`);
  const rule = issue.code === 'invalid_value' ? `must be one of ${issue.values.join(', ')}` : issue.message;
  throw new Error(`--${name} ${rule}; got ${given}.`);
}
