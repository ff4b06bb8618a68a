/**
 * The real generic-netlink socket against the host kernel (no privileges needed to resolve a
 * family): with the ip_vs module loaded the client opens, without it the error says so. Which case
 * applies is read from /proc/net/ip_vs, which exists exactly when the module is loaded.
 */
import { existsSync } from 'node:fs';
import test from 'ava';
import { createGenlIpvsClient } from '../../../src/ipvs/genl-ipvs-client.js';
import { isIpvsError } from '../../../src/ipvs/ipvs-error.js';

test('the host kernel: a client when IPVS is loaded, ERR_IPVS_NOT_AVAILABLE when it is not', async (t) => {
  if (existsSync('/proc/net/ip_vs')) {
    const client = await createGenlIpvsClient({ requestTimeoutMs: 5000 });
    t.true(client.familyId >= 16);
    t.true(client.snapshot().recvBufferBytes > 0);
    client.close();
    return;
  }
  const err = await t.throwsAsync(createGenlIpvsClient({ requestTimeoutMs: 5000 }));
  t.true(isIpvsError(err, 'ERR_IPVS_NOT_AVAILABLE'), String(err));
  t.regex(err?.message ?? '', /modprobe ip_vs/);
});
