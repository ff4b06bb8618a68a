/**
 * Which kernel modules a UML lab needs, and whether the UML module tree can provide them.
 * Pure: takes the text of `modules.dep` and `modules.builtin`, returns what to load and what is missing.
 */

/** IPVS core and every scheduler (ip_vs_ftp is not needed). */
export const IPVS_MODULES: readonly string[] = [
  'ip_vs',
  'ip_vs_rr',
  'ip_vs_wrr',
  'ip_vs_lc',
  'ip_vs_wlc',
  'ip_vs_lblc',
  'ip_vs_lblcr',
  'ip_vs_sh',
  'ip_vs_dh',
  'ip_vs_sed',
  'ip_vs_nq',
  'ip_vs_mh',
  'ip_vs_fo',
  'ip_vs_ovf',
];

/** The default set for the lab: IPVS plus what topologies and fault injection use. */
export const LAB_UML_MODULES: readonly string[] = [
  ...IPVS_MODULES,
  'veth',
  'bridge',
  'ipip',
  'ipv6',
  'sch_netem',
  'dummy',
  'macvlan',
];

export interface ModuleResolution {
  /** Loadable modules (`modprobe -a` resolves their dependencies from modules.dep). */
  readonly loadable: readonly string[];
  /** Compiled into the kernel: nothing to load. */
  readonly builtin: readonly string[];
  /** Neither a module nor built in: the lab cannot run. */
  readonly missing: readonly string[];
}

/** Kernel module names treat '-' and '_' as the same character. */
export function normalizeModuleName(name: string): string {
  return name.trim().replaceAll('-', '_');
}

/** Module names listed in modules.dep (left of each ':') or modules.builtin (one path a line). */
export function moduleNamesFromList(text: string): Set<string> {
  const names = new Set<string>();
  for (const raw of text.split('\n')) {
    const path = raw.split(':', 1)[0]?.trim() ?? '';
    if (path === '') continue;
    const file = path.slice(path.lastIndexOf('/') + 1);
    const match = /^(.+?)\.ko(\.(xz|gz|zst))?$/.exec(file);
    if (match?.[1] !== undefined) names.add(normalizeModuleName(match[1]));
  }
  return names;
}

export function resolveUmlModules(
  wanted: readonly string[],
  lists: { readonly modulesDep: string; readonly modulesBuiltin: string },
): ModuleResolution {
  const modules = moduleNamesFromList(lists.modulesDep);
  const builtins = moduleNamesFromList(lists.modulesBuiltin);
  const loadable: string[] = [];
  const builtin: string[] = [];
  const missing: string[] = [];
  for (const name of new Set(wanted.map(normalizeModuleName))) {
    if (builtins.has(name)) builtin.push(name);
    else if (modules.has(name)) loadable.push(name);
    else missing.push(name);
  }
  return { loadable, builtin, missing };
}

/** Names of the modules listed in /proc/modules. */
export function parseProcModules(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.split(' ', 1)[0] ?? '')
    .filter((name) => name !== '');
}
