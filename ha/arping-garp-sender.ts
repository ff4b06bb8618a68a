/**
 * Gratuitous ARP for IPv4 VIPs by running iputils `arping -U -c 1 -I <dev> <vip>` through the
 * CommandRunner (argv only, own process group, killed on timeout or close). Proven in
 * shared/reference/node-building-blocks.md section 3: the request-form GARP keepalived sends is on the
 * wire about 3 ms after the spawn. arping then lingers about 1 s (it waits one interval after its last
 * packet, and `-i` takes whole seconds, `-i 0` hangs), so it is never awaited: the outcome is counted
 * when it exits. Bursts are several processes (garp-schedule.ts decides when). arping needs the VIP on
 * the interface already ("bind: Cannot assign requested address" otherwise): the driver announces only
 * after the address manager added it. The kernel sends no GARP on RTM_NEWADDR, whatever arp_notify says.
 */
import type { CommandRunner } from '../src/core/command-runner.js';
import type { Logger } from '../src/core/logger.js';
import { GarpCounters, type GarpSender } from './garp-sender.js';

export interface ArpingGarpSenderOptions {
  /** Path or name of iputils arping; default "arping" (found on PATH). */
  readonly arpingPath?: string;
  /** Kill an arping that runs longer; default 3000 ms (it normally exits after about 1 s). */
  readonly timeoutMs?: number;
}

export interface ArpingGarpSenderDeps {
  readonly runner: CommandRunner;
  readonly logger: Logger;
}

export function createArpingGarpSender(options: ArpingGarpSenderOptions, deps: ArpingGarpSenderDeps): GarpSender {
  const logger = deps.logger.child({ component: 'arping-garp-sender' });
  const counters = new GarpCounters();
  const aborter = new AbortController();
  const file = options.arpingPath ?? 'arping';
  const timeoutMs = options.timeoutMs ?? 3000;
  let isClosed = false;

  // The first spawn of a Node process costs several milliseconds more than the next ones (measured 6.8 ms
  // against 1.3-2.3 ms): pay it now, not on the first takeover. It also finds a missing arping early.
  deps.runner.run({ file, args: ['-V'], timeoutMs, signal: aborter.signal, maxOutputBytes: 4096 }).then(
    (result) => {
      if (result.exitCode !== 0 && !result.isAborted) logger.warn('arping does not run', { exitCode: result.exitCode, stderr: result.stderr.trim().slice(0, 200) });
    },
    (err: unknown) => logger.warn('arping does not run: gratuitous ARPs will fail', { err }),
  );

  return {
    announce(address, interfaceName) {
      counters.started += 1;
      if (isClosed) {
        counters.fail('closed');
        return;
      }
      counters.inFlight += 1;
      const args = ['-q', '-U', '-c', '1', '-I', interfaceName, address.text];
      deps.runner
        .run({ file, args, timeoutMs, signal: aborter.signal, maxOutputBytes: 4096 })
        .then(
          (result) => {
            if (result.exitCode === 0) {
              counters.succeeded += 1;
              return;
            }
            if (result.isAborted) return; // closed while lingering: the packet went out long before
            counters.fail(result.isTimedOut ? 'timeout' : 'exit-nonzero');
            logger.warn('gratuitous arp failed', {
              vip: address.text,
              iface: interfaceName,
              reason: result.isTimedOut ? 'timeout' : 'exit-nonzero',
              exitCode: result.exitCode,
              stderr: result.stderr.trim().slice(0, 200),
            });
          },
          (err: unknown) => {
            counters.fail('spawn-failed');
            logger.warn('gratuitous arp failed', { vip: address.text, iface: interfaceName, reason: 'spawn-failed', err });
          },
        )
        .finally(() => {
          counters.inFlight -= 1;
        });
    },
    prepare: () => undefined, // the constructor already ran arping -V
    snapshot: () => counters.snapshot(),
    close() {
      if (isClosed) return;
      isClosed = true;
      aborter.abort(new Error('garp sender closed'));
    },
  };
}
