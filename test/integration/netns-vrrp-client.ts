/**
 * A client's view of the VIP in the VRRP lab: the lab's HTTP name server (answers its node name) in each
 * director namespace on 0.0.0.0:80, so whoever holds the VIP answers for it; the lab prober in the client
 * namespace (one HTTP GET per interval on a fresh connection, src/lab/prober-main.ts) says who answered
 * and when it failed; the client's neighbour entry for the VIP says which MAC its traffic goes to.
 */
import type { LabProcess } from '../../src/lab/lab-process.js';
import { parseProberOutput } from '../../src/lab/prober-lines.js';
import { PROBER_ENTRY } from '../../src/lab/prober-remote.js';
import type { ProbeRecord } from '../../src/lab/prober.js';
import { HTTP_NAME_SERVER_ENTRY } from '../../src/lab/topology.js';
import { eventually, VIP, type VrrpLab } from './netns-vrrp-harness.js';

/** One name server per director, each answering its director name. */
export async function startNameServers(lab: VrrpLab): Promise<void> {
  const servers = await Promise.all(
    lab.topology.directors.map((n) =>
      lab.topology.spawn(n.namespace, {
        name: `${n.name} http server`,
        file: process.execPath,
        args: [HTTP_NAME_SERVER_ENTRY, '--name', n.name, '--listen', '0.0.0.0:80', '--exit-on-stdin-eof', 'true'],
      }),
    ),
  );
  await Promise.all(servers.map((s) => s.waitForLine((l) => l.includes('"event":"ready"'), { timeoutMs: 10_000 })));
}

export interface ClientProbe {
  readonly process: LabProcess;
  /** The records so far, in order. */
  records(): ProbeRecord[];
  /** Waits (bounded) until the records so far satisfy `check`. */
  waitUntil(check: (records: readonly ProbeRecord[]) => boolean, timeoutMs: number): Promise<void>;
  /** Stops the prober (SIGTERM: it prints its summary) and returns every record. */
  stop(): Promise<ProbeRecord[]>;
}

export interface ClientProbeOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Bounds: the prober stops by itself after this many requests or this long. */
  readonly count: number;
  readonly maxDurationMs: number;
}

/** The lab prober on http://VIP/ in the client namespace, streaming its records. */
export async function startClientProbe(lab: VrrpLab, o: ClientProbeOptions): Promise<ClientProbe> {
  const client = lab.topology.client;
  if (client === undefined) throw new Error('the VRRP lab has a client');
  const args = [PROBER_ENTRY, '--url', `http://${VIP}/`, '--count', String(o.count), '--interval-ms', String(o.intervalMs), '--timeout-ms', String(o.timeoutMs), '--max-duration-ms', String(o.maxDurationMs)];
  const proc = await lab.topology.spawn(client.namespace, { name: 'client prober', file: process.execPath, args });
  const records = (): ProbeRecord[] => [...parseProberOutput(proc.lines('stdout').join('\n')).records];
  return {
    process: proc,
    records,
    async waitUntil(check, timeoutMs) {
      await eventually(async () => (check(records()) ? true : undefined), timeoutMs);
    },
    async stop() {
      await proc.stop(2_000);
      return records();
    },
  };
}

/** True when the last `n` records were all answered by `server`. */
export function endsWithAnswersFrom(records: readonly ProbeRecord[], server: string, n: number): boolean {
  const tail = records.slice(-n);
  return tail.length === n && tail.every((r) => r.outcome === 'ok' && r.server === server);
}

export interface NeighbourEntry {
  readonly mac: string | undefined;
  readonly state: string;
}

/** `ip neigh show VIP dev eth0` in the client namespace. */
export async function clientNeighbour(lab: VrrpLab, address: string = VIP): Promise<NeighbourEntry | undefined> {
  const client = lab.topology.client;
  if (client === undefined) throw new Error('the VRRP lab has a client');
  const r = await lab.topology.execChecked(client.namespace, 'ip', ['neigh', 'show', address, 'dev', 'eth0']);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${address} `));
  if (line === undefined) return undefined;
  const words = line.trim().split(/\s+/);
  const at = words.indexOf('lladdr');
  return { mac: at < 0 ? undefined : words[at + 1], state: words.at(-1) ?? '' };
}
