/**
 * /etc/services, read as glibc's "files" backend reads it for getservbyname and getservbyport:
 * "name port/protocol aliases... # comment"; the first matching line wins. Pure: text in, tables out.
 */
import type { PortProtocol } from './display-names.js';

export interface ServicesTable {
  /** getservbyname(name or alias, protocol). */
  portOf(name: string, protocol: PortProtocol): number | undefined;
  /** getservbyport(port, protocol): the official name. */
  nameOf(port: number, protocol: PortProtocol): string | undefined;
}

export function parseEtcServices(text: string): ServicesTable {
  const byName = new Map<string, number>();
  const byPort = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const words = (raw.split('#', 1)[0] ?? '').trim().split(/\s+/);
    const [name, portProto, ...aliases] = words;
    const m = /^(\d+)\/([A-Za-z0-9_-]+)$/.exec(portProto ?? '');
    if (name === undefined || name === '' || m === null) continue;
    const port = Number(m[1]);
    const protocol = (m[2] ?? '').toLowerCase();
    if (port > 65535) continue;
    const portKey = `${port}/${protocol}`;
    if (!byPort.has(portKey)) byPort.set(portKey, name);
    for (const n of [name, ...aliases]) {
      const key = `${n}/${protocol}`;
      if (!byName.has(key)) byName.set(key, port);
    }
  }
  return {
    portOf: (name, protocol) => byName.get(`${name}/${protocol}`),
    nameOf: (port, protocol) => byPort.get(`${port}/${protocol}`),
  };
}

export const EMPTY_SERVICES: ServicesTable = { portOf: () => undefined, nameOf: () => undefined };
