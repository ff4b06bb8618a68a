/**
 * The generic-netlink IPVS client against the real kernel IPVS of UML (Linux 6.1), ipvsadm 1.31 as the
 * oracle. One UML boot, one long-lived guest process (test/fixtures/ipvs/uml-ipvs-client-job.ts):
 * the IpvsClient contract (the same the in-memory fake passes), a round trip of every scheduler,
 * method and option through `ipvsadm -Sn` / `ipvsadm -R`, 10,000 destinations applied and dumped
 * without the netlink@0.3.0 overflow abort, and the 1,000 x 10 measurements (logged, not asserted).
 */
import { join } from 'node:path';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { silentLogger } from '../../src/core/logger.js';
import { IPVS_MODULES } from '../../src/lab/uml-modules.js';
import { runInUml } from '../../src/lab/uml-runner.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root', 'uml', 'ipvsadm', 'ip', 'sysctl']);

interface JobResult {
  rmemMax: number;
  checks: { name: string; ok: boolean; expected: string; actual: string }[];
  roundTrip: { isReadBackEqual: boolean; isEqual: boolean; written: string[]; restored: string[]; listing: string; thresholds: string; saved: string };
  scale: { services: number; destinations: number; ipvsadmLines: number; applyMs: number; dumpMs: number };
  bench: {
    lvsdApplyMs: number;
    lvsdApplyOps: number;
    lvsdApplyFailed: number;
    oneChangeOps: string[];
    oneChangeMutations: number;
    oneChangeRoundMs: number;
    oneChangeApplyMs: number;
    driftOps: string[];
    isDriftRepaired: boolean;
    ipvsadmRestoreMs: number;
    lvsdDumpMs: number;
    ipvsadmSaveMs: number;
    dumpedDestinations: number;
    restoredDestinations: number;
    savedLines: number;
  };
  snapshot: { peakInFlight: number; maxInFlight: number; recvBufferBytes: number; decodeFailures: Record<string, number> };
}

gate.test('uml ipvs client: contract, ipvsadm round trip, 10,000 destinations, reconciler rounds, 1,000 x 10 timings', async (t) => {
  const run = await runInUml(
    {
      job: { kind: 'node', entry: join(process.cwd(), 'dist/test/fixtures/ipvs/uml-ipvs-client-job.js') },
      modules: [...IPVS_MODULES, 'ip_vs_pe_sip', 'dummy', 'ipv6'],
      timeoutMs: 240_000,
    },
    { runner: createProcessRunner(), logger: silentLogger, pathEnv: process.env['PATH'] ?? '', nodePath: process.execPath, cwd: process.cwd() },
  );
  t.is(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
  const r = run.result as JobResult | undefined;
  if (r === undefined) return t.fail(`no result; stderr:\n${run.stderr}`);

  for (const c of r.checks) t.true(c.ok, `${c.name}\n  expected ${c.expected}\n  actual   ${c.actual}`);
  t.is(r.checks.length, 27);

  // lvsd reads back what it wrote; what ipvsadm saved and restored reads back the same too, but for
  // the connection thresholds, which ipvsadm 1.31's -S does not print (checked with --thresholds).
  t.true(r.roundTrip.isReadBackEqual);
  t.true(r.roundTrip.isEqual, `written:\n${r.roundTrip.written.join('\n')}\nrestored:\n${r.roundTrip.restored.join('\n')}`);
  for (const line of [
    '-A -u 192.0.2.11:53 -s sh -o -b sh-fallback,sh-port',
    '-A -u 192.0.2.11:54 -s mh -b mh-port',
    '-A --sctp-service 192.0.2.12:3868 -s wrr -p 360 -M 255.255.255.0',
    '-A -u 192.0.2.13:5060 -s rr -p 60 --pe sip',
    '-A -t [2001:db8::10]:443 -s wlc -p 1800 -M 64',
    '-A -f 7 -s lc -p 300 -M 0.0.0.0',
    '-A -f 8 -6 -s sed',
    '-a -t 192.0.2.10:1000 -r 192.0.2.21:8080 -m -w 3',
    '-a -t 192.0.2.10:1000 -r 192.0.2.24:1000 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum',
    '-a -t 192.0.2.10:1000 -r 192.0.2.25:1000 -i -w 1 --tun-type gre --tun-csum',
    '-a -t 192.0.2.10:1000 -r [2001:db8::25]:1000 -i -w 7 --tun-type ipip',
  ]) {
    t.true(r.roundTrip.saved.split('\n').includes(line), `ipvsadm -Sn lacks: ${line}\n${r.roundTrip.saved}`);
  }
  t.regex(r.roundTrip.thresholds, /^ {2}-> 192\.0\.2\.21:8080 +100 +10 +0 +0 *$/m);
  t.regex(r.roundTrip.listing, /^UDP {2}192\.0\.2\.11:53 sh \(sh-fallback,sh-port\) ops$/m);
  t.regex(r.roundTrip.listing, /^ {2}-> \[2001:db8::25\]:1000 +Tunnel +7 +0 +0 *$/m);

  // 10,000 destinations: applied, dumped by lvsd and listed by ipvsadm, the process alive.
  t.like(r.scale, { services: 100, destinations: 10_000, ipvsadmLines: 10_000 });
  t.is(r.snapshot.peakInFlight, 32);
  t.deepEqual(r.snapshot.decodeFailures, {});

  // A reconciler round from empty, one weight change, drift repair.
  t.like(r.bench, { lvsdApplyOps: 11_000, lvsdApplyFailed: 0, dumpedDestinations: 10_000 });
  t.deepEqual(r.bench.oneChangeOps, ['edit-destination:changed']);
  t.is(r.bench.oneChangeMutations, 1);
  t.deepEqual(r.bench.driftOps, ['add-destination:missing']);
  t.true(r.bench.isDriftRepaired);
  t.is(r.bench.restoredDestinations, 10_000);
  t.is(r.bench.savedLines, 11_000);
  t.log(
    `UML run ${Math.round(run.durationMs)} ms; rmem_max ${r.rmemMax}, SO_RCVBUF granted ${r.snapshot.recvBufferBytes}; ` +
      `10,000 dests: apply ${r.scale.applyMs} ms, dump ${r.scale.dumpMs} ms; ` +
      `1,000 x 10: lvsd apply ${r.bench.lvsdApplyMs} ms vs ipvsadm -R ${r.bench.ipvsadmRestoreMs} ms ` +
      `(ratio ${(r.bench.lvsdApplyMs / r.bench.ipvsadmRestoreMs).toFixed(2)}), ` +
      `lvsd dump ${r.bench.lvsdDumpMs} ms vs ipvsadm -Sn ${r.bench.ipvsadmSaveMs} ms (ratio ${(r.bench.lvsdDumpMs / r.bench.ipvsadmSaveMs).toFixed(2)}); ` +
      `one weight change: ${r.bench.oneChangeMutations} netlink mutation, round (dump + plan + apply) ${r.bench.oneChangeRoundMs} ms, plan + apply ${r.bench.oneChangeApplyMs} ms`,
  );
});
