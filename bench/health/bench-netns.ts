/**
 * One network namespace on the host for the health scale benchmark: loopback up with the target
 * addresses on it, and a veth pair (both ends inside) on which VRRP adverts go out and are captured.
 * `remove` deletes the namespace (and with it every socket and address); it never throws.
 */
import type { CommandResult, CommandRunner } from '../../src/core/command-runner.js';

export interface BenchNetnsSpec {
  readonly name: string;
  /** /32 addresses put on lo. */
  readonly loopbackAddresses: readonly string[];
  /** veth pair: `vrrpInterface` gets `vrrpAddress` (with prefix); its peer only goes up. */
  readonly vrrpInterface: string;
  readonly vrrpPeer: string;
  readonly vrrpAddress: string;
}

export interface BenchNetns {
  readonly name: string;
  /** argv prefix that runs a program inside: ['ip', 'netns', 'exec', name]. */
  readonly prefix: readonly string[];
  exec(file: string, args: readonly string[]): Promise<CommandResult>;
  remove(): Promise<void>;
}

const IP_TIMEOUT_MS = 30_000;

export async function createBenchNetns(spec: BenchNetnsSpec, runner: CommandRunner): Promise<BenchNetns> {
  const run = async (args: readonly string[], input?: string): Promise<CommandResult> => {
    const r = await runner.run({ file: 'ip', args: [...args], timeoutMs: IP_TIMEOUT_MS, ...(input === undefined ? {} : { input }) });
    if (r.exitCode !== 0) throw new Error(`ip ${args.slice(0, 6).join(' ')}: exit ${r.exitCode ?? r.signal ?? '?'}: ${r.stderr.trim().slice(0, 300)}`);
    return r;
  };
  await run(['netns', 'add', spec.name]);
  const netns: BenchNetns = {
    name: spec.name,
    prefix: ['ip', 'netns', 'exec', spec.name],
    exec: async (file, args) => {
      const r = await runner.run({ file: 'ip', args: ['netns', 'exec', spec.name, file, ...args], timeoutMs: IP_TIMEOUT_MS });
      if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} in ${spec.name}: exit ${r.exitCode ?? r.signal ?? '?'}: ${r.stderr.trim().slice(0, 300)}`);
      return r;
    },
    remove: async () => {
      await runner.run({ file: 'ip', args: ['netns', 'del', spec.name], timeoutMs: IP_TIMEOUT_MS }).catch(() => undefined);
    },
  };
  try {
    // One `ip -batch` for every address: thousands of processes would take longer than the bench.
    const batch = [
      'link set lo up',
      ...spec.loopbackAddresses.map((a) => `address add ${a}/32 dev lo`),
      `link add ${spec.vrrpInterface} type veth peer name ${spec.vrrpPeer}`,
      `address add ${spec.vrrpAddress} dev ${spec.vrrpInterface}`,
      `link set ${spec.vrrpInterface} up`,
      `link set ${spec.vrrpPeer} up`,
    ];
    await run(['-n', spec.name, '-batch', '-'], `${batch.join('\n')}\n`);
    // The backlog the listener asks for (older kernels cap it at 128).
    await netns.exec('sysctl', ['-q', '-w', 'net.core.somaxconn=4096']);
  } catch (e) {
    await netns.remove();
    throw e;
  }
  return netns;
}
