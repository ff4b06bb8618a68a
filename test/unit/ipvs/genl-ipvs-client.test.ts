/**
 * GenlIpvsClient over a transport that replays the Linux 6.1 replies captured from ipvsadm
 * (ipvsadm-capture.json): family resolution, decoding, errno -> IpvsError, validation before
 * sending, the in-flight bound, abort and close. The real socket is exercised in UML.
 */
import test from 'ava';
import { encodeIpvsRequest } from '../../../src/ipvs/genl-codec.js';
import { GenlIpvsClient, resolveIpvsFamily } from '../../../src/ipvs/genl-ipvs-client.js';
import { isIpvsError } from '../../../src/ipvs/ipvs-error.js';
import type { GenlReply, GenlTransport } from '../../../src/ipvs/netlink-transport.js';
import { AttrWriter } from '../../../src/ipvs/nlattr.js';
import { lastError, repliesWithCmd } from './ipvsadm-capture.js';
import { dest, svc, tcp } from './ipvs-test-values.js';

const FAMILY = 28;
const ACK: GenlReply = { type: 2, flags: 0x100, payload: new Uint8Array(20) };

class ReplayTransport implements GenlTransport {
  readonly recvBufferBytes = 425984;
  readonly sent: { type: number; payload: Uint8Array; isDump: boolean }[] = [];
  inFlight = 0;
  peak = 0;
  isClosed = false;
  constructor(private readonly answer: (payload: Uint8Array, isDump: boolean) => GenlReply[] | Promise<GenlReply[]>) {}
  async request(type: number, payload: Uint8Array, options: { isDump: boolean }): Promise<GenlReply[]> {
    this.sent.push({ type, payload, isDump: options.isDump });
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      return await this.answer(payload, options.isDump);
    } finally {
      this.inFlight -= 1;
    }
  }
  close(): void {
    this.isClosed = true;
  }
}

const asReplies = (name: string, cmd: number): GenlReply[] => repliesWithCmd(name, cmd).map((m) => ({ type: FAMILY, flags: m.flags, payload: m.payload }));

test('the family id comes from nlctrl; a kernel without IPVS is ERR_IPVS_NOT_AVAILABLE', async (t) => {
  const reply = new AttrWriter().u16(1, FAMILY).string(2, 'IPVS').toBytes();
  const ok = new ReplayTransport(() => [{ type: 0x10, flags: 0, payload: Uint8Array.of(1, 2, 0, 0, ...reply) }]);
  t.is(await resolveIpvsFamily(ok, 1000), FAMILY);
  t.is(ok.sent[0]?.type, 0x10);
  const enoent = new Uint8Array(20);
  new DataView(enoent.buffer).setInt32(0, -2, true);
  const missing = new ReplayTransport(() => [{ type: 2, flags: 0, payload: enoent }]);
  const err = await t.throwsAsync(resolveIpvsFamily(missing, 1000));
  t.true(isIpvsError(err, 'ERR_IPVS_NOT_AVAILABLE'));
  t.regex(err?.message ?? '', /modprobe ip_vs/);
});

test('lists decode the kernel dumps; requests are the codec bytes, dumps flagged', async (t) => {
  const transport = new ReplayTransport((payload) => (payload[0] === 4 ? asReplies('save', 1) : asReplies('list-one', 5)));
  const client = new GenlIpvsClient(transport, FAMILY);
  const services = await client.listServices();
  t.is(services.length, 7);
  const dests = await client.listDestinations(tcp('192.0.2.1', 80));
  t.deepEqual(dests.map((d) => d.destination.weight).sort(), [0, 1, 1, 1]);
  t.deepEqual(transport.sent[0], { type: FAMILY, payload: encodeIpvsRequest({ command: 'list-services' }).payload, isDump: true });
  t.true(transport.sent[1]?.isDump);
  t.like(client.snapshot(), { requests: { 'list-services': 1, 'list-dests': 1 }, familyId: FAMILY });
});

