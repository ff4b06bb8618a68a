/**
 * Netlink attributes (struct nlattr, `<linux/netlink.h>`), pure and private to src/ipvs: a TLV of
 * u16 nla_len (header + payload, unpadded), u16 nla_type, then the payload padded to NLA_ALIGNTO = 4.
 * The two top bits of nla_type are NLA_F_NESTED (0x8000) and NLA_F_NET_BYTEORDER (0x4000).
 * Integers are in host byte order unless the attribute says otherwise (ports are big-endian).
 */

export const NLA_HDRLEN = 4;
export const NLA_ALIGNTO = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Host byte order, found without `node:os` so that this module stays pure. */
export const IS_HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export const nlaAlign = (n: number): number => (n + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);

/**
 * Builds a sequence of attributes into one growing buffer (few allocations: the client encodes
 * thousands of requests a second, and allocation is what costs inside UML). nested() reserves the
 * header, lets `body` write the inner attributes, then patches the length.
 */
export class AttrWriter {
  private buf = new Uint8Array(128);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  /** Bytes written as they are (e.g. a struct genlmsghdr before the attributes); padded to 4. */
  raw(bytes: Uint8Array): this {
    this.reserve(nlaAlign(bytes.length));
    this.buf.set(bytes, this.length);
    this.length = nlaAlign(this.length + bytes.length);
    return this;
  }

  u8(type: number, value: number): this {
    this.header(type, 1);
    this.buf[this.length] = value & 0xff;
    return this.advance(1);
  }

  u16(type: number, value: number): this {
    this.header(type, 2);
    this.view.setUint16(this.length, value, IS_HOST_LITTLE_ENDIAN);
    return this.advance(2);
  }

  /** A u16 in network byte order (ports). */
  u16be(type: number, value: number): this {
    this.header(type, 2);
    this.view.setUint16(this.length, value, false);
    return this.advance(2);
  }

  u32(type: number, value: number): this {
    this.header(type, 4);
    this.view.setUint32(this.length, value >>> 0, IS_HOST_LITTLE_ENDIAN);
    return this.advance(4);
  }

  /** NUL-terminated string (NLA_NUL_STRING / NLA_STRING with the terminator, as libnl writes it). */
  string(type: number, value: string): this {
    const text = TEXT_ENCODER.encode(value);
    this.header(type, text.length + 1);
    this.buf.set(text, this.length);
    this.buf[this.length + text.length] = 0;
    return this.advance(text.length + 1);
  }

  bytes(type: number, payload: Uint8Array): this {
    return this.zeroPadded(type, payload, payload.length);
  }

  /** `size` bytes: `payload` then zeros (e.g. an IPv4 address in a 16-byte union nf_inet_addr). */
  zeroPadded(type: number, payload: Uint8Array, size: number): this {
    this.header(type, size);
    this.buf.fill(0, this.length, this.length + size);
    this.buf.set(payload.subarray(0, size), this.length);
    return this.advance(size);
  }

