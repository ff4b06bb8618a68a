/**
 * The one module of ha/ that touches the `netlink` package (0.3.0, N-API) for rtnetlink: a socket whose
 * requests go out one at a time (netlink@0.3.0 aborts the whole process when a socket's receive queue
 * overflows, so nothing here ever has more than one request in flight) with a larger receive buffer
 * for dumps, a timeout on every request, and kernel errors returned as errno values instead of the
 * package's "Request rejected: EEXIST" strings. Netlink wire structs stay private to ha/'s rtnetlink
 * adapters (STYLE: seesaw's ncc).
 */
import { AttrStream, createRtNetlink, parseError, rt, type RtNetlinkSocket } from 'netlink';
import { describeError } from '../src/core/errors.js';
import { throwIfAborted, VrrpError } from './vrrp-error.js';

/** NLMSG_ERROR (linux/netlink.h). */
const NLMSG_ERROR = 2;
const RECV_BUFFER_BYTES = 1 << 20;
const DEFAULT_TIMEOUT_MS = 2000;

export interface RtnetlinkSessionOptions {
  /** Per request; default 2000 ms. */
  readonly timeoutMs?: number;
}

/** Kernel answer to a change request: errno 0 is the ACK; otherwise the positive errno. */
export interface RtnetlinkAck {
  readonly errno: number;
}

export interface RtnetlinkSession {
  newAddress(data: rt.Address, attrs: rt.AddressAttrs, flags: number, signal?: AbortSignal): Promise<RtnetlinkAck>;
  delAddress(data: rt.Address, attrs: rt.AddressAttrs, signal?: AbortSignal): Promise<RtnetlinkAck>;
  getAddresses(signal?: AbortSignal): Promise<rt.AddressMessage[]>;
  getLinks(signal?: AbortSignal): Promise<rt.LinkMessage[]>;
  close(): void;
}

export function createRtnetlinkSession(options: RtnetlinkSessionOptions = {}): RtnetlinkSession {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let socket: RtNetlinkSocket;
  try {
    socket = createRtNetlink();
  } catch (e) {
    throw new VrrpError('ERR_VRRP_NETLINK', `cannot open an rtnetlink socket: ${describeError(e)}`, { cause: e });
  }
  socket.socket.on('error', () => undefined); // reported through the failing request
  try {
    socket.socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch {
    // the kernel caps it at net.core.rmem_max; one request at a time keeps the queue short anyway
  }
  let tail: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let isClosed = false;

  /**
   * Runs `work` after every earlier request settled: one request in flight. With none in flight the
   * request is sent at once, in the caller's turn (a takeover's VIP add is the latency that matters).
   */
  const serial = <T>(what: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> => {
    const run = async (): Promise<T> => {
      if (isClosed) throw new VrrpError('ERR_VRRP_CLOSED', `${what}: rtnetlink session closed`);
      throwIfAborted(signal, what);
      try {
        return await work();
      } catch (e) {
        if (e instanceof VrrpError) throw e;
        throw new VrrpError('ERR_VRRP_NETLINK', `${what}: ${describeError(e)}`, { cause: e, details: { timeoutMs } });
      }
    };
    const isIdle = inFlight === 0;
    inFlight += 1;
    const result = isIdle ? run() : tail.then(run, run);
    const settled = (): void => {
      inFlight -= 1;
    };
    tail = result.then(settled, settled);
    return result;
  };

  const change = async (type: number, message: rt.AddressMessage, flags: number): Promise<RtnetlinkAck> => {
    const stream = new AttrStream();
    rt.formatAddressMessage(message, stream);
    const [replies] = await socket.socket.request(type, stream.bufs, { flags, checkError: false, timeout: timeoutMs });
    const reply = replies[0];
    if (reply === undefined || reply.type !== NLMSG_ERROR) return { errno: 0 };
    return { errno: Math.abs(parseError(reply.data, reply.flags).errno) };
  };

  return {
    newAddress: (data, attrs, flags, signal) =>
      serial('RTM_NEWADDR', signal, () => change(rt.MessageType.NEWADDR, { kind: 'address', data, attrs }, flags)),
    delAddress: (data, attrs, signal) => serial('RTM_DELADDR', signal, () => change(rt.MessageType.DELADDR, { kind: 'address', data, attrs }, 0)),
    getAddresses: (signal) => serial('RTM_GETADDR', signal, () => socket.getAddresses({}, {}, { timeout: timeoutMs })),
    getLinks: (signal) => serial('RTM_GETLINK', signal, () => socket.getLinks({}, {}, { timeout: timeoutMs })),
    close() {
      if (isClosed) return;
      isClosed = true;
      socket.socket.close();
    },
  };
}
