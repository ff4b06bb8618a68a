/**
 * test/fixtures/ipvs/ipvsadm-capture.json: what ipvsadm 1.31 sent to and received from the IPVS
 * generic-netlink family of a Linux 6.1 UML kernel, captured with strace (see capture/capture.sh).
 */
import { readFileSync } from 'node:fs';

export interface CapturedMessage {
  readonly dir: 'send' | 'recv';
  /** nlmsghdr fields */
  readonly type: number;
  readonly flags: number;
  /** The payload after the 16-byte nlmsghdr (genlmsghdr + attributes, or struct nlmsgerr). */
  readonly payload: Uint8Array;
}

export interface Capture {
  readonly name: string;
  readonly ipvsadmArgs: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly messages: readonly CapturedMessage[];
}

interface RawCapture {
  name: string;
  ipvsadmArgs: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  messages: { dir: 'send' | 'recv'; hex: string }[];
}

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const GENL_CMD_GET_INFO = 15;

const url = new URL('../../../../test/fixtures/ipvs/ipvsadm-capture.json', import.meta.url);
const raw = JSON.parse(readFileSync(url, 'utf8')) as RawCapture[];

export const captures: readonly Capture[] = raw.map((c) => ({
  ...c,
  messages: c.messages.map((m) => {
    const b = Buffer.from(m.hex, 'hex');
    return { dir: m.dir, type: b.readUInt16LE(4), flags: b.readUInt16LE(6), payload: new Uint8Array(b.subarray(16)) };
  }),
}));

export function capture(name: string): Capture {
  const c = captures.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no capture named ${name}`);
  return c;
}

/** The one IPVS request of a capture other than the GET_INFO every ipvsadm run starts with (or the first of several). */
export function sentRequest(name: string): CapturedMessage {
  const m = capture(name).messages.find((x) => x.dir === 'send' && x.payload[0] !== GENL_CMD_GET_INFO);
  if (m === undefined) throw new Error(`capture ${name} sent no IPVS request`);
  return m;
}

/** Generic-netlink replies (not errors, not DONE) with the given command. */
export function repliesWithCmd(name: string, cmd: number): CapturedMessage[] {
  return capture(name).messages.filter((x) => x.dir === 'recv' && x.type !== NLMSG_ERROR && x.type !== NLMSG_DONE && x.payload[0] === cmd);
}

/** The last NLMSG_ERROR of a capture (the answer to its request). */
export function lastError(name: string): CapturedMessage {
  const errors = capture(name).messages.filter((x) => x.type === NLMSG_ERROR);
  const last = errors[errors.length - 1];
  if (last === undefined) throw new Error(`capture ${name} has no NLMSG_ERROR`);
  return last;
}

/** Top-level attribute `type` of a generic-netlink payload (after the 4-byte genlmsghdr), payload only. */
export function topAttr(payload: Uint8Array, type: number): Uint8Array | undefined {
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let off = 4; off + 4 <= b.length; off += (b.readUInt16LE(off) + 3) & ~3) {
    const len = b.readUInt16LE(off);
    if (len < 4) return undefined;
    if ((b.readUInt16LE(off + 2) & 0x3fff) === type) return payload.subarray(off + 4, off + len);
  }
  return undefined;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
