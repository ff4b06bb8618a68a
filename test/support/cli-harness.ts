/** Runs the CLI's `main` in-process with captured output. */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliOutcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(argv, env, { stdout, stderr, stdin: new PassThrough() });
  return { code, stdout: out, stderr: err };
}
