/**
 * A working in-memory IPVS kernel (STYLE 5: a fake is a working implementation, not a stub), for
 * planner, reconciler and CLI tests. It answers like ip_vs_ctl.c of Linux 6.1, with the same
 * IpvsError codes as the generic-netlink client, because it raises them through the same errno table:
 *   NEW_SERVICE: EEXIST; unknown scheduler or persistence engine: ENOENT
 *   SET/DEL_SERVICE, ZERO, GET_SERVICE: ESRCH when the service is missing
 *   NEW_DEST: ESRCH (no service), EEXIST, EINVAL (other family without tunnel, or while a sync daemon
 *   runs), ERANGE (lower threshold > upper); SET/DEL_DEST: ENOENT when the destination is missing
 *   GET_DEST of a missing service: an empty list (the kernel's dump finds nothing)
 *   NEW_DAEMON: EEXIST (that state runs), ENODEV (unknown interface); DEL_DAEMON: ESRCH
 *   SET_CONFIG: 0 or absent leaves a timeout unchanged
 * Tables keep insertion order. Values are validated exactly as the genl client does.
 */
import { ipFromBytes } from '../core/ip.js';
import type { IpvsCommandName } from './genl-codec.js';
import { abortedError, invalidArgument, type IpvsClient } from './ipvs-client.js';
import { Errno, IpvsError, ipvsErrorFromErrno } from './ipvs-error.js';
import {
  IPVS_SCHEDULERS,
  type IpvsDestination,
  type IpvsDestinationEntry,
  type IpvsDestinationKey,
  type IpvsInfo,
  type IpvsScheduler,
  type IpvsService,
  type IpvsServiceEntry,
  type IpvsServiceKey,
  type IpvsStats,
  type IpvsSyncDaemon,
  type IpvsSyncState,
  type IpvsTimeouts,
  ZERO_STATS,
  formatDestinationKey,
  formatServiceKey,
  ipFamilyOfServiceKey,
} from './model.js';
import { checkDaemon, checkDestination, checkService, checkServiceKey, checkTimeouts, type IpvsProblem } from './validate.js';

export interface MemoryIpvsOptions {
  /** Scheduler modules the "kernel" has; default all. */
  readonly schedulers?: readonly IpvsScheduler[];
  readonly persistenceEngines?: readonly string[];
  /** Interfaces a sync daemon may use; default lo, eth0, eth1, dummy0. */
  readonly interfaces?: readonly string[];
}

interface DestState {
  destination: IpvsDestination;
  activeConnections: number;
  inactiveConnections: number;
  persistentConnections: number;
  stats: IpvsStats;
}

interface ServiceState {
  service: IpvsService;
  stats: IpvsStats;
  readonly dests: Map<string, DestState>;
}

/** A mutating request the fake accepted, in order (what a planner test counts). */
export interface MemoryIpvsOperation {
  readonly command: IpvsCommandName;
  readonly vs?: string;
  readonly rs?: string;
}

const DEFAULT_TIMEOUTS: IpvsTimeouts = { tcpS: 900, tcpFinS: 120, udpS: 300 };
const DEFAULT_SYNC_GROUP = ipFromBytes(Uint8Array.of(224, 0, 0, 81));

export class MemoryIpvsClient implements IpvsClient {
  readonly operations: MemoryIpvsOperation[] = [];
  private readonly services = new Map<string, ServiceState>();
  private readonly daemons = new Map<IpvsSyncState, IpvsSyncDaemon>();
  private timeouts: IpvsTimeouts = DEFAULT_TIMEOUTS;
  private isClosed = false;
  private readonly schedulers: ReadonlySet<string>;
  private readonly persistenceEngines: ReadonlySet<string>;
  private readonly interfaces: ReadonlySet<string>;

  constructor(options: MemoryIpvsOptions = {}) {
    this.schedulers = new Set(options.schedulers ?? IPVS_SCHEDULERS);
    this.persistenceEngines = new Set(options.persistenceEngines ?? ['sip']);
    this.interfaces = new Set(options.interfaces ?? ['lo', 'eth0', 'eth1', 'dummy0']);
  }

  async getInfo(signal?: AbortSignal): Promise<IpvsInfo> {
    await this.enter('get-info', signal);
    return { versionCode: 0x010201, connectionTableSize: 4096 };
  }

  async listServices(signal?: AbortSignal): Promise<IpvsServiceEntry[]> {
    await this.enter('list-services', signal);
    return [...this.services.values()].map((s) => ({ service: s.service, stats: s.stats }));
  }

