/**
 * Gratuitous ARP with iputils `arping -U -c 1 -I <dev> <vip>`, started by a resident /bin/sh helper
 * instead of by Node. Why: a Node child_process spawn blocks the event loop while the kernel forks the
 * whole Node process; measured in our namespaces, 3-13 ms per spawn with two test runs in parallel on
 * two cores, which put the first GARP 10-12 ms after becoming master in half of the runs (issue 4 asks
 * for 10 ms) and delays adverts by as much per announcement. The helper is spawned once; an announcement
 * is one line on its stdin ("<id> <dev> <vip>"); the shell, a small process, forks arping in the
 * background and reports "<id> <exit code>" on stdout. Nothing is interpolated into code: dev and vip
 * are read into variables and passed as arguments (they are a validated interface name and an address).
 *
 * The helper dies with us: when our end of its stdin closes (close(), or this process dies, even by
 * SIGKILL) its read loop ends; it waits for the arpings in flight (each bounded by `-w`) and exits. If it
 * dies, the next announcement starts a new one; its outstanding announcements are counted as failed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../src/core/logger.js';
import { GarpCounters, type GarpSender } from './garp-sender.js';

/** $1: the arping program. Reports "ready <rc of arping -V>" once, then "<id> <rc>" per request. */
const HELPER_SCRIPT = [
  'arping=$1',
  '"$arping" -V >/dev/null 2>&1; echo "ready $?"',
  'while IFS=" " read -r id dev vip; do',
  '  ( "$arping" -q -U -c 1 -w 2 -I "$dev" "$vip" >/dev/null 2>&1; echo "$id $?" ) &',
  'done',
  'wait',
].join('\n');

export interface ResidentArpingGarpSenderOptions {
  /** Default "arping" (found on PATH by the shell). */
  readonly arpingPath?: string;
  /** Default "/bin/sh". */
  readonly shellPath?: string;
  /** After close(), SIGTERM a helper still running after this long; default 5000 ms. */
  readonly closeGraceMs?: number;
}

export interface ResidentArpingGarpSenderDeps {
  readonly logger: Logger;
}

interface Pending {
  readonly vip: string;
  readonly iface: string;
}

export function createResidentArpingGarpSender(options: ResidentArpingGarpSenderOptions, deps: ResidentArpingGarpSenderDeps): GarpSender {
  const logger = deps.logger.child({ component: 'arping-garp-sender' });
  const counters = new GarpCounters();
  const pending = new Map<number, Pending>();
  let helper: ChildProcessWithoutNullStreams | undefined;
  let nextId = 1;
  let isClosed = false;

  const settle = (id: number, exitCode: number): void => {
    const request = pending.get(id);
    if (request === undefined) return;
    pending.delete(id);
    counters.inFlight -= 1;
    if (exitCode === 0) {
      counters.succeeded += 1;
      return;
    }
    counters.fail('exit-nonzero');
    logger.warn('gratuitous arp failed', { vip: request.vip, iface: request.iface, reason: 'exit-nonzero', exitCode });
  };

  const start = (): ChildProcessWithoutNullStreams => {
    const child = spawn(options.shellPath ?? '/bin/sh', ['-c', HELPER_SCRIPT, 'lvsd-garp', options.arpingPath ?? 'arping'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('latin1')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [first, second] = line.split(' ');
        if (first === 'ready') {
          if (second !== '0') logger.warn('arping does not run: gratuitous ARPs will fail', { exitCode: Number(second) });
          continue;
        }
        settle(Number(first), Number(second));
      }
    });
    child.stderr.on('data', () => undefined);
    child.stdin.on('error', () => undefined); // EPIPE after the helper died: handled on 'close'
    child.on('error', (err) => logger.warn('garp helper failed', { err }));
    child.on('close', (code, signal) => {
      if (helper === child) helper = undefined;
      for (const [id, request] of pending) {
        pending.delete(id);
        counters.inFlight -= 1;
        counters.fail('spawn-failed');
        logger.warn('gratuitous arp failed', { vip: request.vip, iface: request.iface, reason: 'helper-exited' });
      }
      if (!isClosed) logger.warn('garp helper exited', { exitCode: code, signal });
    });
    return child;
  };

  helper = start(); // now, so that the first takeover does not pay for a Node spawn

  return {
    announce(address, interfaceName) {
      counters.started += 1;
      if (isClosed) {
        counters.fail('closed');
        return;
      }
      if (!/^[^\s/]{1,15}$/.test(interfaceName)) {
        counters.fail('no-such-interface'); // never put a name with spaces or newlines on the helper's stdin
        logger.warn('gratuitous arp failed', { vip: address.text, iface: interfaceName, reason: 'bad-interface-name' });
        return;
      }
      helper ??= start();
      const id = nextId++;
      pending.set(id, { vip: address.text, iface: interfaceName });
      counters.inFlight += 1;
      helper.stdin.write(`${id} ${interfaceName} ${address.text}\n`);
    },
    prepare: () => undefined, // the helper is already running
    snapshot: () => counters.snapshot(),
    close() {
      if (isClosed) return;
      isClosed = true;
      const child = helper;
      if (child === undefined) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), options.closeGraceMs ?? 5000);
      timer.unref();
      child.once('close', () => clearTimeout(timer));
    },
  };
}
