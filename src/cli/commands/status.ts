/** `lvsd status`: asks a running daemon over its control socket. */
import { loadConfigFile } from '../../../config/loader.js';
import { configSchema } from '../../../config/schema.js';
import { sendControlRequest } from '../../control/control-client.js';
import { LvsdError } from '../../core/errors.js';
import type { DaemonSnapshot } from '../../daemon/daemon.js';
import type { VrrpInstanceSnapshot } from '../../../ha/vrrp-instance-snapshot.js';
import type { SyncGroupSnapshot } from '../../vrrp/sync-group-coordinator.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('status', args, {
    socket: { type: 'string' },
    config: { type: 'string', short: 'c' },
    json: { type: 'boolean' },
  }, 0);
  const socket = await resolveSocket(stringOption(parsed, 'socket'), stringOption(parsed, 'config'));
  const reply = await sendControlRequest(socket, 'status');
  if (!reply.ok) {
    writeLine(io.stderr, `lvsd status: ${reply.message} (${reply.code})`);
    return EXIT_FAILURE;
  }
  if (isFlagSet(parsed, 'json')) writeLine(io.stdout, JSON.stringify(reply.result, null, 2));
  else writeLine(io.stdout, formatStatus(reply.result as DaemonSnapshot));
  return EXIT_OK;
}

async function resolveSocket(socket: string | undefined, configFile: string | undefined): Promise<string> {
  if (socket !== undefined && configFile !== undefined) throw new LvsdError('ERR_USAGE', 'status: give --socket or --config, not both');
  if (socket !== undefined) return socket;
  if (configFile === undefined) return configSchema.parse({}).daemon.controlSocket;
  const loaded = await loadConfigFile(configFile);
  if (loaded.config === undefined) throw new LvsdError('ERR_CONFIG_INVALID', `${configFile} is invalid: run lvsd check-config ${configFile}`);
  return loaded.config.daemon.controlSocket;
}

export function formatStatus(s: DaemonSnapshot): string {
  const lines = [
    `lvsd ${s.version}  router ${s.routerId}  pid ${s.pid}`,
    `started ${s.startedAt ?? '-'}  uptime ${formatUptime(s.uptimeMs)}`,
    `config ${s.config.file} (${s.config.syntax}), loaded ${s.config.loadedAt}, reloads ${s.config.reloadCount}`,
    'components:',
    ...s.components.map((c) => `  ${c.name.padEnd(16)} ${c.state}`),
  ];
  const stalls = s.components.find((c) => c.name === 'stall-monitor')?.detail as StallDetail | undefined;
  if (stalls !== undefined) lines.push(formatStalls(stalls));
  const vrrp = s.components.find((c) => c.name === 'vrrp')?.detail as { instances?: VrrpInstanceSnapshot[]; syncGroups?: SyncGroupSnapshot[] } | undefined;
  if (vrrp?.instances !== undefined && vrrp.instances.length > 0) lines.push('vrrp:', ...vrrp.instances.map(formatVrrpInstance));
  for (const g of vrrp?.syncGroups ?? []) lines.push(formatSyncGroup(g));
  const ipvs = s.components.find((c) => c.name === 'ipvs')?.detail as IpvsDetail | undefined;
  if (ipvs !== undefined) lines.push('ipvs:', formatIpvs(ipvs));
  return lines.join('\n');
}

function formatVrrpInstance(v: VrrpInstanceSnapshot): string {
  const dropped = Object.values(v.receive.drops).reduce((n, x) => n + x, 0);
  const master = v.masterAddress === null ? 'unknown' : `${v.masterAddress} (priority ${v.masterPriority ?? '?'})`;
  return [
    `  ${v.name}  vrid ${v.vrid} on ${v.interface}, v${v.version}: ${v.state.toUpperCase()}, priority ${v.effectivePriority}/${v.configuredPriority}`,
    `    master ${master}; VIPs ${v.vips.applied.length === 0 ? 'none held' : v.vips.applied.join(' ')}`,
    `    adverts sent ${v.advertsSent}, accepted ${v.receive.accepted}, dropped ${dropped}; transitions ${v.transitions}`,
    ...(v.hmac === null || v.hmac === undefined
      ? []
      : [`    hmac-sha256: dropped ${v.receive.drops.replayed} replayed, ${v.receive.drops['hmac-mismatch']} forged or wrong key, ${v.receive.drops['hmac-missing']} unauthenticated`]),
  ].join('\n');
}

function formatSyncGroup(g: SyncGroupSnapshot): string {
  const members = g.members.map((m) => `${m.name} ${m.state.toUpperCase()}`).join(', ');
  const held = g.heldTakeovers.length === 0 ? '' : `; waiting to take over: ${g.heldTakeovers.join(' ')}`;
  return `  sync group ${g.name}: ${g.state.toUpperCase()} (${members})${held}`;
}

interface IpvsDetail {
  readonly services: number;
  readonly destinations: number;
  readonly ownedServices: number;
  readonly foreignServices: number;
  readonly drainingDestinations: number;
  readonly rounds: number;
  readonly lastRound?: { readonly trigger: string; readonly applied: number; readonly failed: number; readonly durationMs: number };
  readonly lastError?: string;
}

function formatIpvs(i: IpvsDetail): string {
  const last = i.lastRound === undefined ? 'none yet' : `${i.lastRound.trigger}, ${i.lastRound.applied} change(s), ${i.lastRound.failed} failed, ${i.lastRound.durationMs} ms`;
  return [
    `  services ${i.services}, real servers ${i.destinations}, draining ${i.drainingDestinations}; owned ${i.ownedServices}, foreign ${i.foreignServices}`,
    `  rounds ${i.rounds}, last: ${last}${i.lastError === undefined ? '' : `; last error: ${i.lastError}`}`,
  ].join('\n');
}

interface StallDetail {
  readonly stalls: number;
  readonly longestMs: number;
  readonly totalMs: number;
  readonly warnMs: number;
}

function formatStalls(d: StallDetail): string {
  const worst = d.stalls === 0 ? '' : `, longest ${d.longestMs} ms`;
  return `event loop: ${d.stalls} stall(s) of ${d.warnMs} ms or more${worst}; ${d.totalMs} ms not running in all`;
}

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
}
