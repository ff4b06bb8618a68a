/**
 * Name lookups around the pure parsers (name-requests.ts): a first pass records which host and
 * service names a command line (or a restore file) uses, the deps resolve them, a second pass parses
 * with the answers. A line without names is parsed once and costs no lookup.
 */
import type { IpAddress } from '../core/ip.js';
import { EMPTY_SERVICES } from './etc-services.js';
import type { NameLookup } from './ipvsadm-command.js';
import type { IpvsadmDeps } from './ipvsadm-deps.js';
import { createRecordingLookup, createResolvedLookup } from './name-requests.js';

/** Parses twice when the line names hosts or services: once to learn which, once with them resolved. */
export async function parseWithNames<T>(
  parse: (lookup: NameLookup) => T,
  deps: Pick<IpvsadmDeps, 'resolveHosts' | 'loadServices'>,
): Promise<T> {
  const recording = createRecordingLookup();
  const first = parse(recording.lookup);
  const requests = recording.requests();
  if (requests.hosts.size === 0 && !requests.hasServiceNames) return first;
  const hosts = requests.hosts.size === 0 ? new Map<string, IpAddress>() : await deps.resolveHosts(requests.hosts);
  const services = requests.hasServiceNames ? await deps.loadServices() : EMPTY_SERVICES;
  return parse(createResolvedLookup(hosts, services));
}
