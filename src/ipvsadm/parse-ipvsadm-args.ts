/**
 * ipvsadm 1.31's command line, parsed as ipvsadm parses it (parse_options, generic_opt_check and
 * the checks of process_options), with its messages and exit codes: the first option must be a
 * command; options are handled in order and the first bad one stops everything; then the option
 * table per command; then the cross-option rules. Names (hosts, services) come from a NameLookup,
 * so the parser stays pure. Returns a command, or a failure with ipvsadm's message and exit code.
 */
import type { IpvsDestination, IpvsSyncDaemon, IpvsTunnel } from '../ipvs/model.js';
import { EXIT, type IpvsadmCommand, type ListFormat, type ListView, type NameLookup, type ParseOutcome } from './ipvsadm-command.js';
import { checkCommandOptions, isCommandOption, type CheckedCommand, type CommandOption, type CountedOption, type OptionId } from './ipvsadm-options.js';
import { buildServiceKey, checkDestinationRules, checkListConflicts, fail, ParseFailure, type ParseState } from './parse-rules.js';
import {
  MAX_TIMEOUT_S,
  parseEndpoint,
  parseFwmark,
  parseIntRange,
  parseIpv4Netmask,
  parseIpv6Netmask,
  parseMcastGroup,
  parseSchedFlags,
  parseTimeout,
  parseTunnelType,
} from './parse-option-values.js';
import { scanPopt, type PoptItem } from './popt-scan.js';

/** What ipvsadm prints when it cannot even tell which command is meant (`program` is how it was called). */
export function tryHelpMessage(program: string): string {
  return `Try \`${program} -h' or '${program} --help' for more information.`;
}

/** `program` goes into the "Try ..." message (ipvsadm prints its argv[0]). */
export function parseIpvsadmArgs(argv: readonly string[], names: NameLookup, program = 'ipvsadm'): ParseOutcome {
  try {
    return { ok: true, command: parseOrThrow(argv, names, program) };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, message: e.message, exitCode: e.exitCode };
    throw e;
  }
}

const CHECKED: Readonly<Record<Exclude<CommandOption, 'help' | 'version'>, CheckedCommand>> = {
  'add-service': 'add-service',
  'edit-service': 'edit-service',
  'delete-service': 'delete-service',
  clear: 'flush',
  list: 'list',
  zero: 'zero',
  'add-server': 'add-server',
  'edit-server': 'edit-server',
  'delete-server': 'delete-server',
  set: 'set',
  restore: 'restore',
  save: 'save',
  'start-daemon': 'start-daemon',
  'stop-daemon': 'stop-daemon',
};

function parseOrThrow(argv: readonly string[], names: NameLookup, program: string): IpvsadmCommand {
  const scan = scanPopt(argv);
  const [first, ...rest] = scan.items;
  if (first === undefined || first.kind === 'error' || !isCommandOption(first.id)) return fail(tryHelpMessage(program), EXIT.failed);
  if (first.id === 'help') return { kind: 'help' };
  if (first.id === 'version') return { kind: 'version' };
  const state = newState(CHECKED[first.id]);
  if (first.id === 'start-daemon' || first.id === 'stop-daemon') state.daemonState = parseDaemonState(first.id, first.value ?? '');
  for (const item of rest) applyItem(state, item, names);
  const timeouts = state.command === 'set' ? parseSetArguments(scan.args) : undefined;
  const unexpected = scan.args[timeouts === undefined ? 0 : 3];
  if (unexpected !== undefined) fail(`unexpected argument ${unexpected}`);
  if (state.schedFlagsText !== undefined) {
    const flags = parseSchedFlags(state.schedulerName === '' ? 'wlc' : state.schedulerName, state.schedFlagsText);
    if (!flags.ok) fail(flags.message);
    else state.schedulerFlagBits = flags.bits;
  }
  const problem = checkCommandOptions(state.command, state.options);
  if (problem !== undefined) fail(problem);
  return buildCommand(state, timeouts);
}

