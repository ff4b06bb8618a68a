/**
 * `ipvsadm -R` input: one ipvsadm command line per line, split on blanks (no quoting, no comments,
 * as ipvsadm's config_stream), an optional leading "ipvsadm" word, blank lines skipped. Every line
 * is parsed before anything is applied; the first bad line is reported by number. Unlike ipvsadm,
 * which runs listings and help found in the file, only table changes are accepted. Pure.
 */
import { EXIT, isTableChange, type IpvsadmCommand, type NameLookup } from './ipvsadm-command.js';
import { parseIpvsadmArgs } from './parse-ipvsadm-args.js';

export interface RestoreLine {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly text: string;
  readonly command: IpvsadmCommand;
}

export type RestoreParse =
  | { readonly ok: true; readonly lines: readonly RestoreLine[] }
  | { readonly ok: false; readonly line: number; readonly text: string; readonly message: string; readonly exitCode: number };

/** The words of one input line, as ipvsadm would pass them to its parser. */
export function restoreLineWords(text: string): string[] {
  const words = text.split(/[ \t\r\n\v\f]+/).filter((w) => w !== '');
  return words[0] === 'ipvsadm' ? words.slice(1) : words;
}

export function parseRestoreInput(input: string, names: NameLookup, program: string): RestoreParse {
  const lines: RestoreLine[] = [];
  const texts = input.split('\n');
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] ?? '';
    const words = restoreLineWords(text);
    if (words.length === 0) continue;
    const line = i + 1;
    const parsed = parseIpvsadmArgs(words, names, program);
    if (!parsed.ok) return { ok: false, line, text, message: parsed.message, exitCode: parsed.exitCode };
    const command = parsed.command;
    if (command.kind === 'restore') {
      return { ok: false, line, text, message: `-R cannot be nested in a restore file`, exitCode: EXIT.failed };
    }
    if (!isTableChange(command)) {
      return {
        ok: false,
        line,
        text,
        message: 'only table changes can be restored (-A -E -D -C -a -e -d -Z --set --start-daemon --stop-daemon)',
        exitCode: EXIT.usage,
      };
    }
    lines.push({ line, text, command });
  }
  return { ok: true, lines };
}
