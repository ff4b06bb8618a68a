import test from 'ava';
import {
  LAB_UML_MODULES,
  moduleNamesFromList,
  normalizeModuleName,
  parseProcModules,
  resolveUmlModules,
} from '../../../src/lab/uml-modules.js';

const MODULES_DEP = `kernel/net/netfilter/ipvs/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko kernel/net/ipv6/ipv6.ko
kernel/net/netfilter/ipvs/ip_vs_rr.ko: kernel/net/netfilter/ipvs/ip_vs.ko
kernel/drivers/net/veth.ko:
kernel/net/sched/sch_netem.ko.xz:
kernel/net/ipv6/ipv6.ko: kernel/lib/crc-ccitt.ko
`;
const MODULES_BUILTIN = `kernel/net/bridge/bridge.ko
kernel/drivers/net/dummy.ko
`;

test('resolveUmlModules sorts wanted modules into loadable, builtin and missing', (t) => {
  const r = resolveUmlModules(['ip_vs', 'ip_vs_rr', 'veth', 'bridge', 'dummy', 'sch-netem', 'macvlan', 'ip_vs'], {
    modulesDep: MODULES_DEP,
    modulesBuiltin: MODULES_BUILTIN,
  });
  t.deepEqual(r.loadable, ['ip_vs', 'ip_vs_rr', 'veth', 'sch_netem']);
  t.deepEqual(r.builtin, ['bridge', 'dummy']);
  t.deepEqual(r.missing, ['macvlan']);
});

test('moduleNamesFromList reads both file formats and compressed modules', (t) => {
  t.deepEqual([...moduleNamesFromList(MODULES_DEP)].sort(), ['ip_vs', 'ip_vs_rr', 'ipv6', 'sch_netem', 'veth']);
  t.deepEqual([...moduleNamesFromList(MODULES_BUILTIN)].sort(), ['bridge', 'dummy']);
  t.deepEqual([...moduleNamesFromList('\n\n')], []);
});

test('module names: dashes and underscores are the same', (t) => {
  t.is(normalizeModuleName(' crc-ccitt '), 'crc_ccitt');
});

test('the lab set has IPVS with every scheduler, and no ip_vs_ftp', (t) => {
  for (const m of ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_lc', 'ip_vs_wlc', 'ip_vs_lblc', 'ip_vs_lblcr', 'ip_vs_sh', 'ip_vs_dh', 'ip_vs_sed', 'ip_vs_nq', 'ip_vs_mh', 'ip_vs_fo', 'ip_vs_ovf', 'veth', 'bridge', 'ipip', 'ipv6', 'sch_netem', 'dummy', 'macvlan']) {
    t.true(LAB_UML_MODULES.includes(m), m);
  }
  t.false(LAB_UML_MODULES.includes('ip_vs_ftp'));
});

test('parseProcModules takes the first column', (t) => {
  t.deepEqual(parseProcModules('ip_vs_rr 16384 1 - Live 0x0\nip_vs 180224 27 ip_vs_rr, Live 0x0\n'), ['ip_vs_rr', 'ip_vs']);
});
