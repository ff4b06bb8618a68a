/**
 * A minimal `--name value` parser for the lab's small entry points (http-name-server-main,
 * prober-main, scenario mains). Pure. Unknown flags and missing values are errors, never ignored.
 */
import { err, ok, type Result } from '../core/result.js';

export type FlagKind = 'string' | 'integer';
export type FlagSpec = Readonly<Record<string, { readonly kind: FlagKind; readonly isRequired?: boolean; readonly min?: number }>>;
export type FlagValues = Record<string, string | number>;

export function parseFlags(argv: readonly string[], spec: FlagSpec): Result<FlagValues, string> {
  const values: FlagValues = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    if (!flag.startsWith('--')) return err(`unexpected argument "${flag}"`);
    const name = flag.slice(2);
    const def = spec[name];
    if (def === undefined) return err(`unknown option ${flag} (known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')})`);
    const raw = argv[i + 1];
    if (raw === undefined) return err(`option ${flag} needs a value`);
    if (def.kind === 'integer') {
      if (!/^-?\d+$/.test(raw)) return err(`option ${flag}: "${raw}" is not an integer`);
      const n = Number(raw);
      if (def.min !== undefined && n < def.min) return err(`option ${flag}: ${n} is below ${def.min}`);
      values[name] = n;
    } else {
      values[name] = raw;
    }
  }
  for (const [name, def] of Object.entries(spec)) {
    if (def.isRequired === true && values[name] === undefined) return err(`option --${name} is required`);
  }
  return ok(values);
}
