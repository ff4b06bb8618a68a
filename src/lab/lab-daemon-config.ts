/**
 * The per-director lvsd configuration a lab generates when it runs daemons. Pure: values in,
 * YAML text out. Only the keys the lab needs; `extra` is merged at top level for scenarios that
 * configure more (VRRP instances, services) once the daemon supports them.
 */
import { stringify } from 'yaml';

export type LabLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LabDaemonConfigInput {
  /** director-1, director-2... */
  readonly routerId: string;
  /** Directory of the control socket and pid file, e.g. /run/lvsd. */
  readonly runDir: string;
  readonly logLevel?: LabLogLevel;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface LabDaemonPaths {
  readonly controlSocket: string;
  readonly pidFile: string;
  /** Under the run directory: inside UML that is a private tmpfs, never the host's /var/lib. */
  readonly stateDir: string;
}

export function labDaemonPaths(input: Pick<LabDaemonConfigInput, 'routerId' | 'runDir'>): LabDaemonPaths {
  return {
    controlSocket: `${input.runDir}/${input.routerId}.sock`,
    pidFile: `${input.runDir}/${input.routerId}.pid`,
    stateDir: `${input.runDir}/${input.routerId}-state`,
  };
}

export function buildLabDaemonConfig(input: LabDaemonConfigInput): Record<string, unknown> {
  return {
    global: { routerId: input.routerId },
    daemon: labDaemonPaths(input),
    log: { level: input.logLevel ?? 'info', format: 'json' },
    ...input.extra,
  };
}

export function formatLabDaemonConfig(input: LabDaemonConfigInput): string {
  return stringify(buildLabDaemonConfig(input));
}
