/** fast-check generators of valid IPVS model values (valid = accepted by src/ipvs/validate.ts). */
import fc from 'fast-check';
import { ipFromBytes, type IpAddress, type IpFamily } from '../../../src/core/ip.js';
import {
  IPVS_SCHEDULERS,
  type IpvsDestination,
  type IpvsForwarding,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsSyncDaemon,
  type IpvsTimeouts,
  type IpvsTunnelChecksum,
  schedulerFlagNames,
} from '../../../src/ipvs/model.js';
import { MAX_TIMEOUT_S } from '../../../src/ipvs/validate.js';

export const ipv4 = (): fc.Arbitrary<IpAddress> => fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => ipFromBytes(b));
export const ipv6 = (): fc.Arbitrary<IpAddress> => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ipFromBytes(b));
export const ipOf = (family: IpFamily): fc.Arbitrary<IpAddress> => (family === 4 ? ipv4() : ipv6());
export const port = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 65535 });

export const serviceKey = (family?: IpFamily): fc.Arbitrary<IpvsServiceKey> => {
  const fam: fc.Arbitrary<IpFamily> = family === undefined ? fc.constantFrom<IpFamily>(4, 6) : fc.constant(family);
  return fam.chain((f) =>
    fc.oneof(
      fc.record({
        kind: fc.constant('inet' as const),
        protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
        address: ipOf(f),
        port: port(),
      }),
      fc.record({ kind: fc.constant('fwmark' as const), fwmark: fc.integer({ min: 1, max: 0xffffffff }), family: fc.constant(f) }),
    ),
  );
};

export const service = (family?: IpFamily): fc.Arbitrary<IpvsService> =>
  fc
    .record({
      key: serviceKey(family),
      scheduler: fc.constantFrom(...IPVS_SCHEDULERS),
      flagBits: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      persistent: fc.boolean(),
      timeoutS: fc.integer({ min: 1, max: MAX_TIMEOUT_S }),
      prefix: fc.integer({ min: 1, max: 128 }),
      isOnePacket: fc.boolean(),
      pe: fc.option(fc.constant('sip'), { nil: undefined }),
    })
    .map((r) => {
      const family = r.key.kind === 'inet' ? r.key.address.family : r.key.family;
      const names = schedulerFlagNames(r.scheduler);
      const isUdp = r.key.kind === 'inet' && r.key.protocol === 'udp';
      return {
        key: r.key,
        scheduler: r.scheduler,
        schedulerFlags: names.filter((_, i) => r.flagBits[i] === true),
        ...(r.persistent ? { persistence: { timeoutS: r.timeoutS, netmaskPrefixLength: family === 4 ? r.prefix % 33 : r.prefix } } : {}),
        isOnePacket: r.isOnePacket && isUdp,
        ...(r.pe === undefined ? {} : { persistenceEngine: r.pe }),
      };
    });

const checksum = (): fc.Arbitrary<IpvsTunnelChecksum> => fc.constantFrom('nocsum' as const, 'csum' as const, 'remcsum' as const);

export const forwarding = (): fc.Arbitrary<IpvsForwarding> =>
  fc.oneof(
    fc.constant({ method: 'masq' as const }),
    fc.constant({ method: 'route' as const }),
    fc.constant({ method: 'tunnel' as const, tunnel: { type: 'ipip' as const } }),
    fc.record({ type: fc.constant('gue' as const), port: fc.integer({ min: 1, max: 65535 }), checksum: checksum() }).map((tunnel) => ({
      method: 'tunnel' as const,
      tunnel,
    })),
    checksum().map((c) => ({ method: 'tunnel' as const, tunnel: { type: 'gre' as const, checksum: c } })),
  );

export const destination = (family: IpFamily): fc.Arbitrary<IpvsDestination> =>
  fc
    .record({
      forwarding: forwarding(),
      otherFamily: fc.boolean(),
      v4: ipv4(),
      v6: ipv6(),
      port: port(),
      weight: fc.integer({ min: 0, max: 2147483647 }),
      upper: fc.integer({ min: 0, max: 0xffffffff }),
      lowerFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map((r) => {
      const fam = r.forwarding.method === 'tunnel' && r.otherFamily ? (family === 4 ? 6 : 4) : family;
      return {
        key: { address: fam === 4 ? r.v4 : r.v6, port: r.port },
        forwarding: r.forwarding,
        weight: r.weight,
        upperThreshold: r.upper,
        lowerThreshold: Math.floor(r.upper * r.lowerFraction),
      };
    });

export const daemon = (): fc.Arbitrary<IpvsSyncDaemon> =>
  fc
    .record({
      state: fc.constantFrom('master' as const, 'backup' as const),
      interfaceName: fc.stringMatching(/^[a-z][a-z0-9]{0,14}$/),
      syncId: fc.integer({ min: 0, max: 255 }),
      maxLength: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      group: fc.option(
        fc.oneof(
          fc.uint8Array({ minLength: 3, maxLength: 3 }).map((b) => ipFromBytes(Uint8Array.of(224 + ((b[0] ?? 0) % 16), b[1] ?? 0, b[2] ?? 0, 81))),
          fc.uint8Array({ minLength: 15, maxLength: 15 }).map((b) => ipFromBytes(Uint8Array.of(0xff, ...b))),
        ),
        { nil: undefined },
      ),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      ttl: fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
    })
    .map((r) => {
      const out: { -readonly [K in keyof IpvsSyncDaemon]: IpvsSyncDaemon[K] } = {
        state: r.state,
        interfaceName: r.interfaceName,
        syncId: r.syncId,
      };
      if (r.maxLength !== undefined) out.maxLength = r.maxLength;
      if (r.group !== undefined) out.group = r.group;
      if (r.port !== undefined) out.port = r.port;
      if (r.ttl !== undefined) out.ttl = r.ttl;
      return out;
    });

export const timeouts = (): fc.Arbitrary<IpvsTimeouts> =>
  fc.record({
    tcpS: fc.integer({ min: 0, max: MAX_TIMEOUT_S }),
    tcpFinS: fc.integer({ min: 0, max: MAX_TIMEOUT_S }),
    udpS: fc.integer({ min: 0, max: MAX_TIMEOUT_S }),
  });
