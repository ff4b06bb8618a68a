/**
 * Every privileged IPVS operation behind one interface (STYLE 5), owned by its consumers: the
 * reconciler and `lvsd ipvsadm`. Implementations: genl-ipvs-client.ts (the kernel, over generic
 * netlink) and memory-ipvs-client.ts (a working in-memory kernel for tests).
 *
 * Errors are IpvsError with stable codes (ipvs-error.ts), identical in both implementations.
 * Every call takes an AbortSignal; an aborted call rejects with ERR_IPVS_ABORTED (a request already
 * handed to the kernel may still take effect).
 */
import { IpvsError } from './ipvs-error.js';
import type {
  IpvsDestination,
  IpvsDestinationEntry,
  IpvsDestinationKey,
  IpvsInfo,
  IpvsService,
  IpvsServiceEntry,
  IpvsServiceKey,
  IpvsSyncDaemon,
  IpvsSyncState,
  IpvsTimeouts,
} from './model.js';
import type { IpvsCommandName } from './genl-codec.js';
import type { IpvsProblem } from './validate.js';

export interface IpvsClient {
  getInfo(signal?: AbortSignal): Promise<IpvsInfo>;

  listServices(signal?: AbortSignal): Promise<IpvsServiceEntry[]>;
  /** Undefined when the service does not exist. */
  getService(key: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsServiceEntry | undefined>;
  /** ERR_IPVS_EXISTS (service), ERR_IPVS_NO_SUCH_SCHEDULER. */
  addService(service: IpvsService, signal?: AbortSignal): Promise<void>;
  /** Edits in place (scheduler, flags, persistence); ERR_IPVS_NOT_FOUND (service). */
  editService(service: IpvsService, signal?: AbortSignal): Promise<void>;
  /** Deletes the service and its destinations; ERR_IPVS_NOT_FOUND (service). */
  deleteService(key: IpvsServiceKey, signal?: AbortSignal): Promise<void>;

  /** An empty list when the service does not exist (the kernel's dump finds nothing). */
  listDestinations(service: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsDestinationEntry[]>;
  /** ERR_IPVS_NOT_FOUND (service), ERR_IPVS_EXISTS (destination). */
  addDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void>;
  /** ERR_IPVS_NOT_FOUND (service or destination). */
  editDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void>;
  deleteDestination(service: IpvsServiceKey, destination: IpvsDestinationKey, signal?: AbortSignal): Promise<void>;

  /** Zeroes the counters of one service (and its destinations), or of everything when `service` is undefined. */
  zero(service: IpvsServiceKey | undefined, signal?: AbortSignal): Promise<void>;
  /** Deletes every service: `ipvsadm -C`. The reconciler never calls it. */
  flush(signal?: AbortSignal): Promise<void>;

  getTimeouts(signal?: AbortSignal): Promise<IpvsTimeouts>;
  /** Absent or 0 fields are left unchanged (as the kernel does). */
  setTimeouts(timeouts: Partial<IpvsTimeouts>, signal?: AbortSignal): Promise<void>;

  listDaemons(signal?: AbortSignal): Promise<IpvsSyncDaemon[]>;
  /** ERR_IPVS_EXISTS (daemon) when that state's daemon runs; ERR_IPVS_NO_SUCH_DEVICE. */
  startDaemon(daemon: IpvsSyncDaemon, signal?: AbortSignal): Promise<void>;
  /** ERR_IPVS_NOT_FOUND (daemon) when it does not run. */
  stopDaemon(state: IpvsSyncState, signal?: AbortSignal): Promise<void>;

  /** Releases the socket; later calls and calls in flight reject with ERR_IPVS_CLOSED. Idempotent. */
  close(): void;
}

export interface IpvsTableEntry {
  readonly service: IpvsServiceEntry;
  readonly destinations: readonly IpvsDestinationEntry[];
}

/**
 * The whole table: services, then the destinations of every service, in the kernel's order. One
 * dump after the other: a dump runs alone on the socket anyway (request-gate.ts), and measured in
 * UML, queueing them all was slower than asking in turn.
 */
export async function readIpvsTable(client: IpvsClient, signal?: AbortSignal): Promise<IpvsTableEntry[]> {
  const out: IpvsTableEntry[] = [];
  for (const service of await client.listServices(signal)) {
    out.push({ service, destinations: await client.listDestinations(service.service.key, signal) });
  }
  return out;
}

/** ERR_IPVS_INVALID for values that fail validate.ts: thrown before anything is sent. */
export function invalidArgument(command: IpvsCommandName, problems: readonly IpvsProblem[]): IpvsError {
  const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new IpvsError('ERR_IPVS_INVALID', `invalid ${command} request: ${text}`, { command, details: { problems } });
}

export function abortedError(command: IpvsCommandName, signal: AbortSignal): IpvsError {
  return new IpvsError('ERR_IPVS_ABORTED', `${command} aborted`, { command, cause: signal.reason });
}
