/**
 * The health benchmarks' targets and the two daemons' configurations for them (pure: numbers in,
 * text out). Targets are many ports on a few documentation addresses (192.0.2.1-100 and
 * 198.51.100.1-100); each target address gets one NAT virtual server (198.51.100.101-200, port 80)
 * whose real servers are that address's ports. keepalived.conf and the lvsd YAML describe the same
 * TCP checks with keepalived's semantics: every `interval`, a failure retried `retry` times
 * `delayBeforeRetry` apart before the server is down, up again after one success, each probe under
 * `connectTimeout`, first probes spread at random over one interval (`warmup` in both).
 */

export interface TargetGridSpec {
  /** 1-200: 192.0.2.1.. first, then 198.51.100.1.. */
  readonly addressCount: number;
  /** Consecutive ports from basePort on every address. */
  readonly portsPerAddress: number;
  readonly basePort: number;
}

export interface BenchTarget {
  readonly address: string;
  readonly port: number;
}

export interface TargetGroup {
  /** The virtual server of this group: 198.51.100.(101 + index), port 80. */
  readonly virtualAddress: string;
  readonly virtualPort: number;
  readonly targets: readonly BenchTarget[];
}

/** keepalived's checker settings, in whole seconds as keepalived.conf writes them. */
export interface KeepalivedCheckSettings {
  readonly delayLoopS: number;
  readonly connectTimeoutS: number;
  readonly retry: number;
  readonly delayBeforeRetryS: number;
}

export interface BenchVrrpInstance {
  readonly interface: string;
  readonly vrid: number;
  readonly priority: number;
  readonly advertIntervalMs: number;
  /** With its prefix length: "192.0.2.250/32". */
  readonly vip: string;
}

export interface DaemonFiles {
  /** Directory for the pid file, control socket and state (a scratch directory). */
  readonly dir: string;
}

const ADDRESSES_PER_RANGE = 100;
const MAX_ADDRESSES = 2 * ADDRESSES_PER_RANGE;
const VIRTUAL_PORT = 80;

export function targetAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_ADDRESSES) throw new RangeError(`target address index ${index} is not within 0-${MAX_ADDRESSES - 1}`);
  return index < ADDRESSES_PER_RANGE ? `192.0.2.${index + 1}` : `198.51.100.${index - ADDRESSES_PER_RANGE + 1}`;
}

export function planTargetGroups(spec: TargetGridSpec): TargetGroup[] {
  const { addressCount, portsPerAddress, basePort } = spec;
  if (!Number.isInteger(addressCount) || addressCount < 1 || addressCount > MAX_ADDRESSES) throw new RangeError(`addressCount ${addressCount} is not within 1-${MAX_ADDRESSES}`);
  if (!Number.isInteger(portsPerAddress) || portsPerAddress < 1) throw new RangeError(`portsPerAddress ${portsPerAddress} is not a positive integer`);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + portsPerAddress - 1 > 65535) throw new RangeError(`ports ${basePort}-${basePort + portsPerAddress - 1} are not within 1024-65535`);
  const groups: TargetGroup[] = [];
  for (let a = 0; a < addressCount; a++) {
    const address = targetAddress(a);
    const targets: BenchTarget[] = [];
    for (let p = 0; p < portsPerAddress; p++) targets.push({ address, port: basePort + p });
    groups.push({ virtualAddress: `198.51.100.${101 + (a % ADDRESSES_PER_RANGE)}`, virtualPort: VIRTUAL_PORT + Math.floor(a / ADDRESSES_PER_RANGE), targets });
  }
  return groups;
}

export function allTargets(groups: readonly TargetGroup[]): BenchTarget[] {
  return groups.flatMap((g) => g.targets);
}

/** Target addresses in group order, each once. */
export function targetAddresses(groups: readonly TargetGroup[]): string[] {
  return [...new Set(allTargets(groups).map((t) => t.address))];
}

