/**
 * The composition root of the running director (STYLE 7): builds the components from a validated
 * config and owns their lifecycle. Later features add their components here, in start order.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LvsdConfig } from '../../config/schema.js';
import type { ConfigSyntax } from '../../config/raw-config.js';
import { createControlServer } from '../control/control-server.js';
import { createLifecycle, type Lifecycle, type LifecycleSnapshot } from './lifecycle.js';
import { createPidFile } from './pid-file.js';
import { createStallMonitor } from './stall-monitor.js';
import { createIpvsReconciler, type IpvsReconciler, type SysctlAccess } from '../ipvs/ipvs-reconciler.js';
import { createFileOwnershipStore } from '../ipvs/file-ownership-store.js';
import { buildHealthPlan } from '../ipvs/health-plan.js';
import { createHealthWorkerComponent } from '../ipvs/health-worker-component.js';
import { createQuorumComponent, type QuorumComponent } from '../ipvs/quorum-component.js';
import type { IpvsClient } from '../ipvs/ipvs-client.js';
import type { CommandRunner } from '../core/command-runner.js';
import { createVrrpComponent } from '../vrrp/vrrp-component.js';
import { createHealthTakeoverGate } from '../vrrp/health-takeover-gate.js';

export interface DaemonDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pid: number;
  readonly hostname: string;
  /** Wall time, for status timestamps only. */
  readonly wallNow: () => Date;
  /** The kernel's IPVS, opened only when the config has virtual servers. */
  readonly openIpvsClient: (signal: AbortSignal) => Promise<IpvsClient>;
  readonly sysctl: SysctlAccess;
  /** Runs helper programs (notify and check scripts). */
  readonly runner: CommandRunner;
}

export interface ConfigSource {
  readonly file: string;
  readonly syntax: ConfigSyntax;
}

export interface DaemonSnapshot extends LifecycleSnapshot {
  readonly routerId: string;
  readonly pid: number;
  readonly version: string;
  readonly startedAt: string | undefined;
  readonly uptimeMs: number;
  readonly config: ConfigSource & { readonly loadedAt: string; readonly reloadCount: number };
}

export interface Daemon {
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  /** Phase three of a reload: the config was validated already. Returns what changed. */
  reload(config: LvsdConfig, source: ConfigSource): Promise<{ readonly changedSections: readonly string[]; readonly appliedAtRestart: readonly string[] }>;
  snapshot(): DaemonSnapshot;
}

export { LVSD_VERSION } from './version.js';
import { LVSD_VERSION } from './version.js';