  async getService(key: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsServiceEntry | undefined> {
    await this.enter('get-service', signal, checkServiceKey(key));
    const s = this.services.get(formatServiceKey(key));
    return s === undefined ? undefined : { service: s.service, stats: s.stats };
  }

  async addService(service: IpvsService, signal?: AbortSignal): Promise<void> {
    await this.enter('new-service', signal, checkService(service));
    const id = formatServiceKey(service.key);
    if (this.services.has(id)) throw ipvsErrorFromErrno('new-service', Errno.EEXIST, { vs: id });
    this.requireModules('new-service', service);
    this.services.set(id, { service, stats: ZERO_STATS, dests: new Map() });
    this.record('new-service', id);
  }

  async editService(service: IpvsService, signal?: AbortSignal): Promise<void> {
    await this.enter('set-service', signal, checkService(service));
    const state = this.serviceState('set-service', service.key);
    this.requireModules('set-service', service);
    state.service = service;
    this.record('set-service', formatServiceKey(service.key));
  }

  async deleteService(key: IpvsServiceKey, signal?: AbortSignal): Promise<void> {
    await this.enter('del-service', signal, checkServiceKey(key));
    this.serviceState('del-service', key);
    this.services.delete(formatServiceKey(key));
    this.record('del-service', formatServiceKey(key));
  }

  async listDestinations(service: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsDestinationEntry[]> {
    await this.enter('list-dests', signal, checkServiceKey(service));
    const state = this.services.get(formatServiceKey(service));
    return state === undefined ? [] : [...state.dests.values()].map((d) => ({ ...d }));
  }

  async addDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void> {
    await this.enter('new-dest', signal, checkDestination(service, destination));
    const state = this.serviceState('new-dest', service);
    this.refuseMixedFamilyWithDaemon('new-dest', service, destination);
    const id = formatDestinationKey(destination.key);
    if (state.dests.has(id)) throw ipvsErrorFromErrno('new-dest', Errno.EEXIST, { vs: formatServiceKey(service), rs: id });
    state.dests.set(id, { destination, activeConnections: 0, inactiveConnections: 0, persistentConnections: 0, stats: ZERO_STATS });
    this.record('new-dest', formatServiceKey(service), id);
  }

  async editDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void> {
    await this.enter('set-dest', signal, checkDestination(service, destination));
    const dest = this.destState('set-dest', service, destination.key);
    this.refuseMixedFamilyWithDaemon('set-dest', service, destination);
    dest.destination = destination;
    this.record('set-dest', formatServiceKey(service), formatDestinationKey(destination.key));
  }

  async deleteDestination(service: IpvsServiceKey, destination: IpvsDestinationKey, signal?: AbortSignal): Promise<void> {
    await this.enter('del-dest', signal, checkServiceKey(service));
    this.destState('del-dest', service, destination);
    this.serviceState('del-dest', service).dests.delete(formatDestinationKey(destination));
    this.record('del-dest', formatServiceKey(service), formatDestinationKey(destination));
  }

  async zero(service: IpvsServiceKey | undefined, signal?: AbortSignal): Promise<void> {
    await this.enter('zero', signal, service === undefined ? [] : checkServiceKey(service));
    const targets = service === undefined ? [...this.services.values()] : [this.serviceState('zero', service)];
    for (const s of targets) {
      s.stats = ZERO_STATS;
      for (const d of s.dests.values()) d.stats = ZERO_STATS;
    }
    this.record('zero', service === undefined ? undefined : formatServiceKey(service));
  }

  async flush(signal?: AbortSignal): Promise<void> {
    await this.enter('flush', signal);
    this.services.clear();
    this.record('flush');
  }

  async getTimeouts(signal?: AbortSignal): Promise<IpvsTimeouts> {
    await this.enter('get-config', signal);
    return this.timeouts;
  }

  async setTimeouts(timeouts: Partial<IpvsTimeouts>, signal?: AbortSignal): Promise<void> {
    await this.enter('set-config', signal, checkTimeouts(timeouts));
    const pick = (value: number | undefined, current: number): number => (value === undefined || value === 0 ? current : value);
    this.timeouts = {
      tcpS: pick(timeouts.tcpS, this.timeouts.tcpS),
      tcpFinS: pick(timeouts.tcpFinS, this.timeouts.tcpFinS),
      udpS: pick(timeouts.udpS, this.timeouts.udpS),
    };
    this.record('set-config');
  }

  async listDaemons(signal?: AbortSignal): Promise<IpvsSyncDaemon[]> {
    await this.enter('list-daemons', signal);
    return [...this.daemons.values()];
  }

  async startDaemon(daemon: IpvsSyncDaemon, signal?: AbortSignal): Promise<void> {
    await this.enter('new-daemon', signal, checkDaemon(daemon));
    if (this.daemons.has(daemon.state)) throw ipvsErrorFromErrno('new-daemon', Errno.EEXIST);
    if (!this.interfaces.has(daemon.interfaceName)) throw ipvsErrorFromErrno('new-daemon', Errno.ENODEV);
    if (this.hasMixedFamilyDestinations()) throw ipvsErrorFromErrno('new-daemon', Errno.EINVAL);
    // The kernel fills in the defaults and GET_DAEMON reports them; maxlen is MTU 1500 minus the
    // IP and UDP headers (the real value depends on the interface's MTU).
    const isIpv6Group = daemon.group?.family === 6;
    this.daemons.set(daemon.state, {
      maxLength: isIpv6Group ? 1452 : 1472,
      group: DEFAULT_SYNC_GROUP,
      port: 8848,
      ttl: 1,
      ...daemon,
    });
    this.record('new-daemon');
  }

  async stopDaemon(state: IpvsSyncState, signal?: AbortSignal): Promise<void> {
    await this.enter('del-daemon', signal);
    if (!this.daemons.delete(state)) throw ipvsErrorFromErrno('del-daemon', Errno.ESRCH);
    this.record('del-daemon');
  }

  close(): void {
    this.isClosed = true;
  }

  /** Test hook: the connection counts the kernel would report for a destination (drain tests). */
  setConnections(service: IpvsServiceKey, destination: IpvsDestinationKey, counts: { active: number; inactive?: number; persistent?: number }): void {
    const dest = this.services.get(formatServiceKey(service))?.dests.get(formatDestinationKey(destination));
    if (dest === undefined) throw new Error(`no destination ${formatDestinationKey(destination)} in ${formatServiceKey(service)}`);
    dest.activeConnections = counts.active;
    dest.inactiveConnections = counts.inactive ?? 0;
    dest.persistentConnections = counts.persistent ?? 0;
  }

  private async enter(command: IpvsCommandName, signal: AbortSignal | undefined, problems: readonly IpvsProblem[] = []): Promise<void> {
    if (this.isClosed) throw new IpvsError('ERR_IPVS_CLOSED', 'the IPVS client is closed', { command });
    if (signal?.aborted === true) throw abortedError(command, signal);
    if (problems.length > 0) throw invalidArgument(command, problems);
    await Promise.resolve(); // answer asynchronously, as a socket would
  }

  private record(command: IpvsCommandName, vs?: string, rs?: string): void {
    this.operations.push({ command, ...(vs === undefined ? {} : { vs }), ...(rs === undefined ? {} : { rs }) });
  }

  private serviceState(command: IpvsCommandName, key: IpvsServiceKey): ServiceState {
    const state = this.services.get(formatServiceKey(key));
    if (state === undefined) throw ipvsErrorFromErrno(command, Errno.ESRCH, { vs: formatServiceKey(key) });
    return state;
  }

  private destState(command: IpvsCommandName, service: IpvsServiceKey, key: IpvsDestinationKey): DestState {
    const dest = this.serviceState(command, service).dests.get(formatDestinationKey(key));
    if (dest === undefined) throw ipvsErrorFromErrno(command, Errno.ENOENT, { vs: formatServiceKey(service), rs: formatDestinationKey(key) });
    return dest;
  }

  private requireModules(command: IpvsCommandName, service: IpvsService): void {
    const isPeMissing = service.persistenceEngine !== undefined && !this.persistenceEngines.has(service.persistenceEngine);
    if (!this.schedulers.has(service.scheduler) || isPeMissing) throw ipvsErrorFromErrno(command, Errno.ENOENT);
  }

  /** Validation (as in the genl client) has refused other families without tunnel; the kernel refuses them while syncing. */
  private refuseMixedFamilyWithDaemon(command: IpvsCommandName, service: IpvsServiceKey, dest: IpvsDestination): void {
    const isOtherFamily = dest.key.address.family !== ipFamilyOfServiceKey(service);
    if (isOtherFamily && this.daemons.size > 0) throw ipvsErrorFromErrno(command, Errno.EINVAL);
  }

  private hasMixedFamilyDestinations(): boolean {
    for (const s of this.services.values()) {
      const family = ipFamilyOfServiceKey(s.service.key);
      for (const d of s.dests.values()) if (d.destination.key.address.family !== family) return true;
    }
    return false;
  }
}
