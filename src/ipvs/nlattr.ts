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

/** Builds a sequence of attributes; nested() writes the header of a nest after its body. */
export class AttrWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  u8(type: number, value: number): this {
    return this.bytes(type, Uint8Array.of(value & 0xff));
  }

  u16(type: number, value: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, value, IS_HOST_LITTLE_ENDIAN);
    return this.bytes(type, b);
  }

  /** A u16 in network byte order (ports). */
  u16be(type: number, value: number): this {
    return this.bytes(type, Uint8Array.of((value >> 8) & 0xff, value & 0xff));
  }

  u32(type: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, IS_HOST_LITTLE_ENDIAN);
    return this.bytes(type, b);
  }

  /** NUL-terminated string (NLA_NUL_STRING / NLA_STRING with the terminator, as libnl writes it). */
  string(type: number, value: string): this {
    const text = new TextEncoder().encode(value);
    const b = new Uint8Array(text.length + 1);
    b.set(text);
    return this.bytes(type, b);
  }

  bytes(type: number, payload: Uint8Array): this {
    const header = new Uint8Array(NLA_HDRLEN);
    const view = new DataView(header.buffer);
    view.setUint16(0, NLA_HDRLEN + payload.length, IS_HOST_LITTLE_ENDIAN);
    view.setUint16(2, type, IS_HOST_LITTLE_ENDIAN);
    this.push(header);
    this.push(payload);
    const pad = nlaAlign(payload.length) - payload.length;
    if (pad > 0) this.push(new Uint8Array(pad));
    return this;
  }

  /** A nested attribute with NLA_F_NESTED set, as libnl's nla_nest_start does. */
  nested(type: number, body: (w: AttrWriter) => void): this {
    const inner = new AttrWriter();
    body(inner);
    return this.bytes(type | NLA_F_NESTED, inner.toBytes());
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

/** Attributes by type (flags masked off). As in the kernel's nla_parse, the last duplicate wins. */
export type AttrMap = ReadonlyMap<number, Uint8Array>;

export type AttrParseResult = { readonly ok: true; readonly value: AttrMap } | { readonly ok: false; readonly reason: 'truncated-attribute' };

/**
 * Splits `bytes` into attributes. A header that claims more than the buffer holds, or less than its
 * own 4 bytes, is an error; trailing bytes shorter than a header are ignored (the kernel does the same).
 */
export function parseAttrs(bytes: Uint8Array): AttrParseResult {
  const out = new Map<number, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset + NLA_HDRLEN <= bytes.length) {
    const len = view.getUint16(offset, IS_HOST_LITTLE_ENDIAN);
    const type = view.getUint16(offset + 2, IS_HOST_LITTLE_ENDIAN) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || offset + len > bytes.length) return { ok: false, reason: 'truncated-attribute' };
    out.set(type, bytes.subarray(offset + NLA_HDRLEN, offset + len));
    offset += nlaAlign(len);
  }
  return { ok: true, value: out };
}

/** Readers return undefined when the payload is too short (the kernel's policy checks minimum lengths). */
export function readU8(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 1 ? undefined : b[0];
}

export function readU16(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 2 ? undefined : view(b).getUint16(0, IS_HOST_LITTLE_ENDIAN);
}

export function readU16be(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 2 ? undefined : view(b).getUint16(0, false);
}

export function readU32(b: Uint8Array | undefined): number | undefined {
  return b === undefined || b.length < 4 ? undefined : view(b).getUint32(0, IS_HOST_LITTLE_ENDIAN);
}

export function readU64(b: Uint8Array | undefined): bigint | undefined {
  return b === undefined || b.length < 8 ? undefined : view(b).getBigUint64(0, IS_HOST_LITTLE_ENDIAN);
}

/** A NUL-terminated string; without a terminator the whole payload is the string. Undefined if not UTF-8. */
export function readString(b: Uint8Array | undefined): string | undefined {
  if (b === undefined) return undefined;
  const end = b.indexOf(0);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(end < 0 ? b : b.subarray(0, end));
  } catch {
    return undefined;
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
