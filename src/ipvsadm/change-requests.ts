/**
 * From a parsed ipvsadm command to the IpvsClient's model, and from an IpvsError back to the line
 * ipvsadm prints. Where the model cannot hold what ipvsadm would send (a scheduler or engine the
 * kernel does not know), the answer is what the kernel would answer. Pure.
 */
import type { IpvsError } from '../ipvs/ipvs-error.js';
import { IPVS_SCHEDULERS, countIpv4MaskBits, schedulerFlagNames, type IpvsScheduler, type IpvsSchedulerFlag, type IpvsService } from '../ipvs/model.js';
import type { IpvsProblem } from '../ipvs/validate.js';
import { netmaskPrefixLength } from './c-parse.js';
import { EXIT, SCHED_FLAG_BITS, familyOfRequest, type ServiceRequest } from './ipvsadm-command.js';

export type Converted<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string; readonly exitCode: number };

/** What libipvs says when the kernel answers ENOENT to a service request. */
export const NO_SUCH_MODULE = 'Scheduler or persistence engine not found';

export function toIpvsService(request: ServiceRequest): Converted<IpvsService> {
  const scheduler = IPVS_SCHEDULERS.find((s) => s === request.schedulerName);
  if (scheduler === undefined) return { ok: false, message: NO_SUCH_MODULE, exitCode: EXIT.failed };
  const engine = request.persistenceEngine;
  // The kernel looks the engine module up by name and answers ENOENT for any it cannot load.
  if (engine !== undefined && !/^[a-z0-9_]{1,15}$/.test(engine)) return { ok: false, message: NO_SUCH_MODULE, exitCode: EXIT.failed };
  let persistence: IpvsService['persistence'];
  if (request.persistence !== undefined) {
    const { timeoutS, netmask } = request.persistence;
    const prefix = familyOfRequest(request) === 6 ? netmask : netmaskPrefixLength(netmask);
    // A mask with holes goes to the kernel as it is, as ipvsadm sends it.
    persistence = prefix === undefined ? { timeoutS, netmaskPrefixLength: countIpv4MaskBits(netmask), ipv4Netmask: netmask } : { timeoutS, netmaskPrefixLength: prefix };
  }
  return {
    ok: true,
    value: {
      key: request.key,
      scheduler,
      schedulerFlags: flagsOf(scheduler, request.schedulerFlagBits),
      ...(persistence === undefined ? {} : { persistence }),
      isOnePacket: request.isOnePacket,
      ...(engine === undefined ? {} : { persistenceEngine: engine }),
    },
  };
}

function flagsOf(scheduler: IpvsScheduler, bits: number): IpvsSchedulerFlag[] {
  const names = schedulerFlagNames(scheduler);
  return [SCHED_FLAG_BITS.flag1, SCHED_FLAG_BITS.flag2, SCHED_FLAG_BITS.flag3].flatMap((bit, i) => ((bits & bit) !== 0 && names[i] !== undefined ? [names[i]] : []));
}

/**
 * The message ipvsadm would print for this failure. Kernel errors already carry libipvs's text;
 * requests that lvsd's validation stops before the kernel sees them get the kernel's answer.
 */
export function ipvsadmMessage(error: IpvsError): string {
  if (error.code === 'ERR_IPVS_INVALID' && error.errno === undefined) {
    const problems = (error.details['problems'] ?? []) as readonly IpvsProblem[];
    if (problems.some((p) => p.field === 'destination.lowerThreshold')) return 'Numerical result out of range';
    if (problems.some((p) => p.field === 'persistenceEngine')) return NO_SUCH_MODULE;
    if (problems.some((p) => p.field === 'interfaceName')) return 'No such device';
  }
  return error.message;
}
