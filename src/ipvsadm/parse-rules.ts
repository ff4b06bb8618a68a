/**
 * The state ipvsadm's parser fills in (its `struct ipvs_command_entry`, with ipvsadm's defaults)
 * and the rules it checks once every option is read: the service key, a real server's port and
 * address family, the tunnel options per tunnel type, and the listing options that exclude each
 * other. Failures throw ParseFailure with ipvsadm's message and exit code. Pure.
 */
import type { IpAddress, IpFamily } from '../core/ip.js';
import type { IpvsServiceKey, IpvsSyncState, IpvsTunnelChecksum } from '../ipvs/model.js';
import type { CheckedCommand, CountedOption } from './ipvsadm-options.js';
import type { PortProtocol } from './display-names.js';
import type { TunnelTypeName } from './parse-option-values.js';

export interface ParseState {
  readonly command: CheckedCommand;
  readonly options: Set<CountedOption>;
  family: IpFamily;
  protocol: PortProtocol | undefined;
  address: IpAddress | undefined;
  port: number;
  /** 0: not a firewall-mark service. */
  fwmark: number;
  /** '' until -s (the default, wlc, is applied afterwards). */
  schedulerName: string;
  schedulerFlagBits: number;
  schedFlagsText: string | undefined;
  persistenceTimeoutS: number | undefined;
  /** IPv4: 32-bit mask in host order; IPv6: prefix length. */
  netmask: number;
  isOnePacket: boolean;
  persistenceEngine: string | undefined;
  dest: { readonly address: IpAddress; readonly port: number } | undefined;
  forwarding: 'masq' | 'route' | 'tunnel';
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnelType: TunnelTypeName;
  tunnelPort: number;
  tunnelChecksum: IpvsTunnelChecksum;
  daemonState: IpvsSyncState;
  daemon: { interfaceName?: string; syncId?: number; maxLength?: number; group?: IpAddress; port?: number; ttl?: number };
}

/** ipvsadm's fail(): what it prints and the exit code (2 unless said otherwise). */
export class ParseFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'ParseFailure';
  }
}

export const fail = (message: string, exitCode?: number): never => {
  throw new ParseFailure(message, exitCode);
};

export function buildServiceKey(state: ParseState): IpvsServiceKey {
  if (state.fwmark !== 0) return { kind: 'fwmark', fwmark: state.fwmark, family: state.family };
  const address = state.address ?? fail('illegal virtual server address[:port] specified');
  return { kind: 'inet', protocol: state.protocol ?? 'tcp', address, port: state.port };
}

/**
 * A real server of -a/-e: direct routing and tunnelling keep the service's port (not for firewall
 * marks); another address family needs tunnelling; tunnel options need -i and suit their type.
 */
export function checkDestinationRules(state: ParseState, dest: { readonly address: IpAddress; readonly port: number }): { port: number } {
  const port = state.fwmark === 0 && state.forwarding !== 'masq' ? state.port : dest.port;
  if (dest.address.family !== state.family && state.forwarding !== 'tunnel') fail('Different address family is allowed only for tunneling servers');
  const tunnelOptions: readonly CountedOption[] = ['tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'];
  if (tunnelOptions.some((o) => state.options.has(o)) && state.forwarding !== 'tunnel') fail('Tunnel options conflict with forward method');
  checkTunnelOptions(state.tunnelType, state.options);
  return { port };
}

/** tun-port, tun-nocsum, tun-csum, tun-remcsum per tunnel type: '+' required, 'x' refused, '1' one of. */
const TUNNEL_MATRIX: Readonly<Record<TunnelTypeName, string>> = { ipip: 'xxxx', gue: '+111', gre: 'x11x' };
const TUNNEL_OPTIONS: readonly CountedOption[] = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'];

function checkTunnelOptions(type: TunnelTypeName, options: ReadonlySet<CountedOption>): void {
  let exclusive: CountedOption | undefined;
  TUNNEL_OPTIONS.forEach((option, j) => {
    const rule = TUNNEL_MATRIX[type][j];
    if (!options.has(option)) {
      if (rule === '+') fail(`You need to supply the '${option}' option for the '${type}' tunnel type`);
      return;
    }
    if (rule === 'x') fail(`Illegal '${option}' option with the '${type}' tunnel type`);
    if (rule === '1') {
      if (exclusive !== undefined) fail(`The option '${option}' conflicts with the '${exclusive}' option in the '${type}' tunnel type`);
      exclusive = option;
    }
  });
}

/** -L: the connection, timeout and daemon views take no table view options. */
export function checkListConflicts(options: ReadonlySet<CountedOption>): void {
  const has = (o: CountedOption): boolean => options.has(o);
  const isOther = has('connection') || has('timeout') || has('daemon');
  const hasTableView = has('stats') || has('rate') || has('thresholds');
  if ((isOther && hasTableView) || ((has('timeout') || has('daemon')) && has('persistent-conn'))) fail('options conflicts in the list command');
}
