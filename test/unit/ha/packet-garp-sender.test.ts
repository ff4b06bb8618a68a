/**
 * The gratuitous ARP lvsd writes itself: the frame is byte for byte the one iputils `arping -U` sends
 * (captured with tcpdump -xx on a veth); the sender looks the interface up on every announcement, counts
 * what the kernel accepted and why the rest failed, and sends nothing after close().
 */
import test from 'ava';
import { createPacketGarpSender, encodeGratuitousArp } from '../../../ha/packet-garp-sender.js';
import type { NativeHandle } from '../../../src/core/native-addon.js';
import { createMemoryLogger, type LogEntry } from '../../../src/core/logger.js';
import { ip } from './support/vrrp-fixtures.js';

const MAC = Uint8Array.from([0x22, 0xc6, 0x78, 0x5e, 0x01, 0x10]);

test('the frame is the one arping -U sends for 192.0.2.9 from 22:c6:78:5e:01:10', (t) => {
  // tcpdump -xx of `arping -U -c 1 -I va 192.0.2.9`: "Request who-has 192.0.2.9 (ff:ff:ff:ff:ff:ff) tell 192.0.2.9, length 28"
  const arping = 'ffffffffffff22c6785e01100806000108000604000122c6785e0110c0000209ffffffffffffc0000209';
  t.is(encodeGratuitousArp(ip('192.0.2.9'), MAC).toString('hex'), arping);
});

test('only IPv4 addresses and 6-byte MACs', (t) => {
  t.throws(() => encodeGratuitousArp(ip('2001:db8::1'), MAC), { instanceOf: RangeError });
  t.throws(() => encodeGratuitousArp(ip('192.0.2.9'), MAC.subarray(0, 5)), { instanceOf: RangeError });
});

interface FakeInterface {
  readonly interfaceIndex: number;
  readonly macAddress: Buffer;
}

/** The addon's packet functions without a kernel: interfaces by name, sends recorded or refused. */
function fakeAddon(interfaces: Map<string, FakeInterface>) {
  const sent: { frame: string; interfaceIndex: number }[] = [];
  const state = { opens: 0, closes: 0, sendResult: 0 as 0 | string };
  const handle = {} as NativeHandle;
  return {
    sent,
    state,
    addon: {
      packetOpen: () => {
        state.opens += 1;
        return handle;
      },
      packetInterface: (_h: NativeHandle, name: string) => {
        const found = interfaces.get(name);
        if (found === undefined) throw Object.assign(new Error('SIOCGIFINDEX: No such device'), { code: 'ENODEV' });
        return found;
      },
      packetSend: (_h: NativeHandle, frame: Buffer, interfaceIndex: number) => {
        if (state.sendResult === 0) sent.push({ frame: frame.toString('hex'), interfaceIndex });
        return state.sendResult;
      },
      packetClose: () => {
        state.closes += 1;
      },
    },
  };
}

test('an announcement is one frame from the interface as it is now; failures are counted by reason and logged', (t) => {
  const interfaces = new Map([['eth0', { interfaceIndex: 3, macAddress: Buffer.from(MAC) }]]);
  const fake = fakeAddon(interfaces);
  const logs: LogEntry[] = [];
  const sender = createPacketGarpSender({ logger: createMemoryLogger(logs), addon: fake.addon });

  sender.prepare(ip('192.0.2.50'), 'eth0');
  sender.announce(ip('192.0.2.50'), 'eth0');
  t.deepEqual(fake.sent, [{ frame: encodeGratuitousArp(ip('192.0.2.50'), MAC).toString('hex'), interfaceIndex: 3 }]);

  // The interface is re-created (a virtual MAC's macvlan): new index, new MAC, seen at the next announcement.
  const newMac = Uint8Array.from([0, 0, 0x5e, 0, 1, 51]);
  interfaces.set('eth0', { interfaceIndex: 7, macAddress: Buffer.from(newMac) });
  sender.announce(ip('192.0.2.50'), 'eth0');
  t.deepEqual(fake.sent[1], { frame: encodeGratuitousArp(ip('192.0.2.50'), newMac).toString('hex'), interfaceIndex: 7 });

  sender.announce(ip('192.0.2.50'), 'eth9');
  fake.state.sendResult = 'ENETDOWN';
  sender.announce(ip('192.0.2.50'), 'eth0');
  sender.announce(ip('2001:db8::50'), 'eth0');
  t.like(sender.snapshot(), { started: 5, succeeded: 2, inFlight: 0, failures: { 'no-such-interface': 1, 'send-failed': 1, 'unsupported-family': 1, closed: 0 } });
  t.deepEqual(
    logs.filter((l) => l.message === 'gratuitous arp failed').map((l) => l.fields['reason']),
    ['no-such-interface', 'send-failed'],
  );
  t.is(fake.state.opens, 1, 'one socket serves every announcement');

  sender.close();
  sender.close();
  sender.announce(ip('192.0.2.50'), 'eth0');
  t.is(fake.state.closes, 1);
  t.like(sender.snapshot(), { started: 6, failures: { closed: 1 } });
});

test('prepare on a missing interface warns once and sends nothing', (t) => {
  const fake = fakeAddon(new Map());
  const logs: LogEntry[] = [];
  const sender = createPacketGarpSender({ logger: createMemoryLogger(logs), addon: fake.addon });
  sender.prepare(ip('192.0.2.50'), 'vrrp.51');
  t.deepEqual(fake.sent, []);
  t.deepEqual(logs.map((l) => l.message), ['gratuitous arps will fail']);
});
