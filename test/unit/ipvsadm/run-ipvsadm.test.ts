/**
 * run-ipvsadm.ts and restore-runner.ts on the in-memory kernel: exit codes, the kernel opened only
 * when needed, a clear message without IPVS, and -R all or nothing (a bad line found by parsing,
 * by the dry run, or only by the kernel after earlier lines were applied: the table, the timeouts
 * and the daemons come back as they were).
 */
import test from 'ava';
import { IpvsError } from '../../../src/ipvs/ipvs-error.js';
import { MemoryIpvsClient } from '../../../src/ipvs/memory-ipvs-client.js';
import type { IpvsClient } from '../../../src/ipvs/ipvs-client.js';
import { runIpvsadm } from '../../../src/ipvsadm/run-ipvsadm.js';
import { captureDeps, unclosable, words } from './golden-deps.js';

async function kernelWith(lines: readonly string[]): Promise<MemoryIpvsClient> {
  const kernel = new MemoryIpvsClient();
  for (const line of lines) {
    const c = captureDeps({ client: unclosable(kernel) });
    if ((await runIpvsadm(words(line), c.deps)) !== 0) throw new Error(`${line}: ${c.err()}`);
  }
  return kernel;
}

async function ipvsadm(kernel: IpvsClient, line: string, stdin?: string) {
  const c = captureDeps({ client: unclosable(kernel), ...(stdin === undefined ? {} : { stdin }) });
  const code = await runIpvsadm(words(line), c.deps);
  return { code, out: c.out(), err: c.err(), opened: c.opened() };
}

const BASE = ['-A -t 192.0.2.1:80 -s rr', '-a -t 192.0.2.1:80 -r 192.0.2.8:8080 -m -w 3', '-A -u 192.0.2.2:53', '--set 900 120 300', '--start-daemon master --mcast-interface dummy0 --syncid 4'];
const state = async (k: IpvsClient): Promise<string> => (await ipvsadm(k, '-Sn')).out + (await ipvsadm(k, '-L --daemon')).out + (await ipvsadm(k, '-L --timeout')).out;

test('the classic examples, then -S', async (t) => {
  const k = new MemoryIpvsClient();
  t.is((await ipvsadm(k, '-A -t 192.0.2.1:80 -s rr')).code, 0);
  t.is((await ipvsadm(k, '-a -t 192.0.2.1:80 -r 192.0.2.8 -m')).code, 0);
  t.is((await ipvsadm(k, '-S')).out, '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 192.0.2.8:80 -m -w 1\n');
});

