import test from 'ava';
import { AttrWriter, IS_HOST_LITTLE_ENDIAN, parseAttrs, readU64, type AttrMap } from '../../../src/ipvs/nlattr.js';

function parsed(w: AttrWriter): AttrMap {
  const r = parseAttrs(w.toBytes());
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** 8 payload bytes of a u64 in host order. */
function u64Bytes(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, IS_HOST_LITTLE_ENDIAN);
  return b;
}

test('typed readers read each payload in place, as get() would see it', (t) => {
  const a = parsed(new AttrWriter().u8(1, 0xab).u16(2, 0x1234).u16be(3, 8080).u32(4, 0xdeadbeef).bytes(5, u64Bytes(0x5_0102_0304n)).string(6, 'wlc'));
  t.is(a.u8(1), 0xab);
  t.is(a.u16(2), 0x1234);
  t.is(a.u16be(3), 8080);
  t.is(a.u32(4), 0xdeadbeef);
  t.is(a.u64(5), 0x5_0102_0304n);
  t.is(a.u64(5), readU64(a.get(5)));
  t.is(a.length(6), 4);
  t.deepEqual([...(a.get(6) ?? [])], [0x77, 0x6c, 0x63, 0]);
});

test('absent attributes and payloads shorter than the type read as undefined; longer ones are read from their start', (t) => {
  const a = parsed(new AttrWriter().u8(1, 7).u16(2, 9).bytes(3, Uint8Array.from([1, 0, 0, 0, 0xff, 0xff])));
  t.is(a.u32(9), undefined);
  t.is(a.length(9), undefined);
  t.false(a.has(9));
  t.is(a.u16(1), undefined);
  t.is(a.u32(2), undefined);
  t.is(a.u64(3), undefined);
  t.is(a.u16be(3), 0x0100);
  t.is(a.u8(3), 1);
});

test('u64: zero, below 2^32 and above it', (t) => {
  const a = parsed(new AttrWriter().bytes(1, u64Bytes(0n)).bytes(2, u64Bytes(4_000_000_000n)).bytes(3, u64Bytes(0xffff_ffff_ffff_ffffn)));
  t.is(a.u64(1), 0n);
  t.is(a.u64(2), 4_000_000_000n);
  t.is(a.u64(3), 0xffff_ffff_ffff_ffffn);
});

test('the last duplicate wins, flags are masked off, types beyond the table are ignored', (t) => {
  const a = parsed(new AttrWriter().u32(4, 1).u32(4, 2).nested(5, (w) => w.u32(1, 3)).u32(300, 4));
  t.is(a.u32(4), 2);
  const inner = parseAttrs(a.get(5) ?? new Uint8Array());
  t.true(inner.ok && inner.value.u32(1) === 3);
  t.false(a.has(300));
});

test('a header claiming more than the buffer holds, or less than itself, is truncated', (t) => {
  const bytes = new AttrWriter().u32(1, 5).toBytes();
  t.deepEqual(parseAttrs(bytes.subarray(0, 6)), { ok: false, reason: 'truncated-attribute' });
  const short = Uint8Array.from(bytes);
  short[IS_HOST_LITTLE_ENDIAN ? 0 : 1] = 2;
  t.deepEqual(parseAttrs(short), { ok: false, reason: 'truncated-attribute' });
  t.true(parseAttrs(bytes.subarray(0, 3)).ok, 'a tail shorter than a header is ignored');
});