  /** A nested attribute with NLA_F_NESTED set, as libnl's nla_nest_start does. */
  nested(type: number, body: (w: AttrWriter) => void): this {
    this.reserve(NLA_HDRLEN);
    const start = this.length;
    this.length += NLA_HDRLEN;
    body(this);
    this.view.setUint16(start, this.length - start, IS_HOST_LITTLE_ENDIAN);
    this.view.setUint16(start + 2, type | NLA_F_NESTED, IS_HOST_LITTLE_ENDIAN);
    return this;
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** Writes the header of an attribute with a `size`-byte payload and makes room for the padded payload. */
  private header(type: number, size: number): void {
    this.reserve(NLA_HDRLEN + nlaAlign(size));
    this.view.setUint16(this.length, NLA_HDRLEN + size, IS_HOST_LITTLE_ENDIAN);
    this.view.setUint16(this.length + 2, type, IS_HOST_LITTLE_ENDIAN);
    this.length += NLA_HDRLEN;
  }

  /** Moves past a payload of `size` bytes and its zeroed padding. */
  private advance(size: number): this {
    const end = nlaAlign(this.length + size);
    this.buf.fill(0, this.length + size, end);
    this.length = end;
    return this;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

const TEXT_ENCODER = new TextEncoder();
/** Stateless between calls (no `stream` option), so one decoder serves every string. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Attributes by type (flags masked off). As in the kernel's nla_parse, the last duplicate wins.
 * `get` gives the payload as a view of the parsed bytes; the typed readers (u8 ... u64) read the
 * payload in place, without a view: a dump of 10,000 destinations reads ~30 attributes each, and
 * allocating a view per attribute showed in the profile (parsing and garbage collection).
 */
export interface AttrMap {
  get(type: number): Uint8Array | undefined;
  has(type: number): boolean;
  /** Payload length, undefined when absent. */
  length(type: number): number | undefined;
  u8(type: number): number | undefined;
  u16(type: number): number | undefined;
  /** A u16 in network byte order (ports). */
  u16be(type: number): number | undefined;
  u32(type: number): number | undefined;
  /** A u64; values below 2^32 (most counters) take the cheap path, 0 allocates nothing. */
  u64(type: number): bigint | undefined;
}

/**
 * Payload offsets by type in one small array, [start, end) at 2*type: IPVS types are small
 * integers, and an array of numbers is much cheaper to build than a Map or a view per attribute.
 */
class AttrTable implements AttrMap {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly bounds: number[],
  ) {}
  get(type: number): Uint8Array | undefined {
    const start = this.bounds[2 * type];
    return start === undefined ? undefined : this.bytes.subarray(start, this.bounds[2 * type + 1]);
  }
  has(type: number): boolean {
    return this.bounds[2 * type] !== undefined;
  }
  length(type: number): number | undefined {
    const start = this.bounds[2 * type];
    return start === undefined ? undefined : (this.bounds[2 * type + 1] ?? start) - start;
  }
  u8(type: number): number | undefined {
    const at = this.at(type, 1);
    return at === undefined ? undefined : this.bytes[at];
  }
  u16(type: number): number | undefined {
    const at = this.at(type, 2);
    return at === undefined ? undefined : readHostU16(this.bytes, at);
  }
  u16be(type: number): number | undefined {
    const at = this.at(type, 2);
    return at === undefined ? undefined : ((this.bytes[at] ?? 0) << 8) | (this.bytes[at + 1] ?? 0);
  }
  u32(type: number): number | undefined {
    const at = this.at(type, 4);
    return at === undefined ? undefined : readHostU32(this.bytes, at);
  }
  u64(type: number): bigint | undefined {
    const at = this.at(type, 8);
    return at === undefined ? undefined : readHostU64(this.bytes, at);
  }
  /** The payload's offset when it holds at least `size` bytes (the kernel's policy checks minimum lengths). */
  private at(type: number, size: number): number | undefined {
    const start = this.bounds[2 * type];
    if (start === undefined || (this.bounds[2 * type + 1] ?? start) - start < size) return undefined;
    return start;
  }
}

export type AttrParseResult = { readonly ok: true; readonly value: AttrMap } | { readonly ok: false; readonly reason: 'truncated-attribute' };

/** Types above this are ignored (no IPVS or nlctrl attribute comes close). */
const MAX_ATTR_TYPE = 255;

/**
 * Splits `bytes` into attributes. A header that claims more than the buffer holds, or less than its
 * own 4 bytes, is an error; trailing bytes shorter than a header are ignored (the kernel does the same).
 */
export function parseAttrs(bytes: Uint8Array): AttrParseResult {
  // Room for types 0-15 up front (every IPVS attribute set fits), so the array is not regrown.
  const bounds = new Array<number>(32);
  let offset = 0;
  while (offset + NLA_HDRLEN <= bytes.length) {
    const len = readHostU16(bytes, offset);
    const type = readHostU16(bytes, offset + 2) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || offset + len > bytes.length) return { ok: false, reason: 'truncated-attribute' };
    if (type <= MAX_ATTR_TYPE) {
      bounds[2 * type] = offset + NLA_HDRLEN;
      bounds[2 * type + 1] = offset + len;
    }
    offset += nlaAlign(len);
  }
  return { ok: true, value: new AttrTable(bytes, bounds) };
}

function readHostU16(b: Uint8Array, at: number): number {
  const lo = b[at] ?? 0;
  const hi = b[at + 1] ?? 0;
  return IS_HOST_LITTLE_ENDIAN ? lo | (hi << 8) : (lo << 8) | hi;
}

function readHostU32(b: Uint8Array, at: number): number {
  const b0 = b[at] ?? 0;
  const b1 = b[at + 1] ?? 0;
  const b2 = b[at + 2] ?? 0;
  const b3 = b[at + 3] ?? 0;
  return (IS_HOST_LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

function readHostU64(b: Uint8Array, at: number): bigint {
  const low = readHostU32(b, IS_HOST_LITTLE_ENDIAN ? at : at + 4);
  const high = readHostU32(b, IS_HOST_LITTLE_ENDIAN ? at + 4 : at);
  if (high === 0) return low === 0 ? 0n : BigInt(low);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Readers return undefined when the payload is too short (the kernel's policy checks minimum lengths). */
export function readU8(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 1 ? undefined : b[0];
}

export function readU16(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 2 ? undefined : readHostU16(b, 0);
}

export function readU16be(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 2 ? undefined : ((b[0] ?? 0) << 8) | (b[1] ?? 0);
}

export function readU32(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 4 ? undefined : readHostU32(b, 0);
}

/** A u64; values below 2^32 (most counters) take the cheap path. */
export function readU64(b: Uint8Array | undefined): bigint | undefined {
  return b === undefined || b.length < 8 ? undefined : readHostU64(b, 0);
}

/** A NUL-terminated string; without a terminator the whole payload is the string. Undefined if not UTF-8. */
export function readString(b: Uint8Array | undefined): string | undefined {
  if (b === undefined) return undefined;
  const end = b.indexOf(0);
  try {
    return UTF8.decode(end < 0 ? b : b.subarray(0, end));
  } catch {
    return undefined;
  }
}
