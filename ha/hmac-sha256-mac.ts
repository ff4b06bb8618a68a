/**
 * The AdvertMac of vrrp-hmac.ts on node:crypto: HMAC-SHA256 with the key held in this closure, verified
 * with timingSafeEqual (no early exit on the first wrong byte).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HMAC_SHA256_LENGTH, type AdvertMac } from './vrrp-hmac.js';

export function createHmacSha256Mac(key: Uint8Array): AdvertMac {
  const secret = Buffer.from(key);
  const sign = (parts: readonly Uint8Array[]): Uint8Array => {
    const hmac = createHmac('sha256', secret);
    for (const part of parts) hmac.update(part);
    return new Uint8Array(hmac.digest());
  };
  return {
    sign,
    verify(parts, mac) {
      if (mac.length !== HMAC_SHA256_LENGTH) return false;
      return timingSafeEqual(sign(parts), mac);
    },
  };
}