function checkSettings(s: KeepalivedCheckSettings): void {
  for (const [name, value] of [['delayLoopS', s.delayLoopS], ['connectTimeoutS', s.connectTimeoutS], ['delayBeforeRetryS', s.delayBeforeRetryS]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} ${value} is not a whole number of seconds >= 1`);
  }
  if (!Number.isInteger(s.retry) || s.retry < 0) throw new RangeError(`retry ${s.retry} is not a count`);
}

export function formatKeepalivedConfig(input: { readonly routerId: string; readonly groups: readonly TargetGroup[]; readonly checks: KeepalivedCheckSettings; readonly vrrp?: BenchVrrpInstance }): string {
  checkSettings(input.checks);
  const c = input.checks;
  const out = ['global_defs {', `  router_id ${input.routerId}`, '}', ''];
  if (input.vrrp !== undefined) {
    const v = input.vrrp;
    out.push(
      'vrrp_instance VI_BENCH {',
      '  state BACKUP',
      `  interface ${v.interface}`,
      `  virtual_router_id ${v.vrid}`,
      `  priority ${v.priority}`,
      '  version 3',
      `  advert_int ${formatSeconds(v.advertIntervalMs)}`,
      `  virtual_ipaddress {`,
      `    ${v.vip}`,
      '  }',
      '}',
      '',
    );
  }
  for (const g of input.groups) {
    out.push(`virtual_server ${g.virtualAddress} ${g.virtualPort} {`, `  delay_loop ${c.delayLoopS}`, '  lb_algo wlc', '  lb_kind NAT', '  protocol TCP', `  warmup ${c.delayLoopS}`);
    for (const t of g.targets) {
      out.push(`  real_server ${t.address} ${t.port} {`, '    weight 1', '    TCP_CHECK {', `      connect_timeout ${c.connectTimeoutS}`, `      retry ${c.retry}`, `      delay_before_retry ${c.delayBeforeRetryS}`, '    }', '  }');
    }
    out.push('}', '');
  }
  return out.join('\n');
}

/**
 * The same services and checks as lvsd YAML. keepalived's semantics in lvsd's terms (health/hysteresis.ts
 * keepalivedTiming): interval and downInterval = delay_loop, fastInterval = delay_before_retry, timeout =
 * connect_timeout, rise 1, fall retry + 1, warmup = the keepalived.conf's warmup (delay_loop).
 */
export function formatLvsdConfig(input: {
  readonly routerId: string;
  readonly files: DaemonFiles;
  readonly groups: readonly TargetGroup[];
  readonly checks: KeepalivedCheckSettings;
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  readonly vrrp?: BenchVrrpInstance;
}): string {
  checkSettings(input.checks);
  const c = input.checks;
  const d = input.files.dir;
  const defaults = `{ interval: ${c.delayLoopS}s, fastInterval: ${c.delayBeforeRetryS}s, downInterval: ${c.delayLoopS}s, timeout: ${c.connectTimeoutS}s, rise: 1, fall: ${c.retry + 1}, warmup: ${c.delayLoopS}s }`;
  const out = [
    `global: { routerId: ${input.routerId} }`,
    `daemon: { controlSocket: ${d}/lvsd.sock, pidFile: ${d}/lvsd.pid, stateDir: ${d}/state }`,
    `log: { level: ${input.logLevel ?? 'info'}, format: json }`,
    'ipvs:',
    `  virtualServers:${input.groups.length === 0 ? ' []' : ''}`,
  ];
  for (const g of input.groups) {
    out.push(`    - address: ${g.virtualAddress}`, `      port: ${g.virtualPort}`, '      scheduler: wlc', '      forwarding: nat', `      healthCheckDefaults: ${defaults}`, '      realServers:');
    for (const t of g.targets) out.push(`        - { address: ${t.address}, port: ${t.port}, weight: 1, healthChecks: [{ type: tcp }] }`);
  }
  if (input.vrrp !== undefined) {
    const v = input.vrrp;
    out.push('vrrp:', '  instances:', `    - { name: VI_BENCH, interface: ${v.interface}, vrid: ${v.vrid}, priority: ${v.priority}, version: 3, advertInterval: ${v.advertIntervalMs}ms, vips: [${v.vip}] }`);
  }
  return `${out.join('\n')}\n`;
}

/** keepalived's advert_int: seconds with up to two decimals ("0.1", "1"). */
function formatSeconds(ms: number): string {
  if (!Number.isInteger(ms) || ms < 10 || ms % 10 !== 0) throw new RangeError(`advert interval ${ms} ms is not a multiple of 10 ms`);
  return String(ms / 1000);
}
