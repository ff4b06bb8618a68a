/**
 * Names in two passes, so that the parser and the formatters stay pure and synchronous: a first
 * parse with a recording lookup finds which host and service names a command line uses; the runner
 * resolves them (I/O); a second parse reads them from the resolved table. Pure.
 */
import type { IpAddress } from '../core/ip.js';
import { ipv4FromNumber } from './c-parse.js';
import type { PortProtocol } from './display-names.js';
import type { NameLookup } from './ipvsadm-command.js';
import type { ServicesTable } from './etc-services.js';

export interface NameRequests {
  readonly hosts: ReadonlySet<string>;
  readonly hasServiceNames: boolean;
}

/** A lookup that answers every name (with a stand-in) and remembers what was asked. */
export function createRecordingLookup(): { readonly lookup: NameLookup; readonly requests: () => NameRequests } {
  const hosts = new Set<string>();
  let hasServiceNames = false;
  const lookup: NameLookup = {
    hostAddress: (name) => {
      hosts.add(name);
      return ipv4FromNumber(0x7f000001);
    },
    portNumber: () => {
      hasServiceNames = true;
      return 1;
    },
  };
  return { lookup, requests: () => ({ hosts, hasServiceNames }) };
}

/** The second pass: hosts resolved beforehand, services from /etc/services. */
export function createResolvedLookup(hosts: ReadonlyMap<string, IpAddress>, services: ServicesTable): NameLookup {
  return {
    hostAddress: (name) => hosts.get(name),
    portNumber: (name: string, protocol: PortProtocol) => services.portOf(name, protocol),
  };
}
