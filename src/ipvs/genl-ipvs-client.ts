/**
 * IpvsClient over the kernel's IPVS generic-netlink family: validate, encode (genl-codec.ts), send
 * through a GenlTransport under a RequestGate (bounded in flight, dumps alone), decode
 * (genl-decode.ts), and turn kernel errnos into IpvsError (ipvs-error.ts).
 *
 * `createGenlIpvsClient` opens the socket (netlink-transport.ts), raises SO_RCVBUF and resolves the
 * family id; a kernel without IPVS gives ERR_IPVS_NOT_AVAILABLE.
 */
import type { IpFamily } from '../core/ip.js';
import type { Logger } from '../core/logger.js';
import { encodeIpvsRequest, type IpvsCommandName, type IpvsRequest } from './genl-codec.js';
import { decodeFamilyId, encodeGetFamilyRequest, GENL_ID_CTRL } from './genl-ctrl.js';
import {
  decodeConfigReply,
  decodeDaemonReply,
  decodeDestinationReply,
  decodeInfoReply,
  decodeNetlinkErrno,
  decodeServiceReply,
  type IpvsDecodeReason,
  type IpvsDecodeResult,
} from './genl-decode.js';
import { IPVS_GENL_NAME } from './genl-numbers.js';
import { abortedError, invalidArgument, type IpvsClient } from './ipvs-client.js';
import { Errno, IPVS_NOT_AVAILABLE_MESSAGE, IpvsError, ipvsErrorFromErrno } from './ipvs-error.js';
import {
  type IpvsDestination,
  type IpvsDestinationEntry,
  type IpvsDestinationKey,
  type IpvsInfo,
  type IpvsService,
  type IpvsServiceEntry,
  type IpvsServiceKey,
  type IpvsSyncDaemon,
  type IpvsSyncState,
  type IpvsTimeouts,
  formatDestinationKey,
  formatServiceKey,
  ipFamilyOfServiceKey,
} from './model.js';
import { createNetlinkTransport, type GenlReply, type GenlTransport } from './netlink-transport.js';
import { RequestGate, type RequestGateSnapshot } from './request-gate.js';
import { checkDaemon, checkDestination, checkService, checkServiceKey, checkTimeouts, type IpvsProblem } from './validate.js';

const NLMSG_ERROR = 2;

export interface GenlIpvsClientOptions {
  /** Requests in flight on the socket; default and maximum 32 (see request-gate.ts). */
  readonly maxInFlight?: number;
  /** SO_RCVBUF to ask for; default 4 MiB (the kernel caps it at net.core.rmem_max). */
  readonly recvBufferBytes?: number;
  /** Per request; default 10 s. */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface GenlIpvsClientSnapshot extends RequestGateSnapshot {
  readonly familyId: number;
  readonly recvBufferBytes: number;
  readonly isClosed: boolean;
  readonly requests: Readonly<Record<string, number>>;
  readonly kernelErrors: Readonly<Record<string, number>>;
  readonly decodeFailures: Readonly<Partial<Record<IpvsDecodeReason, number>>>;
}

export const MAX_IN_FLIGHT = 32;
const DEFAULT_RECV_BUFFER_BYTES = 4 << 20;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Opens the socket and resolves the IPVS family. ERR_IPVS_NOT_AVAILABLE when the kernel has none. */
export async function createGenlIpvsClient(options: GenlIpvsClientOptions = {}, signal?: AbortSignal): Promise<GenlIpvsClient> {
  const logger = options.logger;
  const transport = createNetlinkTransport({
    recvBufferBytes: options.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES,
    onSocketError: (err) => logger?.error('netlink socket error', { component: 'ipvs', err }),
  });
  try {
    const familyId = await resolveIpvsFamily(transport, options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS, signal);
    return new GenlIpvsClient(transport, familyId, options);
  } catch (e) {
    transport.close();
    throw e;
  }
}

export async function resolveIpvsFamily(transport: GenlTransport, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  if (signal?.aborted === true) throw new IpvsError('ERR_IPVS_ABORTED', 'IPVS family resolution aborted', { cause: signal.reason });
  const replies = await transport.request(GENL_ID_CTRL, encodeGetFamilyRequest(IPVS_GENL_NAME), { isDump: false, timeoutMs });
  const error = replies.find((r) => r.type === NLMSG_ERROR);
  const errno = error === undefined ? undefined : decodeNetlinkErrno(error.payload);
  if (errno?.ok === true && errno.value === Errno.ENOENT) throw new IpvsError('ERR_IPVS_NOT_AVAILABLE', IPVS_NOT_AVAILABLE_MESSAGE, { errno: errno.value });
  if (errno?.ok === true && errno.value !== 0) throw new IpvsError('ERR_IPVS_KERNEL', `resolving the IPVS family failed with errno ${errno.value}`, { errno: errno.value });
  const familyId = replies.map((r) => decodeFamilyId(r.payload)).find((id) => id !== undefined);
  if (familyId === undefined) throw new IpvsError('ERR_IPVS_DECODE', 'no family id in the nlctrl reply', { details: { reason: 'missing-attribute' } });
  return familyId;
}

export class GenlIpvsClient implements IpvsClient {
  private readonly gate: RequestGate;
  private readonly timeoutMs: number;
  private readonly requests: Record<string, number> = {};
  private readonly kernelErrors: Record<string, number> = {};
  private readonly decodeFailures: Partial<Record<IpvsDecodeReason, number>> = {};
  private isClosed = false;

