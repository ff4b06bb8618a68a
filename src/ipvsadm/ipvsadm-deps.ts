/**
 * Every effect `lvsd ipvsadm` has, behind one interface (STYLE 5): the CLI command wires it to the
 * kernel, /proc, stdin and the name services; tests wire it to an in-memory kernel and fixed texts.
 */
import type { IpAddress } from '../core/ip.js';
import type { IpvsClient } from '../ipvs/ipvs-client.js';
import type { ServicesTable } from './etc-services.js';

export interface IpvsadmDeps {
  /** How ipvsadm's messages name the program ("Try `lvsd ipvsadm -h' ..."). */
  readonly program: string;
  readonly helpText: string;
  readonly versionText: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The kernel's IPVS; rejects with ERR_IPVS_NOT_AVAILABLE when there is none. Called at most once. */
  openClient(): Promise<IpvsClient>;
  /** The text of /proc/net/ip_vs_conn; undefined when the file does not exist. */
  readConnections(): Promise<string | undefined>;
  readStdin(): Promise<string>;
  /** gethostbyname (IPv4) for each name; names that do not resolve are left out. */
  resolveHosts(names: ReadonlySet<string>): Promise<ReadonlyMap<string, IpAddress>>;
  /** gethostbyaddr for each address, keyed by its text; unknown addresses are left out. */
  reverseHosts(addresses: readonly IpAddress[]): Promise<ReadonlyMap<string, string>>;
  loadServices(): Promise<ServicesTable>;
  /** Network interface names (a sync daemon's interface must exist in the restore dry run). */
  listInterfaces(): Promise<readonly string[]>;
}