test('usage errors and the connection listing never open the kernel', async (t) => {
  const k = new MemoryIpvsClient();
  const bad = await ipvsadm(k, '-A -t 192.0.2.1:80 -w 3');
  t.deepEqual([bad.code, bad.err, bad.opened], [2, "Illegal 'weight' option with the 'add-service' command\n", 0]);
  const c = captureDeps({ connections: 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n' });
  t.is(await runIpvsadm(['-Lnc'], c.deps), 0);
  t.is(c.opened(), 0);
});

test('kernel refusals print ipvsadm\'s message and exit 255; a missing service listing exits 1', async (t) => {
  const k = await kernelWith(BASE);
  t.deepEqual(await ipvsadm(k, '-A -t 192.0.2.1:80'), { code: 255, out: '', err: 'Service already exists\n', opened: 1 });
  t.like(await ipvsadm(k, '-a -t 192.0.2.1:80 -r 192.0.2.9 -y 5'), { code: 255, err: 'Numerical result out of range\n' });
  t.like(await ipvsadm(k, '-A -t 192.0.2.9:80 -s nosuch'), { code: 255, err: 'Scheduler or persistence engine not found\n' });
  t.like(await ipvsadm(k, '-Ln -t 192.0.2.9:80'), { code: 1, out: '', err: 'No such service\n' });
});

test('a persistence netmask with holes goes to the kernel as it is, and lists as ipvsadm prints it (inet_ntoa)', async (t) => {
  const k = new MemoryIpvsClient();
  t.like(await ipvsadm(k, '-A -t 192.0.2.9:80 -p 10 -M 255.0.255.0'), { code: 0, err: '' });
  t.like(await ipvsadm(k, '-A -f 9 -s rr -p 60 -M 0.255.0.255'), { code: 0, err: '' });
  t.is((await ipvsadm(k, '-Sn')).out, '-A -t 192.0.2.9:80 -s wlc -p 10 -M 255.0.255.0\n-A -f 9 -s rr -p 60 -M 0.255.0.255\n');
  t.is((await ipvsadm(k, '-Ln -t 192.0.2.9:80')).out.split('\n')[2], 'TCP  192.0.2.9:80 wlc persistent 10 mask 255.0.255.0');
  const mark9 = async (): Promise<unknown> => (await k.listServices()).find((s) => s.service.key.kind === 'fwmark')?.service.persistence;
  t.deepEqual(await mark9(), { timeoutS: 60, netmaskPrefixLength: 16, ipv4Netmask: 0x00ff00ff });
  // Editing it to a contiguous mask goes back to the prefix form.
  t.like(await ipvsadm(k, '-E -f 9 -s rr -p 60 -M 255.255.0.0'), { code: 0, err: '' });
  t.deepEqual(await mark9(), { timeoutS: 60, netmaskPrefixLength: 16 });
});

test('without IPVS: ipvsadm\'s two lines, how to fix it, exit 2', async (t) => {
  const c = captureDeps();
  c.deps.openClient = () => Promise.reject(new IpvsError('ERR_IPVS_NOT_AVAILABLE', 'IPVS is not available in this kernel (try: modprobe ip_vs)'));
  t.is(await runIpvsadm(['-Ln'], c.deps), 2);
  t.is(c.err(), "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\nIPVS is not available in this kernel (try: modprobe ip_vs)\n");
});

test('-R applies a good file in order', async (t) => {
  const k = new MemoryIpvsClient();
  const r = await ipvsadm(k, '-R', 'ipvsadm -A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 192.0.2.8 -m\n-C\n-A -u 192.0.2.2:53 -s wrr\n');
  t.is(r.code, 0, r.err);
  t.is((await ipvsadm(k, '-Sn')).out, '-A -u 192.0.2.2:53 -s wrr\n');
});

test('-R: a bad line 7 (syntax, or refused by the simulated kernel) changes nothing', async (t) => {
  const k = await kernelWith(BASE);
  const before = await state(k);
  const head = ['-A -t 192.0.2.10:80', '-a -t 192.0.2.10:80 -r 192.0.2.11', '-D -u 192.0.2.2:53', '-e -t 192.0.2.1:80 -r 192.0.2.8:8080 -m -w 9', '--set 1 2 3', '--stop-daemon master'];
  for (const [bad, code, message] of [
    ['-A -t 192.0.2.12:80 -w 5', 2, "Illegal 'weight' option with the 'add-service' command"],
    ['-A -t 192.0.2.1:80', 255, 'Service already exists'],
    ['-a -t 192.0.2.99:80 -r 192.0.2.9', 255, 'Service not defined'],
    ['--stop-daemon master', 255, 'No daemon is running'],
  ] as const) {
    const r = await ipvsadm(k, '-R', [...head, bad, '-A -t 192.0.2.13:80'].join('\n'));
    t.is(r.code, code, bad);
    t.is(r.err, `line 7: ${message}\nrestore refused: nothing was changed\n`);
    t.is(await state(k), before, bad);
  }
});

test('-R: a line only the real kernel refuses rolls back the lines before it', async (t) => {
  const k = await kernelWith(BASE);
  const before = await state(k);
  // The kernel refuses this real server; the in-memory kernel of the dry run does not know why.
  const failing: IpvsClient = new Proxy(unclosable(k), {
    get(target, prop, receiver) {
      if (prop === 'addDestination') {
        return async (...args: Parameters<IpvsClient['addDestination']>) => {
          if (args[1].key.address.text === '192.0.2.66') throw new IpvsError('ERR_IPVS_INVALID', 'Invalid operation.  Possibly wrong module version, address not unicast, ...', { errno: 22 });
          return target.addDestination(...args);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const file = ['-A -t 192.0.2.10:80', '-a -t 192.0.2.10:80 -r 192.0.2.11', '-D -u 192.0.2.2:53', '-e -t 192.0.2.1:80 -r 192.0.2.8:8080 -m -w 9', '--set 1 2 3', '--stop-daemon master', '-a -t 192.0.2.1:80 -r 192.0.2.66 -g'];
  const r = await ipvsadm(failing, '-R', file.join('\n'));
  t.is(r.code, 255);
  t.is(r.err, 'line 7: Invalid operation.  Possibly wrong module version, address not unicast, ...\nrestore failed at line 7; the lines before it were undone: nothing was changed\n');
  t.is(await state(k), before);
});
