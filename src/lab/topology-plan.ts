/**
 * Plans a lab topology as iproute2 batches. Pure: a spec in, command lines out.
 *
 *   client, directors, real servers: one network namespace each, one veth "eth0" each
 *   switch: its own namespace holding bridge br0 and the other veth ends (d1, r1, c...)
 *
 * Every link is created directly inside its namespace (`link add ... netns X`), so the caller's
 * namespace (the host's root namespace in host tests) never gets a link. Names carry a per-run
 * prefix "lv<runId>-" so parallel runs do not collide. Addresses come from 192.0.2.0/24 (TEST-NET-1):
 * directors .11+, real servers .21+, VIP .50 (reserved), client .100.
 *
 * NAT routing (IPVS masquerading needs the real servers' replies to pass through the director): the
 * client moves to its own subnet, 198.51.100.0/24 (TEST-NET-2) on the same bridge, as 198.51.100.100;
 * director-1 also holds 198.51.100.1 and forwards between the two (ip_forward=1, no ICMP redirects:
 * its in and out interface are the same eth0); the real servers' default route and the client's
 * route to 192.0.2.0/24 go through director-1. The real servers then have no route to the client
 * but through the director, which is what LVS-NAT requires.
 */
import { ipFromBytes, type IpAddress } from '../core/ip.js';
import { err, ok, type Result } from '../core/result.js';

export const LAB_PREFIX_LENGTH = 24;
const SUBNET = [192, 0, 2] as const;
const DIRECTOR_FIRST_HOST = 11;
const REAL_SERVER_FIRST_HOST = 21;
const VIP_HOST = 50;
const CLIENT_HOST = 100;
const NAT_CLIENT_SUBNET = [198, 51, 100] as const;
const NAT_GATEWAY_HOST = 1;
export const MAX_DIRECTORS = 9;
/** Real servers end below the VIP (.21-.49). */
export const MAX_REAL_SERVERS = VIP_HOST - REAL_SERVER_FIRST_HOST;

export const LAB_VIP: IpAddress = labAddress(VIP_HOST);

export type LabRole = 'director' | 'real-server' | 'client';

export interface LabNode {
  /** Logical name, also the HTTP answer of a real server: director-1, rs-1, client. */
  readonly name: string;
  readonly role: LabRole;
  /** 1-based index within the role. */
  readonly index: number;
  readonly namespace: string;
  /** The veth end in the switch namespace, enslaved to br0. */
  readonly switchPort: string;
  /** Address of eth0 (/24). */
  readonly address: IpAddress;
}

export interface TopologySpec {
  /** [a-z0-9]{1,6}: makes every name of this run unique. */
  readonly runId: string;
  readonly directorCount: number;
  readonly realServerCount: number;
  /** Default true. */
  readonly hasClient?: boolean;
  /**
   * Prepare real servers for IPVS direct routing to this VIP: VIP/32 on lo, and ARP sysctls so they
   * neither answer nor announce it (arp_ignore=1, arp_announce=2).
   */
  readonly directRoutingVip?: IpAddress;
  /**
   * Route for IPVS masquerading (NAT) through director-1: the client on 198.51.100.0/24, the real
   * servers' default route via director-1, director-1 forwarding. Exclusive with directRoutingVip.
   */
  readonly isNatRouted?: boolean;
}

export interface NamespaceBatch {
  readonly namespace: string;
  /** Lines for `ip -n <namespace> -batch -`. */
  readonly lines: readonly string[];
}

export interface SysctlSet {
  readonly namespace: string;
  readonly settings: readonly (readonly [key: string, value: string])[];
}

export interface TopologyPlan {
  readonly runId: string;
  /** Every namespace of the run starts with this. */
  readonly namespacePrefix: string;
  readonly switchNamespace: string;
  readonly nodes: readonly LabNode[];
  readonly vip: IpAddress;
  /** Lines for `ip -batch -` in the caller's namespace: add the namespaces, then the veth pairs. */
  readonly createBatch: readonly string[];
  /** Per namespace: bridge and ports (switch), lo, addresses, eth0 up (nodes). Independent of each other. */
  readonly namespaceBatches: readonly NamespaceBatch[];
  /** Applied with `ip netns exec <namespace> sysctl -q -w k=v...`, one process per namespace. */
  readonly sysctls: readonly SysctlSet[];
  /** Lines for `ip -force -batch -`: deleting a namespace deletes its veth ends, and so their peers. */
  readonly deleteBatch: readonly string[];
}

export function labAddress(host: number): IpAddress {
  return ipFromBytes(Uint8Array.from([...SUBNET, host]));
}

/** The client's subnet in a NAT-routed lab (198.51.100.0/24). */
export function natClientAddress(host: number): IpAddress {
  return ipFromBytes(Uint8Array.from([...NAT_CLIENT_SUBNET, host]));
}

/** director-1's second address in a NAT-routed lab: the client's gateway to 192.0.2.0/24. */
export const NAT_CLIENT_GATEWAY: IpAddress = natClientAddress(NAT_GATEWAY_HOST);

