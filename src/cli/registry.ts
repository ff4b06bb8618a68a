/**
 * Every lvsd command, its help and examples. `main` dispatches from here and imports a command's
 * module only when it runs, so that `lvsd COMMAND` starts fast.
 */
import type { CliIo } from './io.js';

export interface OptionHelp {
  readonly flag: string;
  readonly text: string;
}

export interface CommandModule {
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandSpec {
  /** One or two words: `run`, `config import`. */
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: readonly OptionHelp[];
  readonly examples: readonly string[];
  readonly load: () => Promise<CommandModule>;
}

const CONFIG_OPTIONS: readonly OptionHelp[] = [
  { flag: '--strict', text: 'treat warnings (such as unsupported keepalived keywords) as errors' },
  { flag: '--config-id ID', text: "keepalived.conf only: select '@ID' conditional lines (keepalived's -i)" },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'run',
    summary: 'run the director daemon',
    usage: 'lvsd run --config FILE [--foreground] [--strict] [--config-id ID] [--pid-file PATH] [--control-socket PATH]',
    options: [
      { flag: '-c, --config FILE', text: 'configuration, native YAML or keepalived.conf (detected by content)' },
      { flag: '-f, --foreground', text: 'stay in the foreground and log to stderr (use this under systemd)' },
      { flag: '--pid-file PATH', text: "override daemon.pidFile (keepalived.conf has no such setting; keepalived's -p)" },
      { flag: '--control-socket PATH', text: 'override daemon.controlSocket' },
      ...CONFIG_OPTIONS,
    ],
    examples: [
      'lvsd run --config /etc/lvsd/lvsd.yaml --foreground',
      'lvsd run --config /etc/keepalived/keepalived.conf --pid-file /run/lvsd/ka.pid',
    ],
    load: () => import('./commands/run.js'),
  },
  {
    name: 'check-config',
    summary: 'validate a configuration file and list every problem',
    usage: 'lvsd check-config FILE [--strict] [--config-id ID] [--json]',
    options: [...CONFIG_OPTIONS, { flag: '--json', text: 'print the problems as JSON' }],
    examples: ['lvsd check-config /etc/lvsd/lvsd.yaml', 'lvsd check-config --strict /etc/keepalived/keepalived.conf'],
    load: () => import('./commands/check-config.js'),
  },
  {
    name: 'config import',
    summary: 'translate a keepalived.conf into the equivalent lvsd YAML',
    usage: 'lvsd config import FILE [--strict] [--config-id ID]',
    options: CONFIG_OPTIONS,
    examples: ['lvsd config import /etc/keepalived/keepalived.conf > /etc/lvsd/lvsd.yaml'],
    load: () => import('./commands/config-import.js'),
  },
  {
    name: 'status',
    summary: "show a running daemon's state",
    usage: 'lvsd status [--socket PATH | --config FILE] [--json]',
    options: [
      { flag: '--socket PATH', text: 'control socket of the daemon (default /run/lvsd/lvsd.sock)' },
      { flag: '-c, --config FILE', text: "take the control socket's path from this configuration" },
      { flag: '--json', text: 'print the raw status object' },
    ],
    examples: ['lvsd status', 'lvsd status --socket /run/lvsd/director-1.sock --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'lab',
    summary: 'boot a disposable multi-director lab in user-mode Linux and run a scenario',
    usage: 'lvsd lab [--directors 2|3] [--scenario NAME] [--forwarding dr|nat|tun] [--timeout SECONDS] [--json]',
    options: [
      { flag: '--directors N', text: 'number of directors, 2 or 3 (default 2)' },
      { flag: '--scenario NAME', text: 'scenario to run (default traffic-through-vip; --scenario list shows all)' },
      { flag: '--forwarding METHOD', text: 'how IPVS reaches the real servers: dr, nat or tun (default dr)' },
      { flag: '--timeout SECONDS', text: 'give up after this long (default 240)' },
      { flag: '--json', text: 'print the report as JSON' },
    ],
    examples: ['lvsd lab', 'lvsd lab --directors 3 --scenario traffic-through-vip', 'lvsd lab --forwarding nat --scenario drain'],
    load: () => import('./commands/lab.js'),
  },
  {
    name: 'ipvsadm',
    summary: "run an ipvsadm command line on lvsd's IPVS client (listings byte-identical to ipvsadm 1.31)",
    usage: 'lvsd ipvsadm -A|E|D|C|R|S|a|e|d|L|Z|--set|--start-daemon|--stop-daemon [ipvsadm options]',
    options: [
      { flag: '-A|-E|-D SERVICE', text: 'add, edit, delete a virtual service: -t|-u|--sctp-service ADDR[:PORT], or -f MARK [-6]' },
      { flag: '  -s -b -p -M --pe -o', text: 'scheduler, scheduler flags, persistence [timeout], netmask, engine, one-packet' },
      { flag: '-a|-e|-d SERVICE -r RS', text: 'add, edit, delete a real server ADDR[:PORT]' },
      { flag: '  -g|-i|-m -w -x -y', text: 'direct routing (default), tunnel, NAT; weight; upper and lower thresholds' },
      { flag: '  --tun-type T', text: 'ipip (default), gue (--tun-port, --tun-[no|rem]csum) or gre (--tun-[no]csum)' },
      { flag: '-L|-l [SERVICE]', text: 'list: -n, --stats, --rate, --exact, --thresholds, --persistent-conn, --tun-info, --nosort' },
      { flag: '-L -c|--timeout|--daemon', text: 'connections (/proc/net/ip_vs_conn), timeouts, sync daemons' },
      { flag: '-S [-n] | -R', text: 'save the table as rules | restore rules from stdin, all lines or none' },
      { flag: '-C | -Z [SERVICE]', text: 'clear the table | zero counters' },
      { flag: '--set TCP TCPFIN UDP', text: 'connection timeouts in seconds (0 keeps one)' },
      { flag: '--start-daemon STATE', text: 'master|backup: --mcast-interface --syncid --sync-maxlen --mcast-group|port|ttl' },
      { flag: '--stop-daemon STATE', text: 'stop a connection sync daemon' },
    ],
    examples: [
      'lvsd ipvsadm -A -t 192.0.2.1:80 -s rr',
      'lvsd ipvsadm -a -t 192.0.2.1:80 -r 192.0.2.8 -m',
      'lvsd ipvsadm -L -n --stats',
      'lvsd ipvsadm -S -n > /etc/lvsd/ipvs.rules',
      'lvsd ipvsadm -R < /etc/lvsd/ipvs.rules',
    ],
    load: () => import('./commands/ipvsadm.js'),
  },
  {
    name: 'realserver setup',
    summary: 'prepare this host as a real server of a DR or TUN service (VIP on lo or tunl0, ARP sysctls)',
    usage: 'lvsd realserver setup --vip ADDR --method dr|tun [--interface IF] [--undo] [--dry-run] [--state-dir DIR] [--json]',
    options: [
      { flag: '--vip ADDR', text: 'the virtual address (IPv4, or IPv6 with dr); it goes on as /32 or /128' },
      { flag: '--method dr|tun', text: 'dr: VIP on lo; tun: VIP on tunl0 (loads ipip, brings tunl0 up, rp_filter 2 on tunl0)' },
      { flag: '-i, --interface IF', text: 'the interface facing the director (eth0): arp_ignore/arp_announce are set on it as well as on all' },
      { flag: '--undo', text: 'restore what setup changed for this VIP, as recorded in the state file' },
      { flag: '-n, --dry-run', text: 'print the changes without making them' },
      { flag: '--state-dir DIR', text: 'where the changes are recorded (default /run/lvsd/realserver; one per network namespace)' },
      { flag: '--json', text: 'print the outcome as JSON' },
    ],
    examples: [
      'lvsd realserver setup --vip 192.0.2.50 --method dr --interface eth0',
      'lvsd realserver setup --vip 192.0.2.50 --method tun',
      'lvsd realserver setup --vip 192.0.2.50 --method dr --undo',
    ],
    load: () => import('./commands/realserver.js'),
  },
];

export function findCommand(argv: readonly string[]): { spec: CommandSpec; rest: readonly string[] } | undefined {
  for (const spec of COMMANDS) {
    const words = spec.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { spec, rest: argv.slice(words.length) };
  }
  return undefined;
}

export function formatCommandHelp(spec: CommandSpec): string {
  const width = Math.max(...spec.options.map((o) => o.flag.length), 10) + 2;
  const lines = [`lvsd ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  if (spec.options.length > 0) {
    lines.push('Options:');
    for (const o of spec.options) lines.push(`  ${o.flag.padEnd(width)}${o.text}`);
    lines.push(`  ${'-h, --help'.padEnd(width)}show this help`, '');
  }
  lines.push('Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

export function formatMainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'lvsd: high-availability manager for Linux IPVS directors',
    '',
    'Usage: lvsd COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}show this help, or a command's: lvsd help COMMAND`,
    `  ${'version'.padEnd(width)}print the version`,
    '',
    'Examples:',
    ...COMMANDS.map((c) => `  ${c.examples[0] ?? ''}`),
    '',
    "Run 'lvsd COMMAND --help' for a command's options.",
  ].join('\n');
}
