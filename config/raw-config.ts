/**
 * What a syntax front end (YAML, keepalived.conf) hands to validation: plain data in the native
 * model's shape, a way to find where each key came from, and the issues found while reading.
 */
import type { ConfigIssue, SourceLocation } from './issues.js';

export type ConfigSyntax = 'yaml' | 'keepalived';
export type ConfigPath = readonly PropertyKey[];

export interface RawConfig {
  readonly syntax: ConfigSyntax;
  /** The main file's path as the user named it. */
  readonly file: string;
  /** Data in the shape of the native YAML model, before defaults. */
  readonly data: unknown;
  /** Where the value at `path` (or its nearest ancestor) was written. */
  locate(path: ConfigPath): SourceLocation;
  /** Problems found while reading: syntax errors, unsupported keywords (warnings). */
  readonly issues: readonly ConfigIssue[];
}

/**
 * A location index built by a translator: it records where it took each model path from.
 * Lookup walks up to the nearest recorded ancestor, then falls back to the file itself.
 */
export class LocationIndex {
  private readonly byPath = new Map<string, SourceLocation>();

  constructor(private readonly fallback: SourceLocation) {}

  set(path: ConfigPath, location: SourceLocation): void {
    this.byPath.set(key(path), location);
  }

  locate(path: ConfigPath): SourceLocation {
    for (let n = path.length; n >= 0; n--) {
      const found = this.byPath.get(key(path.slice(0, n)));
      if (found !== undefined) return found;
    }
    return this.fallback;
  }
}

function key(path: ConfigPath): string {
  return JSON.stringify(path.map((p) => (typeof p === 'symbol' ? p.toString() : p)));
}