export function planTopology(spec: TopologySpec): Result<TopologyPlan, string> {
  if (!/^[a-z0-9]{1,6}$/.test(spec.runId)) return err(`runId "${spec.runId}" must be 1-6 characters [a-z0-9]`);
  if (!isCount(spec.directorCount, 0, MAX_DIRECTORS)) return err(`directorCount must be an integer 0-${MAX_DIRECTORS}`);
  if (!isCount(spec.realServerCount, 0, MAX_REAL_SERVERS)) return err(`realServerCount must be an integer 0-${MAX_REAL_SERVERS}`);
  const isNat = spec.isNatRouted === true;
  if (isNat && spec.directRoutingVip !== undefined) return err('NAT routing and direct routing exclude each other');
  if (isNat && spec.directorCount < 1) return err('NAT routing needs a director (the real servers\' gateway)');
  const prefix = `lv${spec.runId}-`;
  const nodes: LabNode[] = [];
  const add = (role: LabRole, name: string, index: number, short: string, host: number): void => {
    const address = isNat && role === 'client' ? natClientAddress(host) : labAddress(host);
    nodes.push({ name, role, index, namespace: `${prefix}${short}`, switchPort: short, address });
  };
  for (let i = 1; i <= spec.directorCount; i++) add('director', `director-${i}`, i, `d${i}`, DIRECTOR_FIRST_HOST + i - 1);
  for (let i = 1; i <= spec.realServerCount; i++) add('real-server', `rs-${i}`, i, `r${i}`, REAL_SERVER_FIRST_HOST + i - 1);
  if (spec.hasClient !== false) add('client', 'client', 1, 'c', CLIENT_HOST);
  if (nodes.length === 0) return err('a topology needs at least one node');
  const switchNamespace = `${prefix}sw`;

  // "name"/"dev" keywords everywhere: a bare short name like "a" would parse as "address".
  const createBatch = [
    `netns add ${switchNamespace}`,
    ...nodes.map((n) => `netns add ${n.namespace}`),
    ...nodes.map((n) => `link add name ${n.switchPort} netns ${switchNamespace} type veth peer name eth0 netns ${n.namespace}`),
  ];
  const switchBatch: NamespaceBatch = {
    namespace: switchNamespace,
    lines: [
      // No STP (ports forward at once) and no multicast snooping (VRRP adverts reach every port).
      'link add name br0 type bridge stp_state 0 mcast_snooping 0',
      'link set dev br0 up',
      ...nodes.flatMap((n) => [`link set dev ${n.switchPort} master br0`, `link set dev ${n.switchPort} up`]),
    ],
  };
  const vip = spec.directRoutingVip;
  const gateway = nodes.find((n) => n.role === 'director');
  const nodeBatches = nodes.map(
    (n): NamespaceBatch => ({
      namespace: n.namespace,
      lines: [
        'link set dev lo up',
        ...(vip !== undefined && n.role === 'real-server' ? [`address add ${vip.text}/32 dev lo`] : []),
        `address add ${n.address.text}/${LAB_PREFIX_LENGTH} dev eth0`,
        'link set dev eth0 up',
        ...(isNat && gateway !== undefined ? natRoutes(n, gateway) : []),
      ],
    }),
  );
  const sysctls: SysctlSet[] = [
    ...(vip === undefined ? [] : nodes.filter((n) => n.role === 'real-server').map((n) => ({ namespace: n.namespace, settings: DIRECT_ROUTING_SYSCTLS }))),
    ...(isNat ? nodes.filter((n) => n.role === 'director').map((n) => ({ namespace: n.namespace, settings: NAT_DIRECTOR_SYSCTLS })) : []),
  ];
  return ok({
    runId: spec.runId,
    namespacePrefix: prefix,
    switchNamespace,
    nodes,
    vip: LAB_VIP,
    createBatch,
    namespaceBatches: [switchBatch, ...nodeBatches],
    sysctls,
    deleteBatch: [...nodes.map((n) => `netns delete ${n.namespace}`), `netns delete ${switchNamespace}`],
  });
}

const DIRECT_ROUTING_SYSCTLS = [
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
] as const;

/**
 * Every director forwards (the one holding the VIP is the gateway; the others are ready to take
 * over), and sends no ICMP redirects: a real server's reply enters and leaves by the same eth0, and a
 * redirect would tell it to bypass the director, whose reverse NAT the client needs.
 */
const NAT_DIRECTOR_SYSCTLS = [
  ['net.ipv4.ip_forward', '1'],
  ['net.ipv4.conf.all.send_redirects', '0'],
  ['net.ipv4.conf.eth0.send_redirects', '0'],
] as const;

/** NAT routing: director-1 is the gateway between the servers' subnet and the client's. */
function natRoutes(n: LabNode, gateway: LabNode): string[] {
  if (n.role === 'real-server') return [`route add default via ${gateway.address.text} dev eth0`];
  if (n.role === 'client') return [`route add ${SUBNET.join('.')}.0/${LAB_PREFIX_LENGTH} via ${NAT_CLIENT_GATEWAY.text} dev eth0`];
  return n === gateway ? [`address add ${NAT_CLIENT_GATEWAY.text}/${LAB_PREFIX_LENGTH} dev eth0`] : [];
}

/** Namespace names from `ip netns list` ("name" or "name (id: 3)" per line). */
export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/, 1)[0] ?? '')
    .filter((name) => name !== '');
}

function isCount(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}
