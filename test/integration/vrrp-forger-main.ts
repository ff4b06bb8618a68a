/**
 * A forger on the VRRP lab's link, for the netns integration tests (run with `ip netns exec`):
 *   node vrrp-forger-main.js capture IFACE OWN_ADDRESS FROM_ADDRESS VRID TIMEOUT_MS [release]
 *     prints, as hex on one line, the first advert of VRID heard from FROM_ADDRESS, then exits (1 on timeout);
 *     with `release`, at once sends a copy with priority 0 (checksum fixed) in FROM_ADDRESS's name: a forged
 *     "the master is leaving", timed right after a real advert so the backup's skew timer can fire;
 *   node vrrp-forger-main.js send IFACE SOURCE_ADDRESS HEX COUNT
 *     puts the bytes on the wire COUNT times as IP protocol 112 to 224.0.0.18 with TTL 255, from
 *     SOURCE_ADDRESS whatever the namespace's own address is (ha/raw-ip-transport.ts writes its own IPv4
 *     header: the source is spoofed), then exits;
 *   node vrrp-forger-main.js send6 IFACE SOURCE_ADDRESS HEX COUNT HOP_LIMIT
 *     the same for IPv6 (to ff02::12, checksum filled by the kernel) with the given hop limit, from
 *     SOURCE_ADDRESS (one of the namespace's own: IPv6 sources go through IPV6_PKTINFO), 50 ms apart.
 * Bounded: capture gives up after TIMEOUT_MS, send closes its socket 200 ms after the last packet.
 */
import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/core/clock.js';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { silentLogger } from '../../src/core/logger.js';
import { createRawIpTransport } from '../../ha/raw-ip-transport.js';
import {
  bindToDevice,
  intOption,
  IPPROTO_IPV6,
  IPV6_CHECKSUM,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
} from '../../ha/raw-socket-binding.js';
import { openRaw6Socket } from '../../ha/raw6-socket-binding.js';
import { writeChecksum } from '../../ha/vrrp-packet.js';
import { VRRP_GROUP_IPV4, VRRP_GROUP_IPV6 } from '../../ha/vrrp-transport.js';

function address(text: string | undefined): IpAddress {
  const r = parseIpAddress(text ?? '');
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const [mode, iface = 'eth0', own, ...rest] = process.argv.slice(2);
const interfaceIndex = Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8').trim());
const open = (source: IpAddress) => createRawIpTransport({ interfaceName: iface, interfaceIndex, sourceAddress: source, mode: 'multicast' }, { clock: systemClock, logger: silentLogger });

if (mode === 'send6') {
  const [hex = '', count = '1', hopLimit = '255'] = rest;
  const socket = openRaw6Socket(112, address(own), interfaceIndex);
  bindToDevice(socket, iface);
  socket.setOption(IPPROTO_IPV6, IPV6_CHECKSUM, intOption(6), 4);
  socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, intOption(interfaceIndex), 4);
  socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, intOption(Number(hopLimit)), 4);
  socket.setOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, intOption(0), 4);
  const bytes = Buffer.from(hex, 'hex');
  let sent = 0;
  let left = Number(count);
  const tick = (): void => {
    socket.send(bytes, 0, bytes.length, VRRP_GROUP_IPV6.text, (error) => {
      if (error === null) sent += 1;
      else process.stderr.write(`send failed: ${error.message}\n`);
    });
    left -= 1;
    if (left > 0) {
      setTimeout(tick, 50);
      return;
    }
    setTimeout(() => {
      socket.close();
      process.stdout.write(`${sent}\n`);
      process.exit(sent === Number(count) ? 0 : 1);
    }, 200);
  };
  tick();
} else {
  forgeIpv4();
}

function forgeIpv4(): void {
  const transport = open(address(own));

  if (mode === 'capture') {
    const [from, vrid, timeoutMs, then] = rest;
    const sender = address(from);
    const spoofed = then === 'release' ? open(sender) : undefined;
    const timer = setTimeout(() => {
      transport.close();
      process.stderr.write('no advert heard\n');
      process.exit(1);
    }, Number(timeoutMs));
    transport.onDatagram((d) => {
      if (d.source.text !== sender.text || d.bytes[1] !== Number(vrid)) return;
      clearTimeout(timer);
      if (spoofed !== undefined) {
        const release = Uint8Array.from(d.bytes);
        release[2] = 0;
        writeChecksum(release, { sourceAddress: sender, destinationAddress: VRRP_GROUP_IPV4 });
        spoofed.send(release, VRRP_GROUP_IPV4);
      }
      process.stdout.write(`${Buffer.from(d.bytes).toString('hex')}\n`);
      setTimeout(() => {
        transport.close();
        spoofed?.close();
        process.exit(0);
      }, 100);
    });
  } else if (mode === 'send') {
    const [hex = '', count = '1'] = rest;
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
    for (let i = 0; i < Number(count); i++) transport.send(bytes, VRRP_GROUP_IPV4);
    setTimeout(() => {
      const sent = transport.snapshot().sent;
      transport.close();
      process.stdout.write(`${sent}\n`);
      process.exit(sent === Number(count) ? 0 : 1);
    }, 200);
  } else {
    process.stderr.write('usage: vrrp-forger-main.js capture|send|send6 ...\n');
    process.exit(2);
  }
}
