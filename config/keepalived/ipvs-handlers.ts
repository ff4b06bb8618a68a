/**
 * keepalived's LVS keywords (keepalived.conf(5): virtual_server, real_server, virtual_server_group,
 * global_defs lvs_timeouts) translated into the model's `ipvs` section. Health-check keywords stay
 * "not supported yet" until the checkers exist; everything that shapes the IPVS table is translated.
 */
import type { ConfigPath } from '../raw-config.js';
import type { KaToken } from './lexer.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';
import { setFlag, setInt, setSeconds } from './handler-helpers.js';

const IPVS: ConfigPath = ['ipvs'];
const METHODS: Readonly<Record<string, string>> = { NAT: 'nat', DR: 'dr', TUN: 'tun' };

function portOf(token: KaToken, ctx: TranslateContext): number | undefined {
  if (/^\d{1,5}$/.test(token.text) && Number(token.text) <= 65535) return Number(token.text);
  ctx.error(token.loc, `expected a port number (0-65535), got "${token.text}"`);
  return undefined;
}

/** `virtual_server IP PORT {`, `virtual_server fwmark N {`, `virtual_server group NAME {`. */
const virtualServer: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 2, 2, 'virtual_server IP PORT | fwmark N | group NAME { ... }')) return false;
  const [first, second] = statement.args;
  if (first === undefined || second === undefined) return false;
  const index = ctx.append([...IPVS, 'virtualServers'], {}, statement.loc);
  const at: ConfigPath = [...IPVS, 'virtualServers', index];
  if (first.text === 'fwmark') {
    if (!/^\d{1,10}$/.test(second.text)) ctx.error(second.loc, `fwmark takes a number, got "${second.text}"`);
    else ctx.set([...at, 'fwmark'], Number(second.text), second.loc);
  } else if (first.text === 'group') {
    ctx.set([...at, 'group'], second.text, second.loc);
  } else {
    ctx.set([...at, 'address'], first.text, first.loc);
    const port = portOf(second, ctx);
    if (port !== undefined) ctx.set([...at, 'port'], port, second.loc);
  }
  return { childScope: at };
};

/** `real_server IP [PORT] {`: without a port, the service's (or the client's, for a fwmark service). */
const realServer: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 2, 'real_server IP [PORT] { ... }')) return false;
  const [address, portToken] = statement.args;
  if (address === undefined) return false;
  const index = ctx.append([...ctx.scope, 'realServers'], { address: address.text }, statement.loc);
  const at: ConfigPath = [...ctx.scope, 'realServers', index];
  ctx.set([...at, 'address'], address.text, address.loc);
  const port = portToken === undefined ? undefined : portOf(portToken, ctx);
  if (port !== undefined && portToken !== undefined) ctx.set([...at, 'port'], port, portToken.loc);
  return { childScope: at };
};

const sorryServer: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 2, 2, 'sorry_server IP PORT')) return;
  const [address, portToken] = statement.args;
  if (address === undefined || portToken === undefined) return;
  ctx.set([...ctx.scope, 'sorryServer', 'address'], address.text, address.loc);
  const port = portOf(portToken, ctx);
  if (port !== undefined) ctx.set([...ctx.scope, 'sorryServer', 'port'], port, portToken.loc);
};

/** `lb_algo NAME` / `lvs_sched NAME`. */
const scheduler: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, `${statement.keyword} SCHEDULER`)) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'scheduler'], arg.text, arg.loc);
};

/** `lb_kind|lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`, relative to `base`. */
function method(base: (ctx: TranslateContext) => ConfigPath): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 1, 6, `${statement.keyword} NAT|DR|TUN [type ipip|gue port N|gre] [csum]`)) return;
    const [kind, ...rest] = statement.args;
    if (kind === undefined) return;
    const value = METHODS[kind.text.toUpperCase()];
    if (value === undefined) {
      ctx.error(kind.loc, `${statement.keyword} is NAT, DR or TUN, got "${kind.text}"`);
      return;
    }
    ctx.set([...base(ctx), 'forwarding'], value, kind.loc);
    if (rest.length > 0) readTunnel(rest, [...base(ctx), 'tunnel'], ctx);
  };
}

function readTunnel(words: readonly KaToken[], path: ConfigPath, ctx: TranslateContext): void {
  const tunnel: Record<string, unknown> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1];
    if (w === undefined) continue;
    if (w.text === 'type' && next !== undefined) {
      tunnel['type'] = next.text;
      i++;
    } else if (w.text === 'port' && next !== undefined) {
      tunnel['port'] = Number(next.text);
      i++;
    } else if (['nocsum', 'csum', 'remcsum'].includes(w.text)) {
      tunnel['checksum'] = w.text;
    } else {
      ctx.error(w.loc, `unexpected "${w.text}" in the tunnel settings (type ipip|gue|gre, port N, nocsum|csum|remcsum)`);
      return;
    }
  }
  const first = words[0];
  if (first !== undefined) ctx.set(path, tunnel, first.loc);
}

/** `persistence_granularity MASK`: a dotted IPv4 mask (255.255.255.0) or an IPv6 prefix length. */
const persistenceGranularity: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'persistence_granularity NETMASK')) return;
  const arg = statement.args[0];
  if (arg === undefined) return;
  const length = /^\d{1,3}$/.test(arg.text) ? Number(arg.text) : dottedMaskLength(arg.text);
  if (length === undefined) ctx.error(arg.loc, `persistence_granularity takes a netmask such as 255.255.255.0 or a prefix length, got "${arg.text}"`);
  else ctx.set([...ctx.scope, 'persistence', 'netmaskPrefixLength'], length, arg.loc);
};

