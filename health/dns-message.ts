/**
 * A small DNS message codec (RFC 1035 section 4), pure: build a query, decode what came back. It knows
 * nothing of sockets or checks. The decoder never throws on bytes from the wire: it returns a typed
 * reason (compression loops, labels that overrun, records cut short...). Only the header, the question
 * and the answer section are decoded; the authority and additional sections are not read.
 */
import { ipFromBytes, parseIpAddress } from '../src/core/ip.js';
import { err, ok, type Result } from '../src/core/result.js';

/** RFC 1035 section 3.2.2 TYPE values (AAAA: RFC 3596). */
export const DNS_TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;
export type DnsType = keyof typeof DNS_TYPES;
const CLASS_IN = 1;

/** RFC 1035 section 4.1.1 RCODE, plus RFC 2136's. */
export const DNS_RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
};

export const DNS_DECODE_ERRORS = [
  'short-header',
  'truncated-question',
  'truncated-record',
  'bad-label-type',
  'name-loop',
  'name-too-long',
  'bad-rdata',
] as const;
export type DnsDecodeError = (typeof DNS_DECODE_ERRORS)[number];

export interface DnsQuestion {
  /** Lower case, no trailing dot; the root is ''. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** The record data as text: an address, a name, `10 mx.example.org`, TXT strings joined; other types hex. */
  readonly text: string;
}

export interface DnsMessage {
  readonly id: number;
  /** QR bit. */
  readonly isResponse: boolean;
  readonly opcode: number;
  /** TC bit: the answer did not fit in the datagram. */
  readonly isTruncated: boolean;
  readonly isRecursionDesired: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
}

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;
const MAX_POINTER_JUMPS = 64;

export function dnsTypeName(type: number): string {
  return (Object.keys(DNS_TYPES) as DnsType[]).find((k) => DNS_TYPES[k] === type) ?? `TYPE${type}`;
}

/** Canonical text form of a name: lower case, no trailing dot. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** Encodes a name as labels (no compression). Fails for empty labels, labels over 63 bytes or names over 255. */
export function encodeName(name: string): Result<Uint8Array, string> {
  const canonical = canonicalName(name);
  const labels = canonical === '' ? [] : canonical.split('.');
  const bytes: number[] = [];
  for (const label of labels) {
    const encoded = Buffer.from(label, 'latin1');
    if (encoded.length === 0) return err(`DNS name "${name}" has an empty label`);
    if (encoded.length > 63) return err(`DNS name "${name}" has a label longer than 63 bytes`);
    bytes.push(encoded.length, ...encoded);
  }
  bytes.push(0);
  if (bytes.length > MAX_NAME_BYTES) return err(`DNS name "${name}" is longer than 255 bytes`);
  return ok(Uint8Array.from(bytes));
}

export interface DnsQuery {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly isRecursionDesired: boolean;
}

export function encodeQuery(query: DnsQuery): Result<Uint8Array, string> {
  return encodeMessage({ id: query.id, isResponse: false, opcode: 0, isTruncated: false, isRecursionDesired: query.isRecursionDesired, rcode: 0, questions: [{ name: query.name, type: query.type, class: CLASS_IN }], answers: [] });
}

/** Encodes a message, answers included (for test servers and round-trip properties). */
export function encodeMessage(message: DnsMessage): Result<Uint8Array, string> {
  const out: number[] = [];
  const u16 = (v: number): void => void out.push((v >> 8) & 0xff, v & 0xff);
  const u32 = (v: number): void => void out.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  u16(message.id);
  u16((message.isResponse ? 0x8000 : 0) | ((message.opcode & 0xf) << 11) | (message.isTruncated ? 0x0200 : 0) | (message.isRecursionDesired ? 0x0100 : 0) | (message.rcode & 0xf));
  u16(message.questions.length);
  u16(message.answers.length);
  u16(0);
  u16(0);
  for (const q of message.questions) {
    const name = encodeName(q.name);
    if (!name.ok) return name;
    out.push(...name.value);
    u16(q.type);
    u16(q.class);
  }
  for (const a of message.answers) {
    const name = encodeName(a.name);
    if (!name.ok) return name;
    const rdata = encodeRdata(a.type, a.text);
    if (!rdata.ok) return rdata;
    out.push(...name.value);
    u16(a.type);
    u16(a.class);
    u32(a.ttl);
    u16(rdata.value.length);
    out.push(...rdata.value);
  }
  return ok(Uint8Array.from(out));
}

