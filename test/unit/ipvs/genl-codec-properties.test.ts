/** Property tests of the IPVS codec (STYLE 23): decode(encode(x)) = x, and decoders never throw on bytes. */
import test from 'ava';
import fc from 'fast-check';
import { encodeIpvsRequest } from '../../../src/ipvs/genl-codec.js';
import {
  decodeConfigReply,
  decodeDaemonReply,
  decodeDestinationReply,
  decodeInfoReply,
  decodeNetlinkErrno,
  decodeServiceReply,
} from '../../../src/ipvs/genl-decode.js';
import { ipFamilyOfServiceKey, ZERO_STATS } from '../../../src/ipvs/model.js';
import { checkDaemon, checkDestination, checkService } from '../../../src/ipvs/validate.js';
import { captures } from './ipvsadm-capture.js';
import * as arb from './ipvs-arbitraries.js';

test('generated services, destinations and daemons are valid', (t) => {
  t.notThrows(() => fc.assert(fc.property(arb.service(), (s) => checkService(s).length === 0)));
  t.notThrows(() => fc.assert(
    fc.property(
      arb.serviceKey().chain((k) => arb.destination(ipFamilyOfServiceKey(k)).map((d) => [k, d] as const)),
      ([k, d]) => checkDestination(k, d).length === 0,
    ),
  ));
  t.notThrows(() => fc.assert(fc.property(arb.daemon(), (d) => checkDaemon(d).length === 0)));
});

test('services: decode(encode(x)) = x (NEW_SERVICE has the layout of the kernel reply)', (t) => {
  fc.assert(
    fc.property(arb.service(), (service) => {
      const decoded = decodeServiceReply(encodeIpvsRequest({ command: 'new-service', service }).payload);
      t.deepEqual(decoded, { ok: true, value: { service, stats: ZERO_STATS } });
    }),
    { numRuns: 500 },
  );
});

test('destinations: decode(encode(x)) = x, in services of either family', (t) => {
  fc.assert(
    fc.property(
      arb.serviceKey().chain((k) => arb.destination(ipFamilyOfServiceKey(k)).map((d) => [k, d] as const)),
      ([service, destination]) => {
        const decoded = decodeDestinationReply(encodeIpvsRequest({ command: 'new-dest', service, destination }).payload, ipFamilyOfServiceKey(service));
        t.deepEqual(decoded, {
          ok: true,
          value: { destination, activeConnections: 0, inactiveConnections: 0, persistentConnections: 0, stats: ZERO_STATS },
        });
      },
    ),
    { numRuns: 500 },
  );
});

test('daemons and timeouts: decode(encode(x)) = x', (t) => {
  fc.assert(
    fc.property(arb.daemon(), (daemon) => {
      t.deepEqual(decodeDaemonReply(encodeIpvsRequest({ command: 'new-daemon', daemon }).payload), { ok: true, value: daemon });
    }),
  );
  fc.assert(
    fc.property(arb.timeouts(), (timeouts) => {
      t.deepEqual(decodeConfigReply(encodeIpvsRequest({ command: 'set-config', timeouts }).payload), { ok: true, value: timeouts });
    }),
  );
});

const decoders: ((b: Uint8Array) => { ok: boolean })[] = [
  decodeServiceReply,
  (b) => decodeDestinationReply(b, 4),
  (b) => decodeDestinationReply(b, 6),
  decodeDaemonReply,
  decodeConfigReply,
  decodeInfoReply,
  decodeNetlinkErrno,
];

test('decoders never throw on random bytes', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      for (const d of decoders) d(bytes);
    }),
    { numRuns: 2000 },
  ));
});

/** Real kernel replies with one byte changed, truncated, or with a plausible command byte in front. */
test('decoders never throw on mutated kernel replies', (t) => {
  const replies = captures.flatMap((c) => c.messages.filter((m) => m.dir === 'recv').map((m) => m.payload));
  t.true(replies.length > 50);
  fc.assert(
    fc.property(
      fc.constantFrom(...replies),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.nat(),
      fc.constantFrom(1, 5, 9, 12, 14),
      (payload, at, value, cut, cmd) => {
        const mutated = Uint8Array.from(payload);
        if (mutated.length > 0) mutated[at % mutated.length] = value;
        mutated[0] = cmd;
        const truncated = mutated.subarray(0, cut % (mutated.length + 1));
        for (const d of decoders) {
          d(mutated);
          d(truncated);
        }
      },
    ),
    { numRuns: 3000 },
  );
});
