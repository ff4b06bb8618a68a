/**
 * The virtual MAC's macvlan on the kernel (the plan is virtual-mac.ts): iproute2 `ip` through the
 * CommandRunner (argv only, no shell) for the link, /proc/sys for the sysctls. `up()` creates it (or
 * reuses the identical macvlan an earlier run left), writes the sysctls, turns off its own link-local
 * generation (IPv6: gives it the instance's link-local address, without DAD) and brings it up; `down()`
 * deletes it, which removes its VIPs with it, and puts the base interface's sysctls back. Both are
 * idempotent; `down()` never rejects (failures are logged).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { CommandRunner } from '../src/core/command-runner.js';
import type { Logger } from '../src/core/logger.js';
import { describeForeignLink, describeVirtualMacSpecProblem, planBaseSysctls, planVirtualMac, virtualMacAddress, type SysctlSetting, type VirtualMacSpec } from './virtual-mac.js';
import { VrrpError } from './vrrp-error.js';

/** /proc/sys, relative paths ("net/ipv4/conf/eth0/arp_ignore"); a map in unit tests. */
export interface SysctlStore {
  read(path: string): Promise<number>;
  write(path: string, value: number): Promise<void>;
}

export function createProcSysctlStore(root = '/proc/sys'): SysctlStore {
  return {
    async read(path) {
      return Number.parseInt((await readFile(`${root}/${path}`, 'utf8')).trim(), 10);
    },
    async write(path, value) {
      await writeFile(`${root}/${path}`, `${value}\n`);
    },
  };
}

export interface VirtualMacLinkSnapshot {
  readonly interface: string;
  readonly baseInterface: string;
  readonly macAddress: string;
  readonly isUp: boolean;
  readonly wasReused: boolean;
  /** IPv6: the macvlan's link-local address (the adverts' and NAs' source). */
  readonly linkLocalAddress?: string;
}

export interface VirtualMacLink {
  readonly interfaceName: string;
  /** Rejects with VrrpError ERR_VRRP_VIRTUAL_MAC (what `ip` said in the message) or ERR_VRRP_ABORTED. */
  up(signal: AbortSignal): Promise<void>;
  down(): Promise<void>;
  snapshot(): VirtualMacLinkSnapshot;
}

export interface MacvlanVirtualMacDeps {
  readonly runner: CommandRunner;
  readonly logger: Logger;
  /** Default: /proc/sys. */
  readonly sysctl?: SysctlStore;
  /** iproute2 ip; default "ip" on PATH. */
  readonly ipPath?: string;
}

const IP_TIMEOUT_MS = 5000;

/** Throws VrrpError ERR_VRRP_VIRTUAL_MAC when the spec cannot be planned (describeVirtualMacSpecProblem). */
export function createMacvlanVirtualMac(spec: VirtualMacSpec, deps: MacvlanVirtualMacDeps): VirtualMacLink {
  const problem = describeVirtualMacSpecProblem(spec);
  if (problem !== undefined) {
    throw new VrrpError('ERR_VRRP_VIRTUAL_MAC', `virtual MAC ${spec.interfaceName} on ${spec.baseInterfaceName}: ${problem}`, { details: { interface: spec.interfaceName } });
  }
  const plan = planVirtualMac(spec);
  const sysctl = deps.sysctl ?? createProcSysctlStore();
  const logger = deps.logger.child({ component: 'virtual-mac', iface: spec.interfaceName, base: spec.baseInterfaceName });
  const macAddress = virtualMacAddress(spec.vrid, spec.family);
  let restore: SysctlSetting[] = [];
  let isUp = false;
  let wasReused = false;
  let upPromise: Promise<void> | undefined;
  const linkLocalField = spec.family === 6 ? { linkLocalAddress: spec.linkLocalAddress.text } : {};

  const ip = async (args: readonly string[], signal?: AbortSignal): Promise<{ ok: boolean; stdout: string; stderr: string }> => {
    const r = await deps.runner.run({ file: deps.ipPath ?? 'ip', args, timeoutMs: IP_TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) });
    if (r.isAborted) throw new VrrpError('ERR_VRRP_ABORTED', `ip ${args.join(' ')}: aborted`);
    return { ok: r.exitCode === 0, stdout: r.stdout, stderr: r.stderr.trim() };
  };
  const fail = (what: string, detail: string): never => {
    throw new VrrpError('ERR_VRRP_VIRTUAL_MAC', `virtual MAC ${spec.interfaceName} on ${spec.baseInterfaceName}: ${what}: ${detail}`, { details: { interface: spec.interfaceName } });
  };

  async function create(signal: AbortSignal): Promise<void> {
    const created = await ip(plan.createArgs, signal);
    if (created.ok) return;
    if (!created.stderr.includes('File exists')) fail('ip link add failed', created.stderr);
    const shown = await ip(plan.showArgs, signal);
    let link: unknown;
    try {
      link = (JSON.parse(shown.stdout) as unknown[])[0];
    } catch {
      link = undefined;
    }
    const foreign = describeForeignLink(spec, link);
    if (foreign !== undefined) fail('the name is taken', foreign);
    wasReused = true;
    logger.warn('virtual mac left by an earlier run reused', { mac: macAddress });
  }

  async function doUp(signal: AbortSignal): Promise<void> {
    await create(signal);
    isUp = true; // from here on, down() deletes it
    try {
      for (const s of plan.virtualSysctls) await sysctl.write(s.path, s.value);
      const current: number[] = [];
      for (const s of plan.baseSysctls) current.push(await sysctl.read(s.path));
      const base = planBaseSysctls(plan, current);
      for (const s of base.apply) await sysctl.write(s.path, s.value);
      restore = base.restore;
    } catch (e) {
      throw new VrrpError('ERR_VRRP_VIRTUAL_MAC', `virtual MAC ${spec.interfaceName}: sysctl: ${String(e)}`, { cause: e });
    }
    const noLinkLocal = await ip(plan.noLinkLocalArgs, signal);
    if (!noLinkLocal.ok && plan.isNoLinkLocalRequired) fail('ip link set addrgenmode none failed', noLinkLocal.stderr);
    if (!noLinkLocal.ok) logger.debug('virtual mac keeps ipv6 link-local generation', { stderr: noLinkLocal.stderr });
    if (plan.linkLocalArgs !== undefined) {
      const linkLocal = await ip(plan.linkLocalArgs, signal);
      if (!linkLocal.ok) fail('ip address replace (link-local) failed', linkLocal.stderr);
    }
    const raised = await ip(plan.upArgs, signal);
    if (!raised.ok) fail('ip link set up failed', raised.stderr);
    logger.info('virtual mac up', { mac: macAddress, mode: spec.mode, reused: wasReused, ...linkLocalField });
  }

  return {
    interfaceName: spec.interfaceName,
    up(signal) {
      upPromise ??= doUp(signal);
      return upPromise;
    },
    async down() {
      await upPromise?.catch(() => undefined);
      if (!isUp) return;
      isUp = false;
      try {
        const deleted = await ip(plan.deleteArgs);
        if (!deleted.ok) logger.warn('virtual mac not deleted', { stderr: deleted.stderr });
        for (const s of restore.splice(0)) await sysctl.write(s.path, s.value);
        logger.info('virtual mac down', { mac: macAddress });
      } catch (e) {
        logger.error('virtual mac teardown failed', { err: e });
      }
    },
    snapshot: () => ({ interface: spec.interfaceName, baseInterface: spec.baseInterfaceName, macAddress, isUp, wasReused, ...linkLocalField }),
  };
}