function encodeRdata(type: number, text: string): Result<Uint8Array, string> {
  switch (type) {
    case DNS_TYPES.A:
    case DNS_TYPES.AAAA: {
      const address = parseIpAddress(text);
      if (!address.ok || address.value.family !== (type === DNS_TYPES.A ? 4 : 6)) return err(`"${text}" is not an IPv${type === DNS_TYPES.A ? 4 : 6} address`);
      return ok(address.value.bytes);
    }
    case DNS_TYPES.SOA: {
      const [mname, rname, ...rest] = text.split(' ');
      const numbers = rest.map(Number);
      if (numbers.length !== 5 || numbers.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffffffff)) return err(`"${text}" is not "mname rname serial refresh retry expire minimum"`);
      const m = encodeName(mname ?? '');
      if (!m.ok) return m;
      const rn = encodeName(rname ?? '');
      if (!rn.ok) return rn;
      const tail = numbers.flatMap((v) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
      return ok(Uint8Array.from([...m.value, ...rn.value, ...tail]));
    }
    case DNS_TYPES.NS:
    case DNS_TYPES.CNAME:
    case DNS_TYPES.PTR:
      return encodeName(text);
    case DNS_TYPES.MX: {
      const [preference, exchange] = text.split(' ');
      const name = encodeName(exchange ?? '');
      if (!name.ok) return name;
      const p = Number(preference);
      if (!Number.isInteger(p) || p < 0 || p > 0xffff) return err(`"${text}" is not "preference exchange"`);
      return ok(Uint8Array.from([(p >> 8) & 0xff, p & 0xff, ...name.value]));
    }
    case DNS_TYPES.TXT: {
      const bytes = Buffer.from(text, 'latin1');
      if (bytes.length > 255) return err('TXT strings longer than 255 bytes are not encoded here');
      return ok(Uint8Array.from([bytes.length, ...bytes]));
    }
    default:
      if (!/^([0-9a-f]{2})*$/i.test(text)) return err(`record data of type ${type} must be given as hex`);
      return ok(Uint8Array.from(Buffer.from(text, 'hex')));
  }
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  has(n: number): boolean {
    return this.offset + n <= this.bytes.length;
  }

  u8(): number {
    return this.bytes[this.offset++] ?? 0;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  u32(): number {
    return ((this.u16() << 16) >>> 0) + this.u16();
  }
}

/** Reads a possibly compressed name (RFC 1035 section 4.1.4) at `reader.offset`; advances past it. */
function readName(reader: Reader, missing: DnsDecodeError): Result<string, DnsDecodeError> {
  const labels: string[] = [];
  let offset = reader.offset;
  let resumeAt: number | undefined;
  let jumps = 0;
  let length = 1;
  for (;;) {
    if (offset >= reader.bytes.length) return err(missing);
    const len = reader.bytes[offset] ?? 0;
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= reader.bytes.length) return err(missing);
      if (++jumps > MAX_POINTER_JUMPS) return err('name-loop');
      const target = ((len & 0x3f) << 8) | (reader.bytes[offset + 1] ?? 0);
      resumeAt ??= offset + 2;
      if (target >= offset) return err('name-loop'); // pointers must point backwards
      offset = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return err('bad-label-type');
    if (len === 0) {
      offset += 1;
      break;
    }
    if (offset + 1 + len > reader.bytes.length) return err(missing);
    length += len + 1;
    if (length > MAX_NAME_BYTES) return err('name-too-long');
    labels.push(Buffer.from(reader.bytes.subarray(offset + 1, offset + 1 + len)).toString('latin1').toLowerCase());
    offset += 1 + len;
  }
  reader.offset = resumeAt ?? offset;
  return ok(labels.join('.'));
}

