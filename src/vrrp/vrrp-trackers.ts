/**
 * The trackers of the config's VRRP instances: one periodic tracker per script, file and interface that
 * anything references (a script runs once however many instances track it, as in keepalived), and for
 * each instance the list it follows with its weights: its own references plus its sync group's. A sync
 * group member's own weighted trackers follow keepalived's rule (syncMemberTrackerWeight) unless the
 * group has isTrackingWeighted.
 */
import type { Clock } from '../core/clock.js';
import { splitCommandLine } from '../core/command-line.js';
import type { CommandRunner } from '../core/command-runner.js';
import type { Logger } from '../core/logger.js';
import type { VrrpConfig } from '../../config/schema-vrrp.js';
import { syncMemberTrackerWeight } from '../../config/rules-vrrp.js';
import type { LinkLookup } from '../../ha/link-lookup.js';
import { createPeriodicTracker, type PeriodicTracker } from '../../ha/periodic-tracker.js';
import { combineTrackers, type TrackerEffect } from '../../ha/tracker-effect.js';
import { fileProbe, interfaceProbe, scriptProbe } from '../../ha/tracker-probes.js';

/** keepalived watches interfaces through netlink and files through inotify; lvsd polls, at these periods. */
export const INTERFACE_POLL_MS = 500;
export const FILE_POLL_MS = 1000;

export interface TrackerRef {
  readonly tracker: PeriodicTracker;
  readonly weight: number;
  readonly isReversed: boolean;
}

export interface VrrpTrackerSet {
  readonly all: readonly PeriodicTracker[];
  refsFor(instanceName: string): readonly TrackerRef[];
}

export function effectOf(refs: readonly TrackerRef[]): TrackerEffect {
  return combineTrackers(refs.map((r) => ({ name: r.tracker.name, weight: r.weight, isReversed: r.isReversed, status: r.tracker.status() })));
}

export function buildVrrpTrackers(vrrp: VrrpConfig, deps: { clock: Clock; logger: Logger; runner: CommandRunner; links: LinkLookup }): VrrpTrackerSet {
  const trackers = new Map<string, PeriodicTracker>();
  const get = (key: string, make: () => PeriodicTracker): PeriodicTracker => {
    const found = trackers.get(key);
    if (found !== undefined) return found;
    const made = make();
    trackers.set(key, made);
    return made;
  };
  const scriptTracker = (name: string): PeriodicTracker | undefined => {
    const script = vrrp.scripts.find((s) => s.name === name);
    if (script === undefined) return undefined;
    const argv = splitCommandLine(script.command);
    return get(`script ${name}`, () =>
      createPeriodicTracker(
        { name: `script ${name}`, intervalMs: script.interval, rise: script.rise, fall: script.fall, initial: { kind: 'up-down', isUp: !script.isInitiallyFailed } },
        argv.ok ? scriptProbe(argv.value, script.timeout ?? script.interval, deps.runner) : () => Promise.resolve({ kind: 'up-down', isUp: false, detail: argv.error }),
        deps,
      ),
    );
  };
  const fileTracker = (name: string): PeriodicTracker | undefined => {
    const file = vrrp.trackFiles.find((f) => f.name === name);
    if (file === undefined) return undefined;
    return get(`file ${name}`, () => createPeriodicTracker({ name: `file ${name}`, intervalMs: FILE_POLL_MS, rise: 1, fall: 1, initial: { kind: 'unknown' } }, fileProbe(file.path), deps));
  };
  const interfaceTracker = (name: string): PeriodicTracker =>
    get(`interface ${name}`, () =>
      createPeriodicTracker({ name: `interface ${name}`, intervalMs: INTERFACE_POLL_MS, rise: 1, fall: 1, initial: { kind: 'unknown' } }, interfaceProbe(name, deps.links), deps),
    );

  type Owner = Pick<VrrpConfig['instances'][number], 'trackInterfaces' | 'trackScripts' | 'trackFiles'>;
  /** `isSyncMember`: keepalived's rule for a sync group member's own trackers (config/rules-vrrp.ts). */
  const refsOf = (owner: Owner, isSyncMember: boolean): TrackerRef[] => {
    const refs: TrackerRef[] = [];
    const push = (kind: 'interface' | 'script' | 'file', ref: TrackerRef): void => {
      const weight = isSyncMember ? syncMemberTrackerWeight(kind, ref.weight) : ref.weight;
      if (weight !== undefined) refs.push({ ...ref, weight });
    };
    for (const t of owner.trackInterfaces) push('interface', { tracker: interfaceTracker(t.interface), weight: t.weight, isReversed: t.isReversed });
    for (const t of owner.trackScripts) {
      const script = vrrp.scripts.find((s) => s.name === t.script);
      const tracker = scriptTracker(t.script);
      if (tracker !== undefined && script !== undefined) {
        push('script', { tracker, weight: t.weight ?? script.weight, isReversed: t.weight === undefined ? script.isReversed : t.isReversed });
      }
    }
    for (const t of owner.trackFiles) {
      const file = vrrp.trackFiles.find((f) => f.name === t.file);
      const tracker = fileTracker(t.file);
      if (tracker !== undefined && file !== undefined) {
        push('file', { tracker, weight: t.weight ?? file.weight, isReversed: t.weight === undefined ? file.isReversed : t.isReversed });
      }
    }
    return refs;
  };
  const byInstance = new Map<string, TrackerRef[]>();
  for (const instance of vrrp.instances) {
    const group = vrrp.syncGroups.find((g) => g.members.includes(instance.name));
    const isSyncMember = group !== undefined && !group.isTrackingWeighted;
    // keepalived tracks an instance's own interface (FAULT while it is down) unless dont_track_primary.
    const primary: TrackerRef[] =
      instance.isPrimaryTracked && !instance.trackInterfaces.some((t) => t.interface === instance.interface)
        ? [{ tracker: interfaceTracker(instance.interface), weight: 0, isReversed: false }]
        : [];
    byInstance.set(instance.name, [...primary, ...refsOf(instance, isSyncMember), ...(group === undefined ? [] : refsOf(group, false))]);
  }
  return { all: [...trackers.values()], refsFor: (name) => byInstance.get(name) ?? [] };
}
