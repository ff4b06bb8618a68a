/**
 * The IPVS service of the traffic-through-vip scenario, two ways from one description: the `ipvs`
 * section each director's lvsd gets, and the `ipvsadm -R` input for the same rules (which is also
 * what `ipvsadm -Sn`, the oracle, must print once lvsd programmed it). Pure.
 */
import { LAB_VIP, type LabNode } from '../topology-plan.js';
import { LAB_STREAM_PORT, type LabForwarding } from './traffic-through-vip-options.js';

export interface LabIpvsSpec {
  readonly port: number;
  readonly scheduler: string;
  readonly forwarding: LabForwarding;
  /** HTTP health checks on the real servers of the main service. */
  readonly isHealthChecked?: boolean;
  /**
   * The drain phase's stream service, VIP:LAB_STREAM_PORT, with these real servers. With it, repair
   * rounds run every second (they notice the drained connection closing) and the drain timeout is
   * 60 s, far beyond the phase: a deletion seen there is a drained one, not a timed-out one.
   */
  readonly streamRealServers?: readonly LabNode[];
  /** The main service gets quorum 2, this sorry server and scripts appending to `scriptLog` (quorum-sorry-server.ts). */
  readonly quorum?: { readonly sorry: LabNode; readonly scriptLog: string };
  /** The main service's real servers get LAB_SLOWSTART's weight and ramp (real-server-failure.ts). */
  readonly isSlowStarted?: boolean;
}

/** Fast checks, so the lab runs in seconds: down after 2 failures 200 ms apart, up after 2 successes. */
export const LAB_HEALTH_CHECK = { type: 'http', path: '/', interval: '200ms', timeout: '300ms', rise: 2, fall: 2 } as const;

/**
 * The failure phase's slowstart: weight 10 reached over 2 s, so a returning real server's weight
 * takes several values that a few `ipvsadm -Ln` samples see (health/real-server-verdict.ts ramps it
 * from 1, in at most 20 steps). Not at start: lvsd gives the full weight to a server up from the start.
 */
export const LAB_SLOWSTART = { weight: 10, slowStart: '2s' } as const;

/** The weight of the main service's real servers. */
export function labRealServerWeight(spec: LabIpvsSpec): number {
  return spec.isSlowStarted === true ? LAB_SLOWSTART.weight : 1;
}

/** The quorum phase's service (quorum-sorry-server.ts): two live real servers of weight 1. */
export const LAB_QUORUM = { weight: 2, hysteresis: 0 } as const;

/**
 * The fields the quorum phase's virtual server gets: quorum, the sorry server, and scripts lvsd runs
 * without a shell (the program is /bin/sh, given its script as one argument) appending to `scriptLog`.
 */
export function labQuorumFields(sorry: LabNode, port: number, scriptLog: string): Record<string, unknown> {
  const append = (word: string): string => `/bin/sh -c "echo ${word} >> ${scriptLog}"`;
  return {
    quorum: LAB_QUORUM,
    notify: { quorumDown: append('down'), quorumUp: append('up') },
    sorryServer: { address: sorry.address.text, port, weight: 1 },
  };
}

/** ipvsadm's spelling of each method, as -S prints it (-i comes with its tunnel type). */
const IPVSADM_METHOD: Readonly<Record<LabForwarding, string>> = { dr: '-g', nat: '-m', tun: '-i' };
const IPVSADM_METHOD_TAIL: Readonly<Record<LabForwarding, string>> = { dr: '', nat: '', tun: ' --tun-type ipip' };

/** Input for `ipvsadm -R`: each service with its real servers, weight 1 (the main one's labRealServerWeight). */
export function ipvsadmRestoreInput(spec: LabIpvsSpec, realServers: readonly LabNode[]): string {
  const service = (port: number, members: readonly LabNode[], weight: number): string[] => [
    `-A -t ${LAB_VIP.text}:${port} -s ${spec.scheduler}`,
    ...members.map((rs) => `-a -t ${LAB_VIP.text}:${port} -r ${rs.address.text}:${port} ${IPVSADM_METHOD[spec.forwarding]} -w ${weight}${IPVSADM_METHOD_TAIL[spec.forwarding]}`),
  ];
  const stream = spec.streamRealServers === undefined ? [] : service(LAB_STREAM_PORT, spec.streamRealServers, 1);
  return [...service(spec.port, realServers, labRealServerWeight(spec)), ...stream, ''].join('\n');
}

/** The `ipvs` section every director's lvsd gets: the services ipvsadmRestoreInput describes. */
export function labIpvsConfig(spec: LabIpvsSpec, realServers: readonly LabNode[]): Record<string, unknown> {
  const virtualServer = (port: number, members: readonly LabNode[], isChecked: boolean): Record<string, unknown> => ({
    address: LAB_VIP.text,
    port,
    scheduler: spec.scheduler,
    forwarding: spec.forwarding,
    realServers: members.map((rs) => ({
      address: rs.address.text,
      port,
      weight: port === spec.port ? labRealServerWeight(spec) : 1,
      ...(isChecked ? { healthChecks: [LAB_HEALTH_CHECK] } : {}),
      ...(isChecked && spec.isSlowStarted === true ? { slowStart: LAB_SLOWSTART.slowStart } : {}),
    })),
    ...(spec.quorum === undefined || port !== spec.port ? {} : labQuorumFields(spec.quorum.sorry, port, spec.quorum.scriptLog)),
  });
  const stream = spec.streamRealServers;
  return {
    ipvs: {
      virtualServers: [virtualServer(spec.port, realServers, spec.isHealthChecked === true), ...(stream === undefined ? [] : [virtualServer(LAB_STREAM_PORT, stream, false)])],
      ...(stream === undefined ? {} : { repairInterval: '1s', drainTimeout: '60s' }),
    },
  };
}
