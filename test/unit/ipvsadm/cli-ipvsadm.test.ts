/**
 * `lvsd ipvsadm` through the CLI entry: registered with help and examples, and a command line that
 * fails to parse answers as ipvsadm does without touching the kernel (safe on any machine).
 */
import { Readable, Writable } from 'node:stream';
import test from 'ava';
import { main } from '../../../src/cli/main.js';
import { findCommand } from '../../../src/cli/registry.js';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function lvsd(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await main(argv, {}, { stdout, stderr, stdin: Readable.from([]) });
  return { code, out: stdout.text, err: stderr.text };
}

test('registered: lvsd help ipvsadm shows the usage and the classic examples', async (t) => {
  t.is(findCommand(['ipvsadm', '-Ln'])?.spec.name, 'ipvsadm');
  const r = await lvsd(['help', 'ipvsadm']);
  t.is(r.code, 0);
  t.regex(r.out, /^Usage: lvsd ipvsadm /m);
  t.regex(r.out, /lvsd ipvsadm -A -t 192\.0\.2\.1:80 -s rr/);
  t.regex(r.out, /lvsd ipvsadm -R < /);
});

test('a usage error: ipvsadm\'s message and exit code, no kernel needed', async (t) => {
  t.deepEqual(await lvsd(['ipvsadm', '-n', '-L']), { code: 255, out: '', err: "Try `lvsd ipvsadm -h' or 'lvsd ipvsadm --help' for more information.\n" });
  t.deepEqual(await lvsd(['ipvsadm', '-A', '-t', '192.0.2.1:0']), { code: 2, out: '', err: 'Zero port specified for non-persistent service\n' });
  const version = await lvsd(['ipvsadm', '--version']);
  t.is(version.code, 0);
  t.regex(version.out, /^ipvsadm v1\.31 2019\/12\/24 \(lvsd \S+, IPVS v1\.2\.1\)\n$/);
});
