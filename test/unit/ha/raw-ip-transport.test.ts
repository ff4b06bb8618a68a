/**
 * The IP protocol 112 transport's socket lifecycle, on a fake raw socket and a fake clock: a send the
 * kernel refuses (ENETUNREACH while the link is down) leaves the socket in place; a socket raw-socket
 * closed itself is reopened after the delay; close() ends the reopening.
 */
import test from 'ava';
import { encodeIpv4Header, VRRP_IPV4_TOS } from '../../../ha/ipv4-header.js';
import { createRawIpTransport } from '../../../ha/raw-ip-transport.js';
import type { RawSocket, RawSocketMessageInfo } from '../../../ha/raw-socket-binding.js';
import type { VrrpDatagram, VrrpTransport } from '../../../ha/vrrp-transport.js';
import { VRRP_GROUP_IPV4 } from '../../../ha/vrrp-transport.js';
import { FakeClock } from '../../../src/core/fake-clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { ip } from './support/vrrp-fixtures.js';

/** A working raw socket without a kernel: records sends, fails them on demand, delivers what a test injects. */
class FakeRawSocket implements RawSocket {
  readonly sent: string[] = [];
  isClosed = false;
  sendError: Error | null = null;
  private readonly listeners = { message: [] as ((b: Buffer, s: string) => void)[], error: [] as ((e: Error) => void)[], close: [] as (() => void)[] };

  setOption(): void {}

  send(buffer: Buffer, offset: number, length: number, address: string, callback: (error: Error | null, bytes: number) => void): void {
    if (this.isClosed) throw new Error('Bad file descriptor');
    if (this.sendError !== null) {
      callback(this.sendError, 0);
      return;
    }
    this.sent.push(`${address}:${buffer.subarray(offset + 20, offset + length).toString('hex')}`);
    callback(null, length);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const l of this.listeners.close) l();
  }

  on(event: 'message' | 'error' | 'close', listener: never): void {
    (this.listeners[event] as unknown[]).push(listener);
  }

  /** An advert from `source` as the kernel hands it over: IPv4 header first. */
  deliver(source: string, payload: Uint8Array): void {
    const header = encodeIpv4Header({ source: ip(source), destination: VRRP_GROUP_IPV4, protocol: 112, ttl: 255, tos: VRRP_IPV4_TOS, payloadLength: payload.length });
    for (const l of this.listeners.message) l(Buffer.concat([header, payload]), source);
  }
}

function setup(): { clock: FakeClock; sockets: FakeRawSocket[]; transport: VrrpTransport; received: VrrpDatagram[] } {
  const clock = new FakeClock();
  const sockets: FakeRawSocket[] = [];
  const transport = createRawIpTransport(
    { interfaceName: 'eth0', interfaceIndex: 2, sourceAddress: ip('192.0.2.11'), mode: 'multicast', reopenDelayMs: 1000 },
    {
      clock,
      logger: silentLogger,
      openSocket: () => {
        const s = new FakeRawSocket();
        sockets.push(s);
        return s;
      },
    },
  );
  const received: VrrpDatagram[] = [];
  transport.onDatagram((d) => received.push(d));
  return { clock, sockets, transport, received };
}

const ADVERT = Uint8Array.from([0x31, 51, 100, 1, 0, 100, 0, 0, 192, 0, 2, 50]);

test('a send the kernel refuses (link down) is counted; the socket stays, receives, and carries the next advert', (t) => {
  const { clock, sockets, transport, received } = setup();
  const [first] = sockets;
  if (first === undefined) throw new Error('opened at once');
  first.sendError = new Error('Network is unreachable');
  transport.send(ADVERT, VRRP_GROUP_IPV4);
  t.like(transport.snapshot(), { sendErrors: 1, isOpen: true, lastError: 'Network is unreachable' });

  clock.advance(600); // the link comes back before the next advert
  first.sendError = null;
  first.deliver('192.0.2.12', ADVERT);
  transport.send(ADVERT, VRRP_GROUP_IPV4);
  t.is(received.length, 1, 'it kept receiving');
  t.is(first.sent.length, 1, 'the next advert went out on it');
  clock.advance(5000);
  t.is(sockets.length, 1, 'never replaced');
  t.false(first.isClosed);
  t.like(transport.snapshot(), { sent: 1, sendErrors: 1, reopens: 0 });
});

