/**
 * Both arping-based GARP senders against a stand-in arping (a shell script that records its arguments
 * and exits as told): the argv, not-awaited announcements counted when they end, failures counted and
 * logged. No packet leaves this host: the stand-in sends nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createArpingGarpSender } from '../../../ha/arping-garp-sender.js';
import type { GarpSender } from '../../../ha/garp-sender.js';
import { createResidentArpingGarpSender } from '../../../ha/resident-arping-garp-sender.js';
import { createProcessRunner } from '../../../src/core/command-runner.js';
import { createMemoryLogger, type LogEntry } from '../../../src/core/logger.js';
import { ip } from './support/vrrp-fixtures.js';

async function standIn(t: { teardown(fn: () => Promise<void>): void }): Promise<{ path: string; calls: () => Promise<string[]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-arping-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'calls');
  const path = join(dir, 'arping');
  // Exits 3 for 192.0.2.99 (as arping does when the address is not on the interface), 0 otherwise.
  await writeFile(path, `#!/bin/sh\necho "$*" >> ${log}\nfor a; do last=$a; done\n[ "$last" = 192.0.2.99 ] && exit 3\nexit 0\n`, { mode: 0o755 });
  return { path, calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.length > 0) };
}

async function settled(sender: GarpSender, count: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const s = sender.snapshot();
    if (s.inFlight === 0 && s.succeeded + Object.values(s.failures).reduce((a, b) => a + b, 0) >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('announcements did not settle within 5 s');
}

const variants = [
  ['resident shell', (arpingPath: string, logs: LogEntry[]) => createResidentArpingGarpSender({ arpingPath }, { logger: createMemoryLogger(logs) })],
  ['command runner', (arpingPath: string, logs: LogEntry[]) => createArpingGarpSender({ arpingPath }, { runner: createProcessRunner(), logger: createMemoryLogger(logs) })],
] as const;

for (const [name, create] of variants) {
  test(`${name}: arping -U -c 1 -I dev vip per announcement; outcomes counted, failures logged`, async (t) => {
    const arping = await standIn(t);
    const logs: LogEntry[] = [];
    const sender = create(arping.path, logs);
    t.teardown(() => sender.close());
    sender.announce(ip('192.0.2.50'), 'eth0');
    sender.announce(ip('192.0.2.99'), 'eth0');
    t.is(sender.snapshot().started, 2);
    await settled(sender, 2);
    const s = sender.snapshot();
    t.is(s.succeeded, 1);
    t.is(s.failures['exit-nonzero'], 1);
    const calls = (await arping.calls()).filter((c) => c !== '-V');
    t.deepEqual(calls.map((c) => c.replace(/ -w 2/, '')).sort(), ['-q -U -c 1 -I eth0 192.0.2.50', '-q -U -c 1 -I eth0 192.0.2.99']);
    t.true(logs.some((l) => l.message === 'gratuitous arp failed' && l.fields['vip'] === '192.0.2.99'));
  });

  test(`${name}: after close, announcements are counted as closed and nothing runs`, async (t) => {
    const arping = await standIn(t);
    const sender = create(arping.path, []);
    sender.close();
    sender.announce(ip('192.0.2.50'), 'eth0');
    t.is(sender.snapshot().failures.closed, 1);
    await new Promise((r) => setTimeout(r, 100));
    t.deepEqual((await arping.calls()).filter((c) => c !== '-V'), []);
  });
}

test('resident shell: an interface name that could break its line protocol is refused', async (t) => {
  const arping = await standIn(t);
  const sender = createResidentArpingGarpSender({ arpingPath: arping.path }, { logger: createMemoryLogger() });
  t.teardown(() => sender.close());
  sender.announce(ip('192.0.2.50'), 'eth0 192.0.2.1\n1 eth1');
  t.is(sender.snapshot().failures['no-such-interface'], 1);
});