function newState(command: CheckedCommand): ParseState {
  return {
    command,
    options: new Set(),
    family: 4,
    protocol: undefined,
    address: undefined,
    port: 0,
    fwmark: 0,
    schedulerName: '',
    schedulerFlagBits: 0,
    schedFlagsText: undefined,
    persistenceTimeoutS: undefined,
    netmask: 0xffffffff,
    isOnePacket: false,
    persistenceEngine: undefined,
    dest: undefined,
    forwarding: 'route',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    tunnelType: 'ipip',
    tunnelPort: 0,
    tunnelChecksum: 'nocsum',
    daemonState: 'master',
    daemon: {},
  };
}

function parseDaemonState(id: 'start-daemon' | 'stop-daemon', value: string): 'master' | 'backup' {
  if (value === 'master' || value === 'backup') return value;
  return fail(id === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
}

function setOption(state: ParseState, option: CountedOption): void {
  if (state.options.has(option)) fail(`multiple '${option}' options specified`);
  state.options.add(option);
}

function applyItem(state: ParseState, item: PoptItem, names: NameLookup): void {
  if (item.kind === 'error') return fail(`${item.token}: ${item.reason}`, EXIT.failed);
  if (isCommandOption(item.id)) return fail(`invalid option \`${item.token}'`);
  const value = item.value ?? '';
  switch (item.id) {
    case 'tcp-service':
    case 'udp-service':
    case 'sctp-service': {
      setOption(state, 'service-address');
      state.protocol = item.id === 'tcp-service' ? 'tcp' : item.id === 'udp-service' ? 'udp' : 'sctp';
      const endpoint = parseEndpoint(value, state.protocol, names);
      if (endpoint === undefined) return fail('illegal virtual server address[:port] specified');
      state.address = endpoint.address;
      state.family = endpoint.address.family;
      state.port = endpoint.port ?? 0;
      if (endpoint.address.family === 6) state.netmask = 128;
      return;
    }
    case 'fwmark-service': {
      setOption(state, 'service-address');
      state.family = 4;
      state.protocol = 'tcp';
      state.fwmark = parseFwmark(value) ?? fail(`invalid fwmark value \`${value}' specified`);
      return;
    }
    case 'real-server': {
      setOption(state, 'real-server');
      const endpoint = parseEndpoint(value, state.protocol, names);
      if (endpoint === undefined) return fail('illegal real server address[:port] specified');
      state.dest = { address: endpoint.address, port: endpoint.port ?? state.port };
      return;
    }
    case 'ipv6':
      if (state.fwmark === 0) return fail('-6 used before -f\n');
      state.family = 6;
      state.netmask = 128;
      return;
    default:
      return applyValueOption(state, item.id, item.value, names);
  }
}

/** Options that set one value each. */
function applyValueOption(state: ParseState, id: OptionId, raw: string | undefined, names: NameLookup): void {
  const value = raw ?? '';
  const ranged = (option: CountedOption, min: number, max: number, what: string): number => {
    setOption(state, option);
    return parseIntRange(value, min, max) ?? fail(`illegal ${what} specified`);
  };
  switch (id) {
    case 'scheduler':
      setOption(state, 'scheduler');
      state.schedulerName = value;
      return;
    case 'persistent':
      setOption(state, 'persistent');
      state.persistenceTimeoutS = parseTimeout(raw, 1, MAX_TIMEOUT_S) ?? fail(`invalid timeout value \`${value}' specified`);
      return;
    case 'netmask':
      setOption(state, 'netmask');
      if (state.family === 6) state.netmask = parseIpv6Netmask(value) ?? fail('illegal ipv6 netmask specified');
      else state.netmask = parseIpv4Netmask(value, names) ?? fail('illegal virtual server persistent mask specified');
      return;
    case 'masquerading':
    case 'ipip':
    case 'gatewaying':
      setOption(state, 'forwarding-method');
      state.forwarding = id === 'masquerading' ? 'masq' : id === 'ipip' ? 'tunnel' : 'route';
      return;
    case 'weight':
      state.weight = ranged('weight', 0, 2147483647, 'weight');
      return;
    case 'u-threshold':
      state.upperThreshold = ranged('u-threshold', 0, 2147483647, 'u_threshold');
      return;
    case 'l-threshold':
      state.lowerThreshold = ranged('l-threshold', 0, 2147483647, 'l_threshold');
      return;
    case 'mcast-interface':
      setOption(state, 'mcast-interface');
      state.daemon.interfaceName = value;
      return;
    case 'syncid':
      state.daemon.syncId = ranged('syncid', 0, 255, 'syncid');
      return;
    case 'mcast-group': {
      setOption(state, 'mcast-group');
      const group = parseMcastGroup(value);
      if (!group.ok) return fail(group.message);
      state.daemon.group = group.group;
      return;
    }
    case 'mcast-port':
      state.daemon.port = ranged('mcast-port', 1, 65535, 'mcast-port');
      return;
    case 'mcast-ttl':
      state.daemon.ttl = ranged('mcast-ttl', 1, 255, 'mcast-ttl');
      return;
    case 'sync-maxlen':
      state.daemon.maxLength = ranged('sync-maxlen', 1, 65535 - 20 - 8, 'sync-maxlen');
      return;
    case 'ops':
      setOption(state, 'ops');
      state.isOnePacket = true;
      return;
    case 'pe':
      setOption(state, 'pe');
      state.persistenceEngine = value;
      return;
    case 'sched-flags':
      setOption(state, 'sched-flags');
      state.schedFlagsText = value;
      return;
    case 'tun-type':
      setOption(state, 'tun-type');
      state.tunnelType = parseTunnelType(value) ?? fail('illegal tunnel type specified');
      return;
    case 'tun-port':
      state.tunnelPort = ranged('tun-port', 1, 65535, 'tunnel port');
      return;
    case 'tun-nocsum':
    case 'tun-csum':
    case 'tun-remcsum':
      setOption(state, id);
      state.tunnelChecksum = id === 'tun-nocsum' ? 'nocsum' : id === 'tun-csum' ? 'csum' : 'remcsum';
      return;
    case 'sort':
      return; // the default; ipvsadm keeps it for compatibility and does not count it
    case 'numeric':
    case 'connection':
    case 'timeout':
    case 'daemon':
    case 'stats':
    case 'rate':
    case 'thresholds':
    case 'persistent-conn':
    case 'nosort':
    case 'exact':
    case 'tun-info':
      setOption(state, id);
      return;
    default:
      return fail(`invalid option \`${id}'`);
  }
}

/** --set takes exactly three timeouts (0 keeps the current value). */
function parseSetArguments(args: readonly string[]) {
  const [tcp, tcpFin, udp] = args;
  if (tcp === undefined || tcpFin === undefined || udp === undefined) return fail('--set option requires 3 timeout values');
  const parse = (text: string): number => parseTimeout(text, 0, MAX_TIMEOUT_S) ?? fail(`invalid timeout value \`${text}' specified`);
  return { tcpS: parse(tcp), tcpFinS: parse(tcpFin), udpS: parse(udp) };
}

function buildCommand(state: ParseState, timeouts: { tcpS: number; tcpFinS: number; udpS: number } | undefined): IpvsadmCommand {
  const has = (o: CountedOption): boolean => state.options.has(o);
  switch (state.command) {
    case 'add-service':
    case 'edit-service':
      return { kind: state.command, service: buildService(state) };
    case 'delete-service':
      return { kind: 'delete-service', key: buildServiceKey(state) };
    case 'flush':
      return { kind: 'flush' };
    case 'zero':
      return { kind: 'zero', key: has('service-address') ? buildServiceKey(state) : undefined };
    case 'add-server':
    case 'edit-server':
      return { kind: state.command === 'add-server' ? 'add-destination' : 'edit-destination', key: buildServiceKey(state), destination: buildDestination(state) };
    case 'delete-server': {
      const dest = state.dest ?? fail('no real server');
      return { kind: 'delete-destination', key: buildServiceKey(state), destination: { address: dest.address, port: dest.port } };
    }
    case 'set':
      return { kind: 'set-timeouts', timeouts: timeouts ?? fail('--set option requires 3 timeout values') };
    case 'start-daemon':
      return { kind: 'start-daemon', daemon: buildDaemon(state) };
    case 'stop-daemon':
      return { kind: 'stop-daemon', state: state.daemonState };
    case 'restore':
      return { kind: 'restore' };
    case 'save':
      return { kind: 'save', isNumeric: has('numeric') };
    case 'list':
      return buildList(state);
  }
}

function buildService(state: ParseState) {
  const key = buildServiceKey(state);
  if (key.kind === 'inet' && key.port === 0 && state.persistenceTimeoutS === undefined) fail('Zero port specified for non-persistent service');
  // A firewall-mark service may have it (for marks that carry only UDP).
  if (state.isOnePacket && key.kind === 'inet' && key.protocol !== 'udp') fail('One-Packet Scheduling is only for UDP virtual services');
  return {
    key,
    schedulerName: state.schedulerName === '' ? 'wlc' : state.schedulerName,
    schedulerFlagBits: state.schedulerFlagBits,
    ...(state.persistenceTimeoutS === undefined ? {} : { persistence: { timeoutS: state.persistenceTimeoutS, netmask: state.netmask } }),
    isOnePacket: state.isOnePacket,
    ...(state.persistenceEngine === undefined || state.persistenceEngine === '' ? {} : { persistenceEngine: state.persistenceEngine }),
  };
}

function buildDestination(state: ParseState): IpvsDestination {
  const dest = state.dest ?? fail('no real server');
  const { port } = checkDestinationRules(state, dest);
  const tunnel: IpvsTunnel =
    state.tunnelType === 'gue'
      ? { type: 'gue', port: state.tunnelPort, checksum: state.tunnelChecksum }
      : state.tunnelType === 'gre'
        ? { type: 'gre', checksum: state.tunnelChecksum }
        : { type: 'ipip' };
  return {
    key: { address: dest.address, port },
    forwarding: state.forwarding === 'tunnel' ? { method: 'tunnel', tunnel } : { method: state.forwarding },
    weight: state.weight,
    upperThreshold: state.upperThreshold,
    lowerThreshold: state.lowerThreshold,
  };
}

function buildDaemon(state: ParseState): IpvsSyncDaemon {
  const d = state.daemon;
  return {
    state: state.daemonState,
    interfaceName: d.interfaceName ?? 'eth0',
    syncId: d.syncId ?? 0,
    ...(d.maxLength === undefined ? {} : { maxLength: d.maxLength }),
    ...(d.group === undefined ? {} : { group: d.group }),
    ...(d.port === undefined ? {} : { port: d.port }),
    ...(d.ttl === undefined ? {} : { ttl: d.ttl }),
  };
}

function buildList(state: ParseState): IpvsadmCommand {
  const has = (o: CountedOption): boolean => state.options.has(o);
  checkListConflicts(state.options);
  if (has('connection')) return { kind: 'list-connections', isNumeric: has('numeric'), hasPersistenceEngineData: has('persistent-conn') };
  const views: readonly (ListView & CountedOption)[] = ['stats', 'rate', 'thresholds', 'persistent-conn', 'tun-info'];
  const format: ListFormat = {
    isNumeric: has('numeric'),
    isExact: has('exact'),
    isSorted: !has('nosort'),
    view: views.find((v) => state.options.has(v)) ?? 'default',
  };
  if (has('service-address')) return { kind: 'list', format, key: buildServiceKey(state) };
  if (has('timeout')) return { kind: 'list-timeouts' };
  if (has('daemon')) return { kind: 'list-daemons' };
  return { kind: 'list', format, key: undefined };
}