export function decodeMessage(bytes: Uint8Array): Result<DnsMessage, DnsDecodeError> {
  if (bytes.length < HEADER_BYTES) return err('short-header');
  const r = new Reader(bytes, 0);
  const id = r.u16();
  const flags = r.u16();
  const qdcount = r.u16();
  const ancount = r.u16();
  r.offset = HEADER_BYTES;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(r, 'truncated-question');
    if (!name.ok) return name;
    if (!r.has(4)) return err('truncated-question');
    questions.push({ name: name.value, type: r.u16(), class: r.u16() });
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < ancount; i++) {
    const record = readRecord(r);
    if (!record.ok) return record;
    answers.push(record.value);
  }
  return ok({
    id,
    isResponse: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    isTruncated: (flags & 0x0200) !== 0,
    isRecursionDesired: (flags & 0x0100) !== 0,
    rcode: flags & 0xf,
    questions,
    answers,
  });
}

function readRecord(r: Reader): Result<DnsRecord, DnsDecodeError> {
  const name = readName(r, 'truncated-record');
  if (!name.ok) return name;
  if (!r.has(10)) return err('truncated-record');
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdlength = r.u16();
  if (!r.has(rdlength)) return err('truncated-record');
  const end = r.offset + rdlength;
  const text = readRdata(r, type, rdlength);
  if (!text.ok) return text;
  r.offset = end;
  return ok({ name: name.value, type, class: klass, ttl, text: text.value });
}

function readRdata(r: Reader, type: number, rdlength: number): Result<string, DnsDecodeError> {
  const start = r.offset;
  const end = start + rdlength;
  const data = r.bytes.subarray(start, end);
  const nameInRdata = (): Result<string, DnsDecodeError> => {
    const name = readName(r, 'bad-rdata');
    if (!name.ok) return name;
    return r.offset > end ? err('bad-rdata') : name;
  };
  switch (type) {
    case DNS_TYPES.A:
    case DNS_TYPES.AAAA:
      if (rdlength !== (type === DNS_TYPES.A ? 4 : 16)) return err('bad-rdata');
      return ok(ipFromBytes(data).text);
    case DNS_TYPES.NS:
    case DNS_TYPES.CNAME:
    case DNS_TYPES.PTR:
      return nameInRdata();
    case DNS_TYPES.MX: {
      if (rdlength < 3) return err('bad-rdata');
      const preference = r.u16();
      const exchange = nameInRdata();
      return exchange.ok ? ok(`${preference} ${exchange.value}`) : exchange;
    }
    case DNS_TYPES.TXT: {
      const strings: string[] = [];
      let offset = 0;
      while (offset < data.length) {
        const len = data[offset] ?? 0;
        if (offset + 1 + len > data.length) return err('bad-rdata');
        strings.push(Buffer.from(data.subarray(offset + 1, offset + 1 + len)).toString('latin1'));
        offset += 1 + len;
      }
      return ok(strings.join(''));
    }
    case DNS_TYPES.SOA: {
      const mname = nameInRdata();
      if (!mname.ok) return mname;
      const rname = nameInRdata();
      if (!rname.ok) return rname;
      if (r.offset + 20 !== end) return err('bad-rdata');
      const numbers = [r.u32(), r.u32(), r.u32(), r.u32(), r.u32()];
      return ok(`${mname.value} ${rname.value} ${numbers.join(' ')}`);
    }
    default:
      return ok(Buffer.from(data).toString('hex'));
  }
}
