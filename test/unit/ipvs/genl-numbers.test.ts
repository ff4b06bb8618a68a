/** Every number of genl-numbers.ts against the installed <linux/ip_vs.h> (Debian linux-libc-dev). */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { FlagsGet, Protocol } from 'netlink';
import * as n from '../../../src/ipvs/genl-numbers.js';

const header = readFileSync('/usr/include/linux/ip_vs.h', 'utf8');

/** The values of an anonymous `enum { PREFIX_UNSPEC = 0, PREFIX_A, ... }`: name -> value. */
function enumValues(prefix: string, first = 'UNSPEC'): Map<string, number> {
  const start = header.indexOf(`${prefix}${first}`);
  if (start < 0) throw new Error(`no ${prefix}${first} in ip_vs.h`);
  const body = header.slice(start, header.indexOf('}', start));
  const out = new Map<string, number>();
  let next = 0;
  for (const raw of body.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*(?:=\s*(\d+))?\s*,?/.exec(raw.replace(/\/\*.*?\*\//g, ''));
    if (m?.[1] === undefined || !m[1].startsWith(prefix)) continue;
    const value = m[2] === undefined ? next : Number(m[2]);
    out.set(m[1].slice(prefix.length), value);
    next = value + 1;
  }
  return out;
}

function defineValue(name: string): number {
  const m = new RegExp(`#define\\s+${name}\\s+(\\S+)`).exec(header);
  if (m?.[1] === undefined) throw new Error(`no #define ${name}`);
  const text = m[1].replace(/^\((\d+)\)$/, '$1');
  return text.startsWith('IP_VS_') ? defineValue(text) : Number(text); // NaN for expressions such as (1 << 0)
}

const enums: [string, Record<string, number>][] = [
  ['IPVS_CMD_', n.Cmd],
  ['IPVS_CMD_ATTR_', n.CmdAttr],
  ['IPVS_SVC_ATTR_', n.SvcAttr],
  ['IPVS_DEST_ATTR_', n.DestAttr],
  ['IPVS_DAEMON_ATTR_', n.DaemonAttr],
  ['IPVS_STATS_ATTR_', n.StatsAttr],
  ['IPVS_INFO_ATTR_', n.InfoAttr],
];

for (const [prefix, ours] of enums) {
  test(`${prefix}* match ip_vs.h`, (t) => {
    const theirs = enumValues(prefix);
    for (const [name, value] of Object.entries(ours)) t.is(theirs.get(name), value, `${prefix}${name}`);
    // Every member the header has (but the UNSPEC and __MAX markers) is known to us.
    const missing = [...theirs.keys()].filter((k) => k !== 'UNSPEC' && !(k in ours));
    t.deepEqual(missing, []);
  });
}

test('flags, forwarding methods, tunnel types, sync states and name lengths match ip_vs.h', (t) => {
  for (const [name, value] of Object.entries(n.SvcFlag)) t.is(defineValue(`IP_VS_SVC_F_${name}`), value, name);
  t.is(defineValue('IP_VS_CONN_F_FWD_MASK'), n.Fwd.MASK);
  t.is(defineValue('IP_VS_CONN_F_MASQ'), n.Fwd.MASQ);
  t.is(defineValue('IP_VS_CONN_F_LOCALNODE'), n.Fwd.LOCALNODE);
  t.is(defineValue('IP_VS_CONN_F_TUNNEL'), n.Fwd.TUNNEL);
  t.is(defineValue('IP_VS_CONN_F_DROUTE'), n.Fwd.DROUTE);
  t.is(defineValue('IP_VS_CONN_F_BYPASS'), n.Fwd.BYPASS);
  const tun = enumValues('IP_VS_CONN_F_TUNNEL_TYPE_', 'IPIP');
  t.is(tun.get('IPIP'), n.TunType.IPIP);
  t.is(tun.get('GUE'), n.TunType.GUE);
  t.is(tun.get('GRE'), n.TunType.GRE);
  t.is(defineValue('IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM'), n.TunFlag.NOCSUM);
  t.is(/#define\s+IP_VS_TUNNEL_ENCAP_FLAG_CSUM\s+\(1 << 0\)/.test(header), n.TunFlag.CSUM === 1);
  t.is(/#define\s+IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM\s+\(1 << 1\)/.test(header), n.TunFlag.REMCSUM === 2);
  t.is(defineValue('IP_VS_STATE_MASTER'), n.SyncState.MASTER);
  t.is(defineValue('IP_VS_STATE_BACKUP'), n.SyncState.BACKUP);
  t.is(defineValue('IP_VS_SCHEDNAME_MAXLEN'), n.NAME_MAXLEN);
  t.is(defineValue('IP_VS_IFNAME_MAXLEN'), n.NAME_MAXLEN);
  t.is(defineValue('IPVS_GENL_VERSION'), n.IPVS_GENL_VERSION);
  t.true(header.includes(`#define IPVS_GENL_NAME\t\t"${n.IPVS_GENL_NAME}"`));
});

test('NETLINK_GENERIC and NLM_F_DUMP match <linux/netlink.h> and the netlink package', (t) => {
  const netlinkHeader = readFileSync('/usr/include/linux/netlink.h', 'utf8');
  t.regex(netlinkHeader, new RegExp(`#define\\s+NETLINK_GENERIC\\s+${n.NETLINK_GENERIC}\\b`));
  t.regex(netlinkHeader, /#define\s+NLM_F_DUMP\s+\(NLM_F_ROOT\|NLM_F_MATCH\)/);
  t.is(n.NETLINK_GENERIC, Protocol.GENERIC);
  t.is(n.NLM_F_DUMP, FlagsGet.DUMP);
  t.is(n.NLM_F_DUMP, FlagsGet.ROOT | FlagsGet.MATCH);
});
