/**
 * One failover as the client sees it: director-1 (priority 200) becomes master, director-2 (100)
 * backup, the client probes the responder on the VIP; once director-1 has answered for a while, its
 * link is pulled at the switch; the probes go on until well past the backup's master down interval,
 * and the longest run of failed probes is the gap. The cut falls half an advert interval after one of
 * the master's adverts (watched live in the client namespace), for both implementations alike. A
 * capture in the client namespace times the same
 * takeover on the wire, to the microsecond: from the master's last advert to the backup's first
 * advert and gratuitous ARP. lvsd and keepalived run exactly the same steps.
 */
import { systemClock, sleep } from '../../src/core/clock.js';
import { parseProberOutput } from '../../src/lab/prober-lines.js';
import { LAB_VIP } from '../../src/lab/topology-plan.js';
import { wireTakeover, type WireTakeover } from './advert-capture.js';
import { analyzeFailoverProbes, type FailoverGap } from './vrrp-bench-analysis.js';
import { BACKUP_PRIORITY, BENCH_VRID, MASTER_PRIORITY, planFailoverTiming, type FailoverSetting, type VrrpImplementation } from './vrrp-bench-plan.js';
import type { BenchDirector, PacketCapture, VrrpBenchLab } from './vrrp-bench-lab.js';

const FIRST_ANSWER_TIMEOUT_MS = 15_000;
const PROBER_STOP_GRACE_MS = 2_000;

export interface FailoverSample extends FailoverGap {
  /** The backup logged its move to master within the watch. */
  readonly hasBackupTakenOver: boolean;
  /** Takeovers by the backup while the master was still linked (spurious, before the measurement). */
  readonly backupTakeoversBeforeLinkDown: number;
  readonly wire: WireTakeover | undefined;
}

export async function measureFailover(lab: VrrpBenchLab, implementation: VrrpImplementation, setting: FailoverSetting): Promise<FailoverSample> {
  const timing = planFailoverTiming(setting);
  const { advertIntervalCs, version } = setting;
  await lab.reset();
  const started: Pick<BenchDirector, 'stop'>[] = [];
  let capture: PacketCapture | undefined;
  try {
    capture = await lab.startCapture();
    const master = await lab.startDirector(implementation, 1, { priority: MASTER_PRIORITY, advertIntervalCs, version });
    started.push(master);
    await master.waitForState('master', timing.electionTimeoutMs);
    const backup = await lab.startDirector(implementation, 2, { priority: BACKUP_PRIORITY, advertIntervalCs, version });
    started.push(backup);
    const watch = await lab.startAdvertWatch(lab.director(1).address.text);
    started.push({ stop: async () => void (await watch.stop(PROBER_STOP_GRACE_MS)) });
    const prober = await lab.startProber({ count: timing.proberCount, intervalMs: setting.probeIntervalMs, timeoutMs: setting.probeTimeoutMs, maxDurationMs: timing.proberMaxDurationMs });
    await prober.waitForLine((l) => l.includes('"outcome":"ok"') && l.includes('"server":"director-1"'), { timeoutMs: FIRST_ANSWER_TIMEOUT_MS });
    await sleep(systemClock, timing.steadyMs);
    // Half an advert interval after one of the master's adverts, the same for both implementations:
    // the client's gap depends on when the link goes down relative to the master's last advert
    // (between MDI - advert_int and MDI); a delay counted from start would favour whichever
    // implementation happens to start in the better phase.
    let skip = watch.lines('stdout').length;
    await watch.waitForLine((l) => skip-- <= 0 && l.includes('VRRP'), { timeoutMs: timing.electionTimeoutMs });
    await sleep(systemClock, (advertIntervalCs * 10) / 2);
    const backupTakeoversBeforeLinkDown = backup.transitionsInto('master');
    const cutSeq = parseProberOutput(prober.lines('stdout').join('\n')).records.length;
    const linkDownAt = performance.now();
    await lab.setLink(1, false);
    // The capture's clock is the wall clock: every master advert it holds left before this moment.
    const linkDownWallMs = Date.now();
    const takeover = waitForNewTakeover(backup, backupTakeoversBeforeLinkDown, timing.watchMs);
    await sleep(systemClock, Math.max(0, linkDownAt + timing.watchMs - performance.now()));
    const hasBackupTakenOver = await takeover;
    await prober.stop(PROBER_STOP_GRACE_MS);
    const records = parseProberOutput(prober.lines('stdout').join('\n')).records;
    const packets = await capture.stop();
    capture = undefined;
    const wire = wireTakeover(packets, { master: lab.director(1).address.text, backup: lab.director(2).address.text, vrid: BENCH_VRID, vip: LAB_VIP.text, linkDownMs: linkDownWallMs });
    return { ...analyzeFailoverProbes(records, 'director-2', { cutSeq, isStoppedEarly: true }), hasBackupTakenOver, backupTakeoversBeforeLinkDown, wire };
  } finally {
    await Promise.all(started.map((d) => d.stop()));
    await capture?.stop().catch(() => undefined);
  }
}

/** Resolves true once the backup logged one more move to master than `before`, false after `timeoutMs`. */
async function waitForNewTakeover(backup: BenchDirector, before: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (backup.transitionsInto('master') > before) return true;
    await sleep(systemClock, 5);
  }
  return backup.transitionsInto('master') > before;
}
