/**
 * The one module that touches the `netlink` package (0.3.0, N-API): a generic-netlink socket that
 * sends a request and returns the raw reply messages. Everything IPVS-specific is elsewhere.
 *
 * Requests go out with NLM_F_REQUEST|NLM_F_ACK (and NLM_F_DUMP for dumps) and `checkError: false`,
 * so kernel errors come back as NLMSG_ERROR messages whose errno we decode ourselves instead of
 * parsing the package's "Request rejected: EEXIST" strings.
 */
import { createNetlink, FlagsGet, Protocol, type NetlinkSocket } from 'netlink';
import { IpvsError } from './ipvs-error.js';

/** One reply message: nlmsghdr type and flags, and the payload after the nlmsghdr. */
export interface GenlReply {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** The seam between the IPVS client and the socket (a fake one replays captured kernel replies). */
export interface GenlTransport {
  /**
   * Sends `payload` (genlmsghdr + attributes) as nlmsg_type `type` and resolves with the reply:
   * the one reply message, the NLMSG_ERROR message (ACK or error), or a dump's parts without the DONE.
   */
  request(type: number, payload: Uint8Array, options: { readonly isDump: boolean; readonly timeoutMs: number }): Promise<GenlReply[]>;
  /** SO_RCVBUF as the kernel granted it (it doubles the request and caps it at net.core.rmem_max * 2). */
  readonly recvBufferBytes: number;
  close(): void;
}

export interface NetlinkTransportOptions {
  /** SO_RCVBUF to ask for; the kernel caps it at net.core.rmem_max. */
  readonly recvBufferBytes: number;
  /** Socket-level errors (e.g. ENOBUFS reported as an 'error' event), for logging. */
  readonly onSocketError?: (error: Error) => void;
}

export function createNetlinkTransport(options: NetlinkTransportOptions): GenlTransport {
  let socket: NetlinkSocket;
  try {
    socket = createNetlink(Protocol.GENERIC);
  } catch (e) {
    throw new IpvsError('ERR_IPVS_TRANSPORT', `cannot open a generic netlink socket: ${(e as Error).message}`, { cause: e });
  }
  socket.on('error', (error) => options.onSocketError?.(error));
  try {
    socket.setRecvBufferSize(options.recvBufferBytes);
  } catch (e) {
    options.onSocketError?.(e as Error);
  }
  const recvBufferBytes = socket.getRecvBufferSize();
  let isClosed = false;
  return {
    recvBufferBytes,
    async request(type, payload, { isDump, timeoutMs }) {
      try {
        const [messages] = await socket.request(type, payload, {
          flags: isDump ? FlagsGet.DUMP : 0,
          checkError: false,
          timeout: timeoutMs,
        });
        return messages.map((m) => ({ type: m.type, flags: m.flags, payload: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength) }));
      } catch (e) {
        throw new IpvsError('ERR_IPVS_TRANSPORT', `netlink request failed: ${(e as Error).message}`, { cause: e, details: { timeoutMs } });
      }
    },
    close() {
      if (isClosed) return;
      isClosed = true;
      socket.close();
    },
  };
}