test('kernel errnos become typed errors and are counted', async (t) => {
  const transport = new ReplayTransport(() => [{ type: 2, flags: 0, payload: lastError('svc-add-tcp-dup').payload }]);
  const client = new GenlIpvsClient(transport, FAMILY);
  const err = await t.throwsAsync(client.addService(svc(tcp('192.0.2.1', 80), 'rr')));
  t.true(isIpvsError(err, 'ERR_IPVS_EXISTS'));
  if (isIpvsError(err)) {
    t.is(err.object, 'service');
    t.is(err.errno, 17);
    t.is(err.details['vs'], 'tcp 192.0.2.1:80');
  }
  t.deepEqual(client.snapshot().kernelErrors, { ERR_IPVS_EXISTS: 1 });
});

test('getService answers undefined for ESRCH', async (t) => {
  const client = new GenlIpvsClient(new ReplayTransport(() => [{ type: 2, flags: 0, payload: lastError('svc-edit-missing').payload }]), FAMILY);
  t.is(await client.getService(tcp('192.0.2.99', 80)), undefined);
});

test('invalid values are refused before anything is sent', async (t) => {
  const transport = new ReplayTransport(() => [ACK]);
  const client = new GenlIpvsClient(transport, FAMILY);
  const err = await t.throwsAsync(client.addDestination(tcp('192.0.2.1', 80), dest('192.0.2.8', 80, undefined, { upperThreshold: 1, lowerThreshold: 2 })));
  t.true(isIpvsError(err, 'ERR_IPVS_INVALID'));
  t.is(transport.sent.length, 0);
});

test('an undecodable reply is ERR_IPVS_DECODE with its reason, counted', async (t) => {
  const client = new GenlIpvsClient(new ReplayTransport(() => [{ type: FAMILY, flags: 0, payload: Uint8Array.of(1, 1, 0, 0, 8, 0, 1, 0) }]), FAMILY);
  const err = await t.throwsAsync(client.listServices());
  t.true(isIpvsError(err, 'ERR_IPVS_DECODE'));
  t.deepEqual(client.snapshot().decodeFailures, { 'truncated-attribute': 1 });
});

test('10,000 concurrent calls never put more than 32 requests in flight', async (t) => {
  const transport = new ReplayTransport(() => [ACK]);
  const client = new GenlIpvsClient(transport, FAMILY, { maxInFlight: 1000 });
  const key = tcp('192.0.2.1', 80);
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.addDestination(key, dest(`10.${i >> 8}.${i & 255}.1`, 80))));
  t.is(transport.sent.length, 10_000);
  t.is(transport.peak, 32);
  t.like(client.snapshot(), { peakInFlight: 32, inFlight: 0, maxInFlight: 32 });
});

test('abort and close reject with their codes; close releases the transport', async (t) => {
  let release: () => void = () => undefined;
  const transport = new ReplayTransport(() => new Promise<GenlReply[]>((resolve) => (release = () => resolve([ACK]))));
  const client = new GenlIpvsClient(transport, FAMILY, { maxInFlight: 1 });
  const controller = new AbortController();
  const running = client.addService(svc(tcp('192.0.2.1', 80), 'rr'));
  const queued = client.addService(svc(tcp('192.0.2.1', 81), 'rr'), controller.signal);
  controller.abort();
  t.true(isIpvsError(await t.throwsAsync(queued), 'ERR_IPVS_ABORTED'));
  const later = client.addService(svc(tcp('192.0.2.1', 82), 'rr'));
  client.close();
  t.true(isIpvsError(await t.throwsAsync(later), 'ERR_IPVS_CLOSED'));
  await new Promise((r) => setImmediate(r));
  release();
  t.true(isIpvsError(await t.throwsAsync(running), 'ERR_IPVS_CLOSED'));
  t.true(transport.isClosed);
  t.true(isIpvsError(await t.throwsAsync(client.listServices()), 'ERR_IPVS_CLOSED'));
});
