/**
 * One ipvsadm table change through an IpvsClient (the kernel, or the in-memory kernel of the
 * restore dry run), answered the way ipvsadm answers: nothing when done, else its message and exit
 * code. Failures that are not a refusal of this change (no IPVS, a broken socket) propagate.
 */
import type { IpvsClient } from '../ipvs/ipvs-client.js';
import { IpvsError } from '../ipvs/ipvs-error.js';
import { ipvsadmMessage, toIpvsService } from './change-requests.js';
import { EXIT, type IpvsadmCommand } from './ipvsadm-command.js';

/** One table change; the ipvsadm message and 255 when refused. */
export async function applyChange(command: IpvsadmCommand, client: IpvsClient, deps: { readonly stderr: (text: string) => void }): Promise<number> {
  const refused = await changeTable(command, client);
  if (refused === undefined) return EXIT.ok;
  deps.stderr(`${refused.message}\n`);
  return refused.exitCode;
}

/** Runs one change; undefined when done, else why not (IpvsErrors other than refusals propagate). */
export async function changeTable(command: IpvsadmCommand, client: IpvsClient): Promise<{ message: string; exitCode: number } | undefined> {
  try {
    switch (command.kind) {
      case 'add-service':
      case 'edit-service': {
        const service = toIpvsService(command.service);
        if (!service.ok) return service;
        await (command.kind === 'add-service' ? client.addService(service.value) : client.editService(service.value));
        return undefined;
      }
      case 'delete-service':
        return void (await client.deleteService(command.key));
      case 'flush':
        return void (await client.flush());
      case 'zero':
        return void (await client.zero(command.key));
      case 'add-destination':
        return void (await client.addDestination(command.key, command.destination));
      case 'edit-destination':
        return void (await client.editDestination(command.key, command.destination));
      case 'delete-destination':
        return void (await client.deleteDestination(command.key, command.destination));
      case 'set-timeouts':
        return void (await client.setTimeouts(command.timeouts));
      case 'start-daemon':
        return void (await client.startDaemon(command.daemon));
      case 'stop-daemon':
        return void (await client.stopDaemon(command.state));
      default:
        return { message: `not a table change: ${command.kind}`, exitCode: EXIT.usage };
    }
  } catch (e) {
    if (e instanceof IpvsError && isRefusal(e)) return { message: ipvsadmMessage(e), exitCode: EXIT.failed };
    throw e;
  }
}

/** The kernel (or validation) said no; anything else (no IPVS, a broken socket) is not about this line. */
function isRefusal(e: IpvsError): boolean {
  return !['ERR_IPVS_NOT_AVAILABLE', 'ERR_IPVS_TRANSPORT', 'ERR_IPVS_CLOSED', 'ERR_IPVS_ABORTED', 'ERR_IPVS_DECODE'].includes(e.code);
}