export function createDaemon(config: LvsdConfig, source: ConfigSource, deps: DaemonDeps): Daemon {
  let current = config;
  let currentSource = source;
  let loadedAt = deps.wallNow().toISOString();
  let reloadCount = 0;
  let startedAtMs: number | undefined;
  let startedAt: string | undefined;
  const routerId = (): string => current.global.routerId ?? deps.hostname;
  const log = deps.logger.child({ component: 'daemon' });

  // Watches lvsd's own event loop from the first component on; probe deadlines discount its stalls.
  const stallMonitor = createStallMonitor({ clock: deps.clock, logger: deps.logger });
  const healthPlan = buildHealthPlan(config.ipvs);
  const health =
    healthPlan.realServers.length === 0
      ? undefined
      : // On a worker thread (STYLE 8): 10,000 checks a second in this loop delayed VRRP adverts by up
        // to 1 s (bench/health/README.md). The worker watches its own loop's stalls for probe deadlines.
        createHealthWorkerComponent(healthPlan, {
          clock: deps.clock,
          logger: deps.logger,
          runner: deps.runner,
          random: Math.random,
          onChange: () => void ipvs?.reconcile('health').catch(() => undefined),
          onVerdict: (realServerId) => quorum?.refresh(realServerId),
        });
  // Quorum verdicts (with their hysteresis memory) and keepalived's quorum and notify scripts.
  const quorum: QuorumComponent | undefined =
    config.ipvs.virtualServers.length === 0
      ? undefined
      : createQuorumComponent(config.ipvs, { logger: deps.logger, runner: deps.runner, ...(health === undefined ? {} : { health: health.view }) });
  const ipvs: IpvsReconciler | undefined =
    config.ipvs.virtualServers.length === 0
      ? undefined
      : createIpvsReconciler(config.ipvs, {
          clock: deps.clock,
          logger: deps.logger,
          openClient: deps.openIpvsClient,
          sysctl: deps.sysctl,
          ownership: createFileOwnershipStore(`${config.daemon.stateDir}/ipvs-owned.json`),
          ...(health === undefined ? {} : { health: health.view }),
          ...(quorum === undefined ? {} : { quorum: quorum.view }),
        });
  // Start order: IPVS is programmed before VRRP may take a VIP, so a new master forwards at once;
  // stop order is the reverse: VRRP hands over first, the IPVS table stays.
  const components = [
    // First, so stalls during the start of the others are seen too.
    stallMonitor,
    createPidFile(config.daemon.pidFile, deps.pid),
    // Health first: the first IPVS round already leaves out servers that start down (alpha).
    ...(health === undefined ? [] : [health]),
    // Before IPVS, so that the first round already knows each service's quorum; stops after it (omega scripts).
    ...(quorum === undefined ? [] : [quorum]),
    ...(ipvs === undefined ? [] : [ipvs]),
    ...(config.vrrp.instances.length === 0
      ? []
      : [
          createVrrpComponent(config.vrrp, {
            clock: deps.clock,
            logger: deps.logger,
            runner: deps.runner,
            // A director takes no VIP before its health checks have a first round of results.
            ...(health === undefined ? {} : { takeoverGate: createHealthTakeoverGate(() => health.hasCompletedFirstRound(), { clock: deps.clock, logger: deps.logger.child({ component: 'vrrp' }) }) }),
          }),
        ]),
    createControlServer(
      config.daemon.controlSocket,
      { status: () => daemon.snapshot(), ping: () => ({ pong: true }) },
      deps.logger,
    ),
  ];
  const lifecycle: Lifecycle = createLifecycle(components, deps);

  const daemon: Daemon = {
    async start(signal) {
      log.info('lvsd starting', { routerId: routerId(), pid: deps.pid, config: currentSource.file, syntax: currentSource.syntax });
      await lifecycle.startAll(signal);
      startedAtMs = deps.clock.now();
      startedAt = deps.wallNow().toISOString();
      log.info('lvsd started', { routerId: routerId(), components: components.length });
    },
    async stop() {
      log.info('lvsd stopping', { routerId: routerId() });
      await lifecycle.stopAll(current.daemon.stopTimeout);
      log.info('lvsd stopped', { routerId: routerId() });
    },
    async reload(next, nextSource) {
      const changedSections = (Object.keys(next) as (keyof LvsdConfig)[]).filter(
        (k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]),
      );
      // The IPVS table is reprogrammed live (only what changed is touched); other sections still
      // take effect at the next restart, and the log says so.
      const isIpvsLive = ipvs !== undefined && changedSections.includes('ipvs');
      const appliedAtRestart = changedSections.filter((k) => !(k === 'ipvs' && isIpvsLive));
      if (isIpvsLive) {
        const nextPlan = buildHealthPlan(next.ipvs);
        quorum?.update(next.ipvs);
        if (health !== undefined) health.setPlan(nextPlan);
        else if (nextPlan.realServers.length > 0) log.warn('health checks added by a reload start at the next restart; until then those real servers count as up');
        quorum?.refresh();
        await ipvs.update(next.ipvs);
      }
      current = next;
      currentSource = nextSource;
      loadedAt = deps.wallNow().toISOString();
      reloadCount++;
      return { changedSections, appliedAtRestart };
    },
    snapshot() {
      return {
        routerId: routerId(),
        pid: deps.pid,
        version: LVSD_VERSION,
        startedAt,
        uptimeMs: startedAtMs === undefined ? 0 : Math.round(deps.clock.now() - startedAtMs),
        config: { ...currentSource, loadedAt, reloadCount },
        ...lifecycle.snapshot(),
      };
    },
  };
  return daemon;
}
