/**
 * ipvsadm 1.31's command line vocabulary: its options (short and long spellings, argument kind),
 * its commands, and its table of which option each command requires, allows or refuses (the
 * "commands_v_options" table of ipvsadm.c, as observed through its error messages). Pure data.
 */

/** Options that are commands: only the first option of a command line may be one. */
export type CommandOption =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'clear'
  | 'list'
  | 'zero'
  | 'add-server'
  | 'edit-server'
  | 'delete-server'
  | 'set'
  | 'help'
  | 'version'
  | 'restore'
  | 'save'
  | 'start-daemon'
  | 'stop-daemon';

/** The options ipvsadm counts (each at most once), in the order of its table columns. */
export const COUNTED_OPTIONS = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
  'tun-info',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
] as const;
export type CountedOption = (typeof COUNTED_OPTIONS)[number];

/** Every option's identity: a command, or an option with its own handling. */
export type OptionId =
  | CommandOption
  | 'tcp-service'
  | 'udp-service'
  | 'sctp-service'
  | 'fwmark-service'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'real-server'
  | 'masquerading'
  | 'ipip'
  | 'gatewaying'
  | 'weight'
  | 'u-threshold'
  | 'l-threshold'
  | 'numeric'
  | 'connection'
  | 'mcast-interface'
  | 'syncid'
  | 'timeout'
  | 'daemon'
  | 'stats'
  | 'rate'
  | 'thresholds'
  | 'persistent-conn'
  | 'nosort'
  | 'sort'
  | 'exact'
  | 'ipv6'
  | 'ops'
  | 'pe'
  | 'sched-flags'
  | 'mcast-group'
  | 'mcast-port'
  | 'mcast-ttl'
  | 'sync-maxlen'
  | 'tun-info'
  | 'tun-type'
  | 'tun-port'
  | 'tun-nocsum'
  | 'tun-csum'
  | 'tun-remcsum';

export type ArgumentKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  readonly id: OptionId;
  readonly long: string;
  readonly short?: string;
  readonly argument: ArgumentKind;
}

const spec = (id: OptionId, argument: ArgumentKind, short?: string, long: string = id): OptionSpec =>
  short === undefined ? { id, long, argument } : { id, long, argument, short };

export const OPTION_SPECS: readonly OptionSpec[] = [
  spec('add-service', 'none', 'A'),
  spec('edit-service', 'none', 'E'),
  spec('delete-service', 'none', 'D'),
  spec('clear', 'none', 'C'),
  spec('list', 'none', 'L'),
  { id: 'list', long: 'list', short: 'l', argument: 'none' },
  spec('zero', 'none', 'Z'),
  spec('add-server', 'none', 'a'),
  spec('edit-server', 'none', 'e'),
  spec('delete-server', 'none', 'd'),
  spec('set', 'none'),
  spec('help', 'none', 'h'),
  spec('version', 'none', 'v'),
  spec('restore', 'none', 'R'),
  spec('save', 'none', 'S'),
  spec('start-daemon', 'required'),
  spec('stop-daemon', 'required'),
  spec('tcp-service', 'required', 't'),
  spec('udp-service', 'required', 'u'),
  spec('sctp-service', 'required'),
  spec('fwmark-service', 'required', 'f'),
  spec('scheduler', 'required', 's'),
  spec('persistent', 'optional', 'p'),
  spec('netmask', 'required', 'M'),
  spec('real-server', 'required', 'r'),
  spec('masquerading', 'none', 'm'),
  spec('ipip', 'none', 'i'),
  spec('gatewaying', 'none', 'g'),
  spec('weight', 'required', 'w'),
  spec('u-threshold', 'required', 'x'),
  spec('l-threshold', 'required', 'y'),
  spec('numeric', 'none', 'n'),
  spec('connection', 'none', 'c'),
  spec('mcast-interface', 'required'),
  spec('syncid', 'required'),
  spec('timeout', 'none'),
  spec('daemon', 'none'),
  spec('stats', 'none'),
  spec('rate', 'none'),
  spec('thresholds', 'none'),
  spec('persistent-conn', 'none'),
  spec('nosort', 'none'),
  spec('sort', 'none'),
  spec('exact', 'none', 'X'),
  spec('ipv6', 'none', '6'),
  spec('ops', 'none', 'o'),
  spec('pe', 'required'),
  spec('sched-flags', 'required', 'b'),
  spec('mcast-group', 'required'),
  spec('mcast-port', 'required'),
  spec('mcast-ttl', 'required'),
  spec('sync-maxlen', 'required'),
  spec('tun-info', 'none'),
  spec('tun-type', 'required'),
  spec('tun-port', 'required'),
  spec('tun-nocsum', 'none'),
  spec('tun-csum', 'none'),
  spec('tun-remcsum', 'none'),
];

const COMMAND_IDS: ReadonlySet<OptionId> = new Set<OptionId>([
  'add-service', 'edit-service', 'delete-service', 'clear', 'list', 'zero', 'add-server', 'edit-server',
  'delete-server', 'set', 'help', 'version', 'restore', 'save', 'start-daemon', 'stop-daemon',
]);

export function isCommandOption(id: OptionId): id is CommandOption {
  return COMMAND_IDS.has(id);
}

/** The commands that reach the option check, with ipvsadm's names for its messages. */
export type CheckedCommand =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'flush'
  | 'list'
  | 'add-server'
  | 'delete-server'
  | 'edit-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'zero';

/**
 * Per command, one character per COUNTED_OPTIONS column: '+' required, 'x' refused, '1' at most
 * one of the '1' columns, ' ' optional.
 */
const MATRIX: Readonly<Record<CheckedCommand, string>> = {
  // numeric .. tun-remcsum, see COUNTED_OPTIONS
  'add-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'edit-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list: ' 11xxxxxxxxx11       xxxxxxx xxxxx',
  'add-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  'delete-server': 'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  set: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon': 'xxxxxxxxxxx xxxxxxx xxxx    xxxxxx',
  'stop-daemon': 'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx',
  restore: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save: ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  zero: 'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

/** ipvsadm's generic_opt_check: the first problem in column order, as ipvsadm words it. */
export function checkCommandOptions(command: CheckedCommand, options: ReadonlySet<CountedOption>): string | undefined {
  const row = MATRIX[command];
  let exclusive: CountedOption | undefined;
  for (let j = 0; j < COUNTED_OPTIONS.length; j++) {
    const option = COUNTED_OPTIONS[j];
    if (option === undefined) continue;
    const rule = row[j] ?? 'x';
    if (!options.has(option)) {
      if (rule === '+') return `You need to supply the '${option}' option for the '${command}' command`;
      continue;
    }
    if (rule === 'x') return `Illegal '${option}' option with the '${command}' command`;
    if (rule === '1') {
      if (exclusive === undefined) exclusive = option;
      else return `The option '${option}' conflicts with the '${exclusive}' option in the '${command}' command`;
    }
  }
  return undefined;
}
