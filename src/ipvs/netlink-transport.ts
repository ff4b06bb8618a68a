/**
 * The one module that touches the `netlink` package (0.3.0, N-API): a generic-netlink socket that
 * sends a request and returns the raw reply messages. Everything IPVS-specific is elsewhere.
 *
 * Requests go out with NLM_F_REQUEST|NLM_F_ACK (and NLM_F_DUMP for dumps) and `checkError: false`,
 * so kernel errors come back as NLMSG_ERROR messages whose errno we decode ourselves instead of
 * parsing the package's "Request rejected: EEXIST" strings.
 */
// The package's index also loads its rtnetlink, nl80211 and WireGuard modules (about 480 KB of
// JavaScript that Node must lex and compile); its socket module is all a generic-netlink socket
// needs (README, "lvsd ipvsadm start-up").
import { createNetlink, type NetlinkSocket } from 'netlink/dist/netlink.js';
import { NETLINK_GENERIC, NLM_F_DUMP } from './genl-numbers.js';
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
    socket = createNetlink(NETLINK_GENERIC);
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
  // The package asks the kernel for the socket's port (getsockname) on every send unless told;
  // it never changes, so ask once. Inside UML each syscall costs 20-60 us.
  const localPort = socket.address().port;
  const deadlines = new DeadlineWatch();
  let isClosed = false;
  return {
    recvBufferBytes,
    async request(type, payload, { isDump, timeoutMs }) {
      // One coarse watchdog for all requests instead of the package's setTimeout per request.
      const watched = deadlines.watch(timeoutMs);
      try {
        const [messages] = await Promise.race([
          socket.request(type, payload, { flags: isDump ? NLM_F_DUMP : 0, checkError: false, localPort }),
          watched.expired,
        ]);
        return messages.map((m) => ({ type: m.type, flags: m.flags, payload: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength) }));
      } catch (e) {
        throw new IpvsError('ERR_IPVS_TRANSPORT', `netlink request failed: ${(e as Error).message}`, { cause: e, details: { timeoutMs } });
      } finally {
        watched.done();
      }
    },
    close() {
      if (isClosed) return;
      isClosed = true;
      deadlines.stop();
      socket.close();
    },
  };
}

/**
 * Request deadlines checked by one interval timer that runs while requests are pending (and stops
 * at the first tick that finds none, rather than after each request: re-arming a timer per request
 * showed in the profile). Time
 * is counted in ticks of that timer (TICK_MS), so a request costs no clock read (inside UML a clock
 * read is a syscall); a deadline fires between timeoutMs and timeoutMs + 2 ticks. An expired
 * request's entry stays in the package's table until a late reply comes: the package has no way to
 * forget a sequence number, and a kernel that does not answer is broken anyway.
 */
class DeadlineWatch {
  private readonly pending = new Set<{ readonly expiresAtTick: number; readonly expire: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;

  watch(timeoutMs: number): { readonly expired: Promise<never>; done(): void } {
    let expire: () => void = () => undefined;
    const expired = new Promise<never>((_, reject) => {
      expire = () => reject(new Error(`no reply within ${timeoutMs} ms`));
    });
    expired.catch(() => undefined); // observed through Promise.race; never an unhandled rejection
    const entry = { expiresAtTick: this.tick + Math.ceil(timeoutMs / TICK_MS) + 1, expire };
    this.pending.add(entry);
    this.timer ??= setInterval(() => this.check(), TICK_MS).unref();
    return {
      expired,
      done: () => {
        this.pending.delete(entry); // the timer stops at its next tick if nothing is pending
      },
    };
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.tick += 1;
    if (this.pending.size === 0) this.stop();
    for (const entry of this.pending) {
      if (this.tick < entry.expiresAtTick) continue;
      this.pending.delete(entry);
      entry.expire();
    }
  }
}

const TICK_MS = 500;