test('while the link stays down every advert is tried on the one socket', (t) => {
  const { clock, sockets, transport } = setup();
  const [first] = sockets;
  if (first === undefined) throw new Error('opened at once');
  first.sendError = new Error('Network is unreachable');
  for (let tick = 0; tick < 5; tick++) {
    transport.send(ADVERT, VRRP_GROUP_IPV4);
    clock.advance(1000);
  }
  t.like(transport.snapshot(), { sendErrors: 5, isOpen: true, reopens: 0 });
  t.is(sockets.length, 1);
});

test('a socket closed under us (raw-socket closes it after an error) is gone until the reopen', (t) => {
  const { clock, sockets, transport } = setup();
  sockets[0]?.close();
  t.like(transport.snapshot(), { isOpen: false });
  transport.send(ADVERT, VRRP_GROUP_IPV4);
  t.like(transport.snapshot(), { sendErrors: 1, lastError: 'socket reopening' });
  clock.advance(999);
  t.is(sockets.length, 1);
  clock.advance(1);
  t.is(sockets.length, 2);
  t.like(transport.snapshot(), { isOpen: true, reopens: 1 });
  sockets[1]?.deliver('192.0.2.12', ADVERT);
  transport.send(ADVERT, VRRP_GROUP_IPV4);
  t.is(sockets[1]?.sent.length, 1);
});

test('close() stops a pending reopen', (t) => {
  const { clock, sockets, transport } = setup();
  sockets[0]?.close();
  transport.close();
  clock.advance(5000);
  t.is(sockets.length, 1);
  t.like(transport.snapshot(), { isOpen: false });
});

/** An IPv6 socket as lvsd's addon hands datagrams over: no IP header, hop limit and destination beside it. */
class FakeRaw6Socket extends FakeRawSocket {
  private readonly messageListeners: ((b: Buffer, s: string, info?: RawSocketMessageInfo) => void)[] = [];

  override on(event: 'message' | 'error' | 'close', listener: never): void {
    if (event === 'message') this.messageListeners.push(listener);
    else super.on(event, listener);
  }

  deliver6(source: string, payload: Uint8Array, info?: RawSocketMessageInfo): void {
    for (const l of this.messageListeners) l(Buffer.from(payload), source, info);
  }
}

function setup6(): { sockets: FakeRaw6Socket[]; opened: string[]; transport: VrrpTransport; received: VrrpDatagram[] } {
  const sockets: FakeRaw6Socket[] = [];
  const opened: string[] = [];
  const transport = createRawIpTransport(
    { interfaceName: 'eth0', interfaceIndex: 2, sourceAddress: ip('fe80::11'), mode: 'multicast' },
    {
      clock: new FakeClock(),
      logger: silentLogger,
      openSocket: (family, protocol, source, interfaceIndex) => {
        opened.push(`${family} ${protocol} ${source.text} ${interfaceIndex}`);
        const s = new FakeRaw6Socket();
        sockets.push(s);
        return s;
      },
    },
  );
  const received: VrrpDatagram[] = [];
  transport.onDatagram((d) => received.push(d));
  return { sockets, opened, transport, received };
}

test('IPv6: the hop limit and destination the socket saw reach the datagram; the socket is opened with the source and interface of its sends', (t) => {
  const { sockets, opened, received } = setup6();
  t.deepEqual(opened, ['6 112 fe80::11 2']);
  sockets[0]?.deliver6('fe80::12', ADVERT, { destination: 'ff02::12', hopLimit: 254, interfaceIndex: 2 });
  t.is(received.length, 1);
  t.is(received[0]?.ttlOrHopLimit, 254);
  t.is(received[0]?.destination?.text, 'ff02::12');
  t.is(received[0]?.source.text, 'fe80::12');
  t.true(received[0]?.isChecksumVerified);
});

test('IPv6: a socket that saw no hop limit or destination leaves them undefined (the instance counts the assumption)', (t) => {
  const { sockets, received } = setup6();
  sockets[0]?.deliver6('fe80::12', ADVERT);
  t.is(received.length, 1);
  t.is(received[0]?.ttlOrHopLimit, undefined);
  t.is(received[0]?.destination, undefined);
});

test('IPv6: an unreadable source or destination is dropped and counted', (t) => {
  const { sockets, transport, received } = setup6();
  sockets[0]?.deliver6('fe80::12', ADVERT, { destination: 'not an address', hopLimit: 255 });
  sockets[0]?.deliver6('nonsense', ADVERT, { destination: 'ff02::12', hopLimit: 255 });
  t.is(received.length, 0);
  t.like(transport.snapshot().drops, { 'bad-destination-address': 1, 'bad-source-address': 1 });
});
