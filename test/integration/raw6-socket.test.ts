/**
 * lvsd's IPv6 raw socket (native/raw6-socket.c through ha/raw6-socket-binding.ts) on the host's loopback,
 * as root: what recvmsg sees (hop limit, destination, arrival interface) reaches JS, sends leave from
 * the source given for IPV6_PKTINFO, option and send failures carry the errno's name, close is final.
 * Protocol 253 (RFC 3692, for experiments) so that nothing else on the host reads these datagrams.
 */
import type { ExecutionContext } from 'ava';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { openRaw6Socket } from '../../ha/raw6-socket-binding.js';
import { intOption, IPPROTO_IPV6, IPV6_UNICAST_HOPS, type RawSocket, type RawSocketMessageInfo } from '../../ha/raw-socket-binding.js';
import { requirePrereqs } from '../support/prereqs.js';

const gate = requirePrereqs(['root']);
const EXPERIMENT_PROTOCOL = 253;
const LOOPBACK_INDEX = 1;

function address(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface Heard {
  readonly payload: string;
  readonly source: string;
  readonly info: RawSocketMessageInfo | undefined;
}

function listen(socket: RawSocket): { next(timeoutMs: number): Promise<Heard> } {
  const queue: Heard[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (buffer, source, info) => {
    queue.push({ payload: buffer.toString('hex'), source, info });
    wake?.();
  });
  return {
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (Date.now() > deadline) throw new Error('nothing received');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return queue.shift() as Heard;
    },
  };
}

function sendOnce(socket: RawSocket, payload: Buffer, to: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => socket.send(payload, 0, payload.length, to, (error) => resolve(error)));
}

function withSockets(t: ExecutionContext, ...sockets: RawSocket[]): void {
  t.teardown(() => {
    for (const s of sockets) s.close();
  });
}

gate.serial('a datagram arrives with the hop limit it was sent with, its destination and its interface', async (t) => {
  const receiver = openRaw6Socket(EXPERIMENT_PROTOCOL, address('::1'), LOOPBACK_INDEX);
  const sender = openRaw6Socket(EXPERIMENT_PROTOCOL, address('::1'), LOOPBACK_INDEX);
  withSockets(t, receiver, sender);
  const heard = listen(receiver);

  sender.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, intOption(7), 4);
  t.is(await sendOnce(sender, Buffer.from('31c0ffee', 'hex'), '::1'), null);
  const first = await heard.next(2_000);
  t.deepEqual(first, { payload: '31c0ffee', source: '::1', info: { destination: '::1', hopLimit: 7, interfaceIndex: LOOPBACK_INDEX } });

  sender.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
  t.is(await sendOnce(sender, Buffer.from('32', 'hex'), '::1'), null);
  const second = await heard.next(2_000);
  t.is(second.info?.hopLimit, 255);
  t.is(second.payload, '32');
});

gate.serial('the source given for the sends is the one on the wire', async (t) => {
  // ::1 is the only address of lo; a source that is not ours must be refused, not replaced by the kernel.
  const receiver = openRaw6Socket(EXPERIMENT_PROTOCOL, address('::1'), LOOPBACK_INDEX);
  const foreign = openRaw6Socket(EXPERIMENT_PROTOCOL, address('2001:db8::99'), LOOPBACK_INDEX);
  withSockets(t, receiver, foreign);
  const error = await sendOnce(foreign, Buffer.from('33', 'hex'), '::1');
  t.truthy(error, 'a source address the host does not have is refused');
  t.is(error?.code, 'EINVAL');
});

gate.serial('setsockopt failures name the errno; a closed socket sends nothing and closes once', async (t) => {
  const socket = openRaw6Socket(EXPERIMENT_PROTOCOL, address('::1'), LOOPBACK_INDEX);
  let closes = 0;
  socket.on('close', () => {
    closes += 1;
  });
  const unknownOption = 9999;
  const err = t.throws(() => socket.setOption(IPPROTO_IPV6, unknownOption, 1));
  t.is((err as NodeJS.ErrnoException | undefined)?.code, 'ENOPROTOOPT');
  socket.close();
  socket.close();
  t.is(closes, 1);
  t.throws(() => socket.send(Buffer.from('00', 'hex'), 0, 1, '::1', () => undefined), { message: /closed/ });
  await new Promise((r) => setTimeout(r, 50)); // the poll handle's close completes without a crash
});
