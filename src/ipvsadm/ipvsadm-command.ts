/**
 * What one ipvsadm command line asks for, once parsed: the vocabulary shared by the argument
 * parser, the restore-file reader, the formatters and the runner. Pure types and small helpers.
 *
 * Services are kept as ipvsadm builds them (any scheduler name, flag bits, a 32-bit IPv4 netmask):
 * the kernel, not the parser, refuses an unknown scheduler, and ipvsadm lets one through to it.
 */
import type { IpAddress, IpFamily } from '../core/ip.js';
import type { PortProtocol } from './display-names.js';
import type { IpvsDestination, IpvsDestinationKey, IpvsServiceKey, IpvsSyncDaemon, IpvsSyncState, IpvsTimeouts } from '../ipvs/model.js';

/** IP_VS_SVC_F_SCHED1..3 as ipvsadm -b sets them. */
export const SCHED_FLAG_BITS = { flag1: 0x08, flag2: 0x10, flag3: 0x20 } as const;

export interface ServiceRequest {
  readonly key: IpvsServiceKey;
  /** As given to -s (default wlc); the kernel decides whether it exists. */
  readonly schedulerName: string;
  /** IP_VS_SVC_F_SCHED1..3. */
  readonly schedulerFlagBits: number;
  readonly persistence?: {
    readonly timeoutS: number;
    /** IPv4: the netmask as a 32-bit number (host order); IPv6: the prefix length. */
    readonly netmask: number;
  };
  readonly isOnePacket: boolean;
  /** --pe, as given. */
  readonly persistenceEngine?: string;
}

/** Which table listing -L prints; ipvsadm picks the first of stats, rate, thresholds, persistent-conn, tun-info. */
export type ListView = 'default' | 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info';

export interface ListFormat {
  readonly isNumeric: boolean;
  /** --exact: counters in full instead of K/M/G/T. */
  readonly isExact: boolean;
  /** --nosort: the kernel's order. */
  readonly isSorted: boolean;
  readonly view: ListView;
}

export type IpvsadmCommand =
  | { readonly kind: 'add-service' | 'edit-service'; readonly service: ServiceRequest }
  | { readonly kind: 'delete-service'; readonly key: IpvsServiceKey }
  | { readonly kind: 'flush' }
  | { readonly kind: 'zero'; readonly key: IpvsServiceKey | undefined }
  | { readonly kind: 'add-destination' | 'edit-destination'; readonly key: IpvsServiceKey; readonly destination: IpvsDestination }
  | { readonly kind: 'delete-destination'; readonly key: IpvsServiceKey; readonly destination: IpvsDestinationKey }
  | { readonly kind: 'set-timeouts'; readonly timeouts: IpvsTimeouts }
  | { readonly kind: 'start-daemon'; readonly daemon: IpvsSyncDaemon }
  | { readonly kind: 'stop-daemon'; readonly state: IpvsSyncState }
  | { readonly kind: 'list'; readonly format: ListFormat; readonly key: IpvsServiceKey | undefined }
  /** -L -c: /proc/net/ip_vs_conn; `hasPersistenceEngineData` is --persistent-conn. */
  | { readonly kind: 'list-connections'; readonly isNumeric: boolean; readonly hasPersistenceEngineData: boolean }
  | { readonly kind: 'list-timeouts' }
  | { readonly kind: 'list-daemons' }
  | { readonly kind: 'save'; readonly isNumeric: boolean }
  | { readonly kind: 'restore' }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** ipvsadm's exit codes: fail() exits 2, a popt error or a refused kernel request 255, a failed listing 1. */
export const EXIT = { ok: 0, listing: 1, usage: 2, failed: 255 } as const;

export type ParseOutcome =
  | { readonly ok: true; readonly command: IpvsadmCommand }
  | { readonly ok: false; readonly message: string; readonly exitCode: number };

/** Names the parser asks for (gethostbyname, IPv4 only; getservbyname); undefined when unknown. */
export interface NameLookup {
  hostAddress(name: string): IpAddress | undefined;
  portNumber(name: string, protocol: PortProtocol): number | undefined;
}

/** A lookup that knows no names (numeric command lines only). */
export const NO_NAMES: NameLookup = { hostAddress: () => undefined, portNumber: () => undefined };

export function familyOfRequest(service: ServiceRequest): IpFamily {
  return service.key.kind === 'inet' ? service.key.address.family : service.key.family;
}

/** True for the commands that change kernel state (what a restore file may hold). */
export function isTableChange(command: IpvsadmCommand): boolean {
  switch (command.kind) {
    case 'add-service':
    case 'edit-service':
    case 'delete-service':
    case 'flush':
    case 'zero':
    case 'add-destination':
    case 'edit-destination':
    case 'delete-destination':
    case 'set-timeouts':
    case 'start-daemon':
    case 'stop-daemon':
      return true;
    default:
      return false;
  }
}