export function dottedMaskLength(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  const bits = parts.map((p) => Number(p).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}

const protocol: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'protocol TCP|UDP|SCTP')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'protocol'], arg.text.toLowerCase(), arg.loc);
};

const ipFamily: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'ip_family inet|inet6')) return;
  const arg = statement.args[0];
  if (arg === undefined) return;
  if (arg.text !== 'inet' && arg.text !== 'inet6') ctx.error(arg.loc, `ip_family is inet or inet6, got "${arg.text}"`);
  else ctx.set([...ctx.scope, 'family'], arg.text === 'inet' ? 4 : 6, arg.loc);
};

/** Scheduler flags written as keywords: `sh-port`, `mh-fallback`, `flag-1`... */
const schedulerFlag: KeywordHandler = (statement, ctx) => {
  if (expectArgs(statement, ctx, 0, 0, statement.keyword)) ctx.append([...ctx.scope, 'schedulerFlags'], statement.keyword, statement.loc);
};

const persistenceEngine: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'persistence_engine NAME')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'persistence', 'engine'], arg.text, arg.loc);
};

/** `virtual_server_group NAME { IP PORT | IP-LAST PORT | fwmark N ... }`. */
const virtualServerGroup: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'virtual_server_group NAME { ... }')) return;
  const name = statement.args[0];
  if (name === undefined) return;
  const index = ctx.append([...IPVS, 'virtualServerGroups'], { name: name.text }, statement.loc);
  const at: ConfigPath = [...IPVS, 'virtualServerGroups', index];
  ctx.set([...at, 'name'], name.text, name.loc);
  for (const line of statement.block ?? []) {
    const words = [line.keywordToken, ...line.args];
    const [first, second] = words;
    if (words.length !== 2 || first === undefined || second === undefined) {
      ctx.error(line.loc, 'a group member is "IP PORT", "IP-LAST PORT" or "fwmark N"');
      continue;
    }
    if (first.text === 'fwmark') {
      ctx.append([...at, 'members'], { fwmark: Number(second.text) }, line.loc);
      continue;
    }
    const member: Record<string, unknown> = { address: first.text, port: portOf(second, ctx) ?? 0 };
    const range = /^(.*[.:])([0-9a-fA-F]+)-([0-9a-fA-F]+)$/.exec(first.text);
    if (range !== null) {
      member['address'] = `${range[1] ?? ''}${range[2] ?? ''}`;
      member['lastAddress'] = `${range[1] ?? ''}${range[3] ?? ''}`;
    }
    ctx.append([...at, 'members'], member, line.loc);
  }
};

/** global_defs `lvs_timeouts [tcp N] [tcpfin N] [udp N]` (seconds). */
const lvsTimeouts: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 2, 6, 'lvs_timeouts [tcp SECONDS] [tcpfin SECONDS] [udp SECONDS]')) return;
  const keys: Readonly<Record<string, string>> = { tcp: 'tcp', tcpfin: 'tcpFin', udp: 'udp' };
  const words = statement.args;
  for (let i = 0; i < words.length; i += 2) {
    const name = words[i];
    const value = words[i + 1];
    const key = name === undefined ? undefined : keys[name.text];
    if (name === undefined || key === undefined || value === undefined || !/^\d{1,7}$/.test(value.text)) {
      ctx.error((name ?? statement).loc, 'lvs_timeouts takes pairs: tcp SECONDS, tcpfin SECONDS, udp SECONDS');
      return;
    }
    ctx.set([...IPVS, 'timeouts', key], `${value.text}s`, value.loc);
  }
};

const scoped = (relative: ConfigPath, fn: (path: ConfigPath, usage: string) => (s: KaStatement, c: TranslateContext) => void, usage: string): KeywordHandler =>
  (s, c) => fn([...c.scope, ...relative], usage)(s, c);

export const VIRTUAL_SERVER_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  lb_algo: scheduler,
  lvs_sched: scheduler,
  lb_kind: method((c) => c.scope),
  lvs_method: method((c) => c.scope),
  persistence_timeout: scoped(['persistence', 'timeout'], setSeconds, 'persistence_timeout SECONDS'),
  persistence_granularity: persistenceGranularity,
  persistence_engine: persistenceEngine,
  protocol,
  ops: scoped(['isOnePacket'], (p, u) => setFlag(p, true, u), 'ops'),
  ip_family: ipFamily,
  sorry_server: sorryServer,
  sorry_server_lvs_method: method((c) => [...c.scope, 'sorryServer']),
  'sh-port': schedulerFlag,
  'sh-fallback': schedulerFlag,
  'mh-port': schedulerFlag,
  'mh-fallback': schedulerFlag,
  'flag-1': schedulerFlag,
  'flag-2': schedulerFlag,
  'flag-3': schedulerFlag,
  real_server: realServer,
};

export const REAL_SERVER_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  weight: scoped(['weight'], setInt, 'weight N'),
  lvs_method: method((c) => c.scope),
  uthreshold: scoped(['upperThreshold'], setInt, 'uthreshold N'),
  lthreshold: scoped(['lowerThreshold'], setInt, 'lthreshold N'),
};

export const TOP_LEVEL_IPVS_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  virtual_server: virtualServer,
  virtual_server_group: virtualServerGroup,
};

export const GLOBAL_DEFS_IPVS_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  lvs_timeouts: lvsTimeouts,
};
