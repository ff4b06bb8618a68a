/**
 * `lvsd ipvsadm ARGS…`: ipvsadm's command line on lvsd's IPVS client (src/ipvsadm/). This module
 * wires the effects: the kernel client (imported only when a command needs the kernel, so that the
 * netlink addon is not loaded for parsing, help or the connection listing), /proc, stdin, the
 * name services. Like ipvsadm, a kernel without IPVS gets one `modprobe ip_vs` before giving up.
 * The name services (node:dns) and the connection listing are imported when used, for start-up.
 */
import { readdir, readFile } from 'node:fs/promises';
import { LVSD_VERSION } from '../../daemon/version.js';
import type { IpvsClient } from '../../ipvs/ipvs-client.js';
import { isIpvsError } from '../../ipvs/ipvs-error.js';
import type { ServicesTable } from '../../ipvsadm/etc-services.js';
import { runIpvsadm, type IpvsadmDeps } from '../../ipvsadm/run-ipvsadm.js';
import type * as SystemNames from '../../ipvsadm/system-names.js';
import type { CliIo } from '../io.js';

export const IPVSADM_VERSION_TEXT = `ipvsadm v1.31 2019/12/24 (lvsd ${LVSD_VERSION}, IPVS v1.2.1)`;

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  return runIpvsadm(args, createSystemDeps(io));
}

export function createSystemDeps(io: CliIo, options: { readonly openClient?: () => Promise<IpvsClient> } = {}): IpvsadmDeps {
  let services: Promise<ServicesTable> | undefined;
  return {
    program: 'lvsd ipvsadm',
    helpText: "Run 'lvsd help ipvsadm' for the options, or see ipvsadm(8).",
    versionText: IPVSADM_VERSION_TEXT,
    stdout: (text) => io.stdout.write(text),
    stderr: (text) => io.stderr.write(text),
    openClient: options.openClient ?? (() => openKernelClient(io)),
    readConnections: async () => readOptional((await import('../../ipvsadm/format-connections.js')).CONN_PROC_FILE),
    readStdin: () => readAll(io.stdin),
    resolveHosts: async (names) => (await systemNames()).resolveHostNames(names),
    reverseHosts: async (addresses) => (await systemNames()).reverseHostNames(addresses),
    loadServices: () => (services ??= systemNames().then((m) => m.loadEtcServices())),
    listInterfaces: async () => readdir('/sys/class/net').catch(() => []),
  };
}

function systemNames(): Promise<typeof SystemNames> {
  return import('../../ipvsadm/system-names.js');
}

async function openKernelClient(io: CliIo): Promise<IpvsClient> {
  const { createGenlIpvsClient } = await import('../../ipvs/genl-ipvs-client.js');
  try {
    return await createGenlIpvsClient();
  } catch (e) {
    if (!isIpvsError(e, 'ERR_IPVS_NOT_AVAILABLE')) throw e;
    if (!(await modprobeIpvs(io))) throw e;
    return createGenlIpvsClient();
  }
}

/** ipvsadm runs `/sbin/modprobe -- ip_vs` when IPVS is missing; its complaints go to our stderr. */
async function modprobeIpvs(io: CliIo): Promise<boolean> {
  const { createProcessRunner } = await import('../../core/command-runner.js');
  try {
    const result = await createProcessRunner().run({ file: '/sbin/modprobe', args: ['--', 'ip_vs'], timeoutMs: 10_000 });
    io.stderr.write(result.stderr);
    return result.exitCode === 0;
  } catch {
    return false;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
