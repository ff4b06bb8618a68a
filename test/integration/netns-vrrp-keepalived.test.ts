/**
 * Interop with keepalived 2.2.7 (Debian) in network namespaces on the host kernel, VRRPv3 and VRRPv2,
 * 1 s adverts, multicast over IP protocol 112:
 *  - lvsd master, keepalived with a higher priority joins: keepalived preempts and lvsd yields; keepalived
 *    is SIGKILLed (parent and VRRP child, no priority-0 advert): lvsd takes over within its master down
 *    interval;
 *  - keepalived master, lvsd with a higher priority joins: lvsd preempts and keepalived yields; lvsd is
 *    SIGKILLed: keepalived takes over within its master down interval.
 * The VIP is on exactly one director's eth0 while both run. Measured numbers go to t.log.
 */
import type { ExecutionContext } from 'ava';
import { requirePrereqs } from '../support/prereqs.js';
import { createVrrpLab, eventually, num, startDirector, startKeepalived } from './netns-vrrp-harness.js';

const gate = requirePrereqs(['root', 'netns', 'ip', 'keepalived']);

/** RFC 5798 / RFC 3768 section 6.1 at 1 s adverts for priority 100: 3 s + 156/256 s (both versions). */
const MDI_100_MS = 3609.375;
/** Timer dispatch, scheduling and log delivery between a timer's due time and the line we see. */
const DISPATCH_ALLOWANCE_MS = 100;

const wallNow = (): number => performance.timeOrigin + performance.now();

async function keepalivedYieldsThenDies(t: ExecutionContext, version: 2 | 3, authPass?: string): Promise<void> {
  const lab = await createVrrpLab(t, 2);
  const auth = authPass === undefined ? {} : { authPass };
  const lvsd = await startDirector(lab, 2, { vrid: 51, version, priority: 100, ...auth });
  const first = await lvsd.waitForState('master', 10_000);
  const keepalived = await startKeepalived(lab, 1, { version, priority: 200, ...auth });
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000);
  const yielded = await lvsd.waitForState('backup', 5_000, num(first, 'seq'));
  t.is(yielded['reason'], 'higher-priority-advert');
  t.deepEqual(await eventually(async () => ((await lab.holders()).length === 1 ? lab.holders() : undefined), 3_000), ['director-1']);

  const killedAt = wallNow();
  keepalived.kill();
  const took = await lvsd.waitForState('master', 10_000, num(yielded, 'seq'));
  const takeoverMs = num(took, 'wallTimeMs') - killedAt;
  t.is(took['reason'], 'master-silent');
  t.true(takeoverMs <= MDI_100_MS + DISPATCH_ALLOWANCE_MS, `lvsd took over ${takeoverMs.toFixed(1)} ms after keepalived died`);
  t.false(keepalived.lines().some((l) => /Invalid|invalid|bad|mismatch/.test(l)), 'keepalived complained about none of our adverts');
  t.log(`v${version}${authPass === undefined ? '' : ' PASS'}: keepalived SIGKILLed -> lvsd master after ${takeoverMs.toFixed(1)} ms (MDI ${MDI_100_MS} ms)`);
}

async function lvsdPreemptsThenDies(t: ExecutionContext, version: 2 | 3, authPass?: string): Promise<void> {
  const lab = await createVrrpLab(t, 2);
  const auth = authPass === undefined ? {} : { authPass };
  const keepalived = await startKeepalived(lab, 2, { version, priority: 100, ...auth });
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000);
  const before = keepalived.lines().length;
  const lvsd = await startDirector(lab, 1, { vrid: 51, version, priority: 200, ...auth });
  const preempt = await lvsd.waitForState('master', 10_000);
  t.is(preempt['reason'], 'preempting-lower-priority');
  await keepalived.waitForLine(/\(VI_1\) Master received advert from 192\.0\.2\.11 with higher priority 200, ours 100/, 3_000, before);
  await keepalived.waitForLine(/\(VI_1\) Entering BACKUP STATE/, 3_000, before);
  t.deepEqual(await eventually(async () => ((await lab.holders()).length === 1 ? lab.holders() : undefined), 3_000), ['director-1']);

  const afterPreempt = keepalived.lines().length;
  const killedAt = wallNow();
  lvsd.kill('SIGKILL');
  await keepalived.waitForLine(/\(VI_1\) Entering MASTER STATE/, 10_000, afterPreempt);
  const takeoverMs = wallNow() - killedAt;
  t.true(takeoverMs <= MDI_100_MS + DISPATCH_ALLOWANCE_MS, `keepalived took over ${takeoverMs.toFixed(1)} ms after lvsd died`);
  t.true(keepalived.lines().slice(afterPreempt).some((l) => l.includes('Receive advertisement timeout')));
  t.false(keepalived.lines().some((l) => /Invalid|invalid|bad|mismatch/.test(l)), 'keepalived complained about none of our adverts');
  t.log(`v${version}${authPass === undefined ? '' : ' PASS'}: lvsd SIGKILLed -> keepalived master after ${takeoverMs.toFixed(1)} ms (seen on its log pipe; MDI ${MDI_100_MS} ms)`);
}

gate.serial('keepalived v3 preempts lvsd, then dies: lvsd takes over', (t) => keepalivedYieldsThenDies(t, 3));
gate.serial('lvsd v3 preempts keepalived, then dies: keepalived takes over', (t) => lvsdPreemptsThenDies(t, 3));
gate.serial('keepalived v2 preempts lvsd, then dies: lvsd takes over', (t) => keepalivedYieldsThenDies(t, 2));
gate.serial('lvsd v2 with auth_type PASS preempts keepalived, then dies: keepalived takes over', (t) => lvsdPreemptsThenDies(t, 2, 'lvsd123'));
