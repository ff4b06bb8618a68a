/**
 * Every benchmark section, in report order. A section is loaded only when it runs. To add one
 * (VRRP failover vs keepalived, health checks at scale): write a module exporting a
 * BenchSectionModule, list it here with where it runs (`uml` sections share one boot, `host`
 * sections run in namespaces on the host), the modules and binaries it needs and its share of the
 * time budget.
 */
import { IPVS_MODULES } from '../src/lab/uml-modules.js';
import type { BenchSectionSpec } from './bench-model.js';

export const BENCH_SECTIONS: readonly BenchSectionSpec[] = [
  {
    name: 'ipvs',
    title: 'IPVS apply, dump, weight change, ipvsadm start-up',
    place: 'uml',
    modules: IPVS_MODULES,
    binaries: ['ipvsadm'],
    budgetShare: 1,
    load: async () => (await import('./ipvs/ipvs-bench.js')).ipvsBench,
  },
  {
    name: 'vrrp',
    title: 'VRRP failover gap, spurious takeovers and advert intervals vs keepalived',
    place: 'host',
    modules: [],
    binaries: ['ip', 'keepalived', 'tcpdump', 'chrt'],
    budgetShare: 1,
    load: async () => (await import('./vrrp/vrrp-bench.js')).vrrpBench,
  },
  {
    name: 'health-detect',
    title: 'Health check detection time (server stops -> IPVS updated), lvsd vs keepalived',
    place: 'uml',
    modules: IPVS_MODULES,
    binaries: ['ipvsadm', 'keepalived'],
    budgetShare: 0.3,
    load: async () => (await import('./health/detect-bench.js')).healthDetectBench,
  },
  {
    name: 'health-scale',
    title: 'Health checks at scale: CPU, RSS, probe regularity and VRRP adverts, lvsd vs keepalived',
    place: 'host',
    modules: [],
    binaries: ['ip', 'keepalived', 'gcc', 'tcpdump', 'getconf'],
    budgetShare: 0.7,
    load: async () => (await import('./health/scale-bench.js')).healthScaleBench,
  },
];

export function findBenchSection(name: string): BenchSectionSpec | undefined {
  return BENCH_SECTIONS.find((s) => s.name === name);
}