  constructor(
    private readonly transport: GenlTransport,
    readonly familyId: number,
    options: GenlIpvsClientOptions = {},
  ) {
    this.gate = new RequestGate(Math.min(options.maxInFlight ?? MAX_IN_FLIGHT, MAX_IN_FLIGHT));
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async getInfo(signal?: AbortSignal): Promise<IpvsInfo> {
    const [reply] = await this.call({ command: 'get-info' }, signal);
    return this.decode('get-info', reply, decodeInfoReply);
  }

  async listServices(signal?: AbortSignal): Promise<IpvsServiceEntry[]> {
    const replies = await this.call({ command: 'list-services' }, signal);
    return replies.map((r) => this.decode('list-services', r, decodeServiceReply));
  }

  async getService(key: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsServiceEntry | undefined> {
    this.validate('get-service', checkServiceKey(key));
    try {
      const [reply] = await this.call({ command: 'get-service', service: key }, signal);
      return this.decode('get-service', reply, decodeServiceReply);
    } catch (e) {
      if (e instanceof IpvsError && e.code === 'ERR_IPVS_NOT_FOUND') return undefined;
      throw e;
    }
  }

  async addService(service: IpvsService, signal?: AbortSignal): Promise<void> {
    this.validate('new-service', checkService(service));
    await this.call({ command: 'new-service', service }, signal);
  }

  async editService(service: IpvsService, signal?: AbortSignal): Promise<void> {
    this.validate('set-service', checkService(service));
    await this.call({ command: 'set-service', service }, signal);
  }

  async deleteService(key: IpvsServiceKey, signal?: AbortSignal): Promise<void> {
    this.validate('del-service', checkServiceKey(key));
    await this.call({ command: 'del-service', service: key }, signal);
  }

  async listDestinations(service: IpvsServiceKey, signal?: AbortSignal): Promise<IpvsDestinationEntry[]> {
    this.validate('list-dests', checkServiceKey(service));
    const family: IpFamily = ipFamilyOfServiceKey(service);
    const replies = await this.call({ command: 'list-dests', service }, signal);
    return replies.map((r) => this.decode('list-dests', r, (p) => decodeDestinationReply(p, family)));
  }

  async addDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void> {
    this.validate('new-dest', checkDestination(service, destination));
    await this.call({ command: 'new-dest', service, destination }, signal);
  }

  async editDestination(service: IpvsServiceKey, destination: IpvsDestination, signal?: AbortSignal): Promise<void> {
    this.validate('set-dest', checkDestination(service, destination));
    await this.call({ command: 'set-dest', service, destination }, signal);
  }

  async deleteDestination(service: IpvsServiceKey, destination: IpvsDestinationKey, signal?: AbortSignal): Promise<void> {
    this.validate('del-dest', checkServiceKey(service));
    await this.call({ command: 'del-dest', service, destination }, signal);
  }

  async zero(service: IpvsServiceKey | undefined, signal?: AbortSignal): Promise<void> {
    if (service !== undefined) this.validate('zero', checkServiceKey(service));
    await this.call(service === undefined ? { command: 'zero' } : { command: 'zero', service }, signal);
  }

  async flush(signal?: AbortSignal): Promise<void> {
    await this.call({ command: 'flush' }, signal);
  }

  async getTimeouts(signal?: AbortSignal): Promise<IpvsTimeouts> {
    const [reply] = await this.call({ command: 'get-config' }, signal);
    return this.decode('get-config', reply, decodeConfigReply);
  }

  async setTimeouts(timeouts: Partial<IpvsTimeouts>, signal?: AbortSignal): Promise<void> {
    this.validate('set-config', checkTimeouts(timeouts));
    await this.call({ command: 'set-config', timeouts }, signal);
  }

  async listDaemons(signal?: AbortSignal): Promise<IpvsSyncDaemon[]> {
    const replies = await this.call({ command: 'list-daemons' }, signal);
    return replies.map((r) => this.decode('list-daemons', r, decodeDaemonReply));
  }

  async startDaemon(daemon: IpvsSyncDaemon, signal?: AbortSignal): Promise<void> {
    this.validate('new-daemon', checkDaemon(daemon));
    await this.call({ command: 'new-daemon', daemon }, signal);
  }

  async stopDaemon(state: IpvsSyncState, signal?: AbortSignal): Promise<void> {
    await this.call({ command: 'del-daemon', state }, signal);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.gate.close(() => new IpvsError('ERR_IPVS_CLOSED', 'the IPVS client is closed'));
    this.transport.close();
  }

  snapshot(): GenlIpvsClientSnapshot {
    return {
      ...this.gate.snapshot(),
      familyId: this.familyId,
      recvBufferBytes: this.transport.recvBufferBytes,
      isClosed: this.isClosed,
      requests: { ...this.requests },
      kernelErrors: { ...this.kernelErrors },
      decodeFailures: { ...this.decodeFailures },
    };
  }

  private validate(command: IpvsCommandName, problems: readonly IpvsProblem[]): void {
    if (problems.length > 0) throw invalidArgument(command, problems);
  }

  /** Sends one request; resolves with its reply messages (none for an ACK), rejects with IpvsError. */
  private async call(request: IpvsRequest, signal: AbortSignal | undefined): Promise<GenlReply[]> {
    const { payload, isDump } = encodeIpvsRequest(request);
    const command = request.command;
    this.requests[command] = (this.requests[command] ?? 0) + 1;
    const closed = (): IpvsError => new IpvsError('ERR_IPVS_CLOSED', 'the IPVS client is closed', { command });
    const replies = await this.gate.run(
      isDump ? 'dump' : 'doit',
      () => this.transport.request(this.familyId, payload, { isDump, timeoutMs: this.timeoutMs }),
      signal,
      () => (signal === undefined ? closed() : abortedError(command, signal)),
    );
    if (this.isClosed) throw closed();
    const error = replies.find((r) => r.type === NLMSG_ERROR);
    if (error !== undefined) {
      const errno = decodeNetlinkErrno(error.payload);
      if (!errno.ok) throw this.decodeError(command, errno.reason, errno.detail);
      if (errno.value !== 0) {
        const err = ipvsErrorFromErrno(command, errno.value, describeRequest(request));
        this.kernelErrors[err.code] = (this.kernelErrors[err.code] ?? 0) + 1;
        throw err;
      }
    }
    return replies.filter((r) => r.type === this.familyId);
  }

  private decode<T>(command: IpvsCommandName, reply: GenlReply | undefined, decoder: (payload: Uint8Array) => IpvsDecodeResult<T>): T {
    if (reply === undefined) throw this.decodeError(command, 'missing-attribute', 'no reply message');
    const result = decoder(reply.payload);
    if (!result.ok) throw this.decodeError(command, result.reason, result.detail);
    return result.value;
  }

  private decodeError(command: IpvsCommandName, reason: IpvsDecodeReason, detail: string): IpvsError {
    this.decodeFailures[reason] = (this.decodeFailures[reason] ?? 0) + 1;
    return new IpvsError('ERR_IPVS_DECODE', `cannot decode the kernel's ${command} reply: ${reason} (${detail})`, {
      command,
      details: { reason, detail },
    });
  }
}

/** Log/detail fields of a request: the virtual service (`vs`) and real server (`rs`) it names. */
function describeRequest(request: IpvsRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if ('service' in request && request.service !== undefined) {
    out['vs'] = formatServiceKey('key' in request.service ? request.service.key : request.service);
  }
  if ('destination' in request) out['rs'] = formatDestinationKey('key' in request.destination ? request.destination.key : request.destination);
  return out;
}
