/**
 * Every checker against a real server of its kind on loopback, and the bad servers of the health
 * issue: replies over the limit are cut, a server that accepts and never answers times out, garbage
 * DNS, TLS errors, resets, a hanging script whose whole process group is killed. Each is a failure
 * with a precise reason, and each test ends with no socket, timer or process left behind.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { systemClock } from '../../src/core/clock.js';
import { createProcessRunner } from '../../src/core/command-runner.js';
import { parseIpAddress, type IpAddress } from '../../src/core/ip.js';
import { ProbeTimeoutError, runCheck, type CheckResult, type HealthChecker } from '../../health/checker.js';
import { createChecker, type CheckSpec } from '../../health/check-spec.js';
import { createRawIcmpTransport } from '../../health/icmp-checker.js';
import { parseHexPattern } from '../../health/text-pattern.js';
import { requirePrereqs } from '../support/prereqs.js';
import {
  activeHandles,
  closedPort,
  makeCertificate,
  settleHandles,
  startDnsServer,
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  startUdpServer,
  type RunningServer,
} from '../fixtures/health/servers.js';

function ip(text: string): IpAddress {
  const r = parseIpAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const LOOPBACK = ip('127.0.0.1');
const deps = { clock: systemClock, random: Math.random, runner: createProcessRunner(), icmp: createRawIcmpTransport({ random: Math.random }) };

/**
 * Asserts a timeout failure: its reason, and a detail that names what did not come and the timeout;
 * runCheck adds the time its own event loop was stalled when that gave the server more time (a loaded
 * host delays the deadline timer itself), which is part of the detail's defined form.
 */
function assertTimedOut(t: ExecutionContext, result: CheckResult, reason: string, what: string, timeoutMs: number): void {
  t.like(result, { ok: false, reason });
  t.regex(result.ok ? '' : result.detail, new RegExp(`^no ${what} within ${timeoutMs} ms( \\(plus \\d+ ms while lvsd was stalled\\))?$`));
}

function probe(spec: CheckSpec, port: number, timeoutMs = 1000): Promise<CheckResult> {
  const checker: HealthChecker = createChecker(spec, deps);
  return runCheck(checker, { address: LOOPBACK, port }, { clock: systemClock, timeoutMs });
}

/** Runs `body` with servers it starts, closes them, and fails if anything the test opened is still open. */
function leakFree(title: string, body: (t: ExecutionContext, servers: RunningServer[]) => Promise<void>): void {
  test.serial(title, async (t) => {
    const baseline = activeHandles();
    const servers: RunningServer[] = [];
    try {
      await body(t, servers);
      // Before the servers close (closing them would also close what a checker left open): only the servers' own handles.
      const withServers = { ...baseline };
      for (const s of servers) withServers[s.handle] = (withServers[s.handle] ?? 0) + 1;
      t.deepEqual(await settleHandles(withServers), {}, 'no socket, timer or process left behind by the checks');
    } finally {
      for (const s of servers) await s.close();
    }
    t.deepEqual(await settleHandles(baseline), {}, 'nothing left behind once the servers are closed');
  });
}

leakFree('tcp: connected; refused; send/expect matched, mismatched, closed early', async (t, servers) => {
  const echo = await startTcpServer((s) => s.on('data', (d) => s.write(d.toString() === 'PING\n' ? 'PONG\n' : 'WHAT\n')));
  const closer = await startTcpServer((s) => s.end());
  servers.push(echo, closer);
  t.like(await probe({ kind: 'tcp' }, echo.port), { ok: true, detail: 'connected' });
  t.like(await probe({ kind: 'tcp' }, await closedPort()), { ok: false, reason: 'connect-refused' });
  const send = Buffer.from('PING\n');
  t.like(await probe({ kind: 'tcp', send, expect: { source: '^PONG' } }, echo.port), { ok: true });
  t.like(await probe({ kind: 'tcp', send: Buffer.from('HELLO\n'), expect: { source: '^PONG' } }, echo.port), { ok: false, reason: 'reply-mismatch' });
  t.like(await probe({ kind: 'tcp', send, expect: { source: '^PONG' } }, closer.port), { ok: false, reason: 'closed-early' });
});

leakFree('tcp connect-only: stopped while connecting is aborted, a deadline there is a connect timeout, and the socket goes either way', async (t, servers) => {
  const server = await startTcpServer(() => undefined);
  servers.push(server);
  const checker = createChecker({ kind: 'tcp' }, deps);
  const target = { address: LOOPBACK, port: server.port };
  // The connection completes on a later turn of the event loop: aborting right after check() hits the connect phase.
  const stopped = new AbortController();
  const stoppedResult = checker.check(target, stopped.signal);
  stopped.abort(new Error('stop'));
  t.like(await stoppedResult, { ok: false, reason: 'aborted' });
  const late = new AbortController();
  const lateResult = checker.check(target, late.signal);
  late.abort(new ProbeTimeoutError(1000));
  t.like(await lateResult, { ok: false, reason: 'connect-timeout', detail: 'no TCP connection within 1000 ms' });
  t.like(await checker.check(target, AbortSignal.abort(new ProbeTimeoutError(500))), { ok: false, reason: 'connect-timeout' });
});

leakFree('tcp: a server that accepts and never answers times out; a reset is a reset; a flood is cut at the limit', async (t, servers) => {
  const silent = await startTcpServer(() => undefined);
  const resetter = await startTcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  const flood = await startTcpServer((s) => s.write(Buffer.alloc(1 << 20, 'x')));
  servers.push(silent, resetter, flood);
  const send = Buffer.from('PING\n');
  const silentResult = await probe({ kind: 'tcp', send, expect: { source: 'PONG' } }, silent.port, 300);
  assertTimedOut(t, silentResult, 'reply-timeout', 'a matching reply', 300);
  t.true(silentResult.latencyMs >= 290);
  t.like(await probe({ kind: 'tcp', send, expect: { source: 'PONG' } }, resetter.port), { ok: false, reason: 'reset' });
  const flooded = await probe({ kind: 'tcp', expect: { source: 'PONG' }, maxReplyBytes: 4096 }, flood.port);
  t.like(flooded, { ok: false, reason: 'reply-mismatch' });
  t.regex(flooded.ok ? '' : flooded.detail, /\(4096 bytes, cut at the limit\)/);
});

leakFree('http: status codes, Host header, method, body regex (and its negation), MD5 digest', async (t, servers) => {
  const seen: string[] = [];
  const server = await startHttpServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''} host=${req.headers.host ?? ''}`);
    if (req.url === '/down') res.writeHead(503).end('maintenance');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : `hello from ${req.headers.host ?? ''}`);
  });
  servers.push(server);
  t.like(await probe({ kind: 'http', path: '/' }, server.port), { ok: true, detail: 'status 200' });
  t.like(await probe({ kind: 'http', path: '/down' }, server.port), { ok: false, reason: 'http-status', detail: 'status 503, expected 200-299' });
  t.like(await probe({ kind: 'http', path: '/down', statusCodes: [{ from: 503, to: 503 }] }, server.port), { ok: true });
  t.like(await probe({ kind: 'http', host: 'www.example.org', bodyPattern: { source: 'hello from www\\.example\\.org$' } }, server.port), { ok: true });
  t.like(await probe({ kind: 'http', bodyPattern: { source: 'goodbye' } }, server.port), { ok: false, reason: 'http-body-mismatch' });
  t.like(await probe({ kind: 'http', bodyPattern: { source: 'hello' }, isBodyPatternNegated: true }, server.port), { ok: false, reason: 'http-body-mismatch' });
  // genhash: MD5 of "hello from v.test"
  t.like(await probe({ kind: 'http', host: 'v.test', bodyMd5: '7b0b3bcc4f3d3b5a0f4ff4faf5f0e0a7' }, server.port), { ok: false, reason: 'http-digest-mismatch' });
  const md5 = createHash('md5').update('hello from v.test').digest('hex');
  t.like(await probe({ kind: 'http', host: 'v.test', bodyMd5: md5 }, server.port), { ok: true });
  t.like(await probe({ kind: 'http', method: 'HEAD' }, server.port), { ok: true });
  t.true(seen.includes(`GET / host=127.0.0.1:${server.port}`));
  t.true(seen.includes('HEAD / host=127.0.0.1:' + String(server.port)));
});

leakFree('http: a body over the limit is cut (status and regex decided on what was read, a digest cannot be)', async (t, servers) => {
  let bytesWritten = 0;
  const server = await startHttpServer((_req, res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    // Write until the client goes away: at most 64 MiB.
    const pump = (): void => {
      while (bytesWritten < 64 << 20) {
        bytesWritten += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
  servers.push(server);
  t.like(await probe({ kind: 'http', maxResponseBytes: 100_000 }, server.port), { ok: true });
  t.like(await probe({ kind: 'http', maxResponseBytes: 100_000, bodyPattern: { source: '^a+$' } }, server.port), { ok: true });
  t.like(await probe({ kind: 'http', maxResponseBytes: 100_000, bodyPattern: { source: 'b' } }, server.port), { ok: false, reason: 'http-body-mismatch', detail: 'body does not match /b/ (first 100000 bytes read, the rest cut)' });
  t.like(await probe({ kind: 'http', maxResponseBytes: 100_000, bodyMd5: '00' }, server.port), { ok: false, reason: 'reply-too-large' });
  t.true(bytesWritten < 64 << 20, 'the checker stopped reading: the server never finished');
});

leakFree('http: garbage, oversized headers, silence, reset and an early close are each named', async (t, servers) => {
  const garbage = await startTcpServer((s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n')));
  const headers = await startTcpServer((s) => s.once('data', () => s.write(`HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(32 * 1024)}\r\n\r\n`)));
  const silent = await startTcpServer(() => undefined);
  const resetter = await startTcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  const closer = await startTcpServer((s) => s.once('data', () => s.end()));
  servers.push(garbage, headers, silent, resetter, closer);
  t.like(await probe({ kind: 'http' }, garbage.port), { ok: false, reason: 'http-malformed' });
  t.like(await probe({ kind: 'http' }, headers.port), { ok: false, reason: 'reply-too-large' });
  assertTimedOut(t, await probe({ kind: 'http' }, silent.port, 300), 'reply-timeout', 'HTTP response', 300);
  t.like(await probe({ kind: 'http' }, resetter.port), { ok: false, reason: 'reset' });
  t.like(await probe({ kind: 'http' }, closer.port), { ok: false, reason: 'closed-early' });
  t.like(await probe({ kind: 'http' }, await closedPort()), { ok: false, reason: 'connect-refused' });
});

leakFree('https: verified by default; a private CA, SNI and the certificate name; skipping verification', async (t, servers) => {
  const certificate = makeCertificate();
  const sni: (string | false | null)[] = [];
  const server = await startHttpsServer(certificate, (req, res) => {
    sni.push((req.socket as TLSSocket).servername);
    res.writeHead(200).end('secure');
  });
  servers.push(server);
  const selfSigned = await probe({ kind: 'https' }, server.port);
  t.like(selfSigned, { ok: false, reason: 'tls-certificate' });
  t.regex(selfSigned.ok ? '' : selfSigned.detail, /SELF_SIGNED|self-signed/i);
  t.like(await probe({ kind: 'https', tls: { ca: certificate.cert } }, server.port), { ok: true }, 'the certificate carries IP 127.0.0.1');
  t.like(await probe({ kind: 'https', host: 'health.test', tls: { ca: certificate.cert } }, server.port), { ok: true });
  t.like(await probe({ kind: 'https', tls: { ca: certificate.cert, serverName: 'other.test' } }, server.port), { ok: false, reason: 'tls-hostname' });
  t.like(await probe({ kind: 'https', tls: { isVerifyDisabled: true }, bodyPattern: { source: 'secure' } }, server.port), { ok: true });
  t.true(sni.includes('health.test'), 'SNI from the Host header name');
  t.true(sni.includes(false), 'no SNI for an address');
});

leakFree('https: a plain-text server, a silent one and a reset during the handshake', async (t, servers) => {
  const plain = await startTcpServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  const silent = await startTcpServer(() => undefined);
  const resetter = await startTcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  servers.push(plain, silent, resetter);
  t.like(await probe({ kind: 'https' }, plain.port), { ok: false, reason: 'tls-handshake' });
  assertTimedOut(t, await probe({ kind: 'https' }, silent.port, 300), 'tls-timeout', 'TLS handshake', 300);
  t.like(await probe({ kind: 'https' }, resetter.port), { ok: false, reason: 'tls-handshake' });
});

leakFree('udp: reply pattern and lengths, ICMP port unreachable, silence with and without a required reply', async (t, servers) => {
  const echo = await startUdpServer((d) => Buffer.concat([Buffer.from('OK:'), d]));
  const silent = await startUdpServer(() => undefined);
  servers.push(echo, silent);
  const pattern = parseHexPattern('4f4b3aXX');
  if (!pattern.ok) throw new Error(pattern.error);
  const payload = Buffer.from('ping');
  t.like(await probe({ kind: 'udp', payload, reply: { pattern: pattern.value } }, echo.port), { ok: true });
  t.like(await probe({ kind: 'udp', payload, reply: { maxBytes: 4 } }, echo.port), { ok: false, reason: 'reply-length', detail: 'reply of 7 bytes, at most 4 allowed' });
  const other = parseHexPattern('4e4f');
  if (!other.ok) throw new Error(other.error);
  t.like(await probe({ kind: 'udp', payload, reply: { pattern: other.value } }, echo.port), { ok: false, reason: 'reply-mismatch' });
  t.like(await probe({ kind: 'udp', payload, reply: {} }, await closedPort()), { ok: false, reason: 'port-unreachable' });
  t.like(await probe({ kind: 'udp', payload, reply: {} }, silent.port, 300), { ok: false, reason: 'reply-timeout' });
  t.like(await probe({ kind: 'udp', payload }, silent.port, 300), { ok: true, detail: 'no ICMP error before the timeout' }, "keepalived's rule without require_reply");
  t.is(silent.received.length, 2);
});

leakFree('dns: a good answer; garbage, wrong ID, truncation, SERVFAIL, a compression loop, silence', async (t, servers) => {
  type Mode = 'good' | 'garbage' | 'wrong-id' | 'tc' | 'servfail' | 'loop' | 'silent';
  let mode: Mode = 'good';
  const server = await startDnsServer((q, raw) => {
    const question = q.questions[0];
    if (question === undefined) return undefined;
    const reply = { ...q, isResponse: true, answers: [{ name: question.name, type: 1, class: 1, ttl: 60, text: '192.0.2.80' }] };
    switch (mode) {
      case 'good': return reply;
      case 'garbage': return Uint8Array.from(Buffer.from('this is not DNS at all'));
      case 'wrong-id': return { ...reply, id: (q.id + 1) & 0xffff };
      case 'tc': return { ...reply, isTruncated: true, answers: [] };
      case 'servfail': return { ...reply, rcode: 2, answers: [] };
      case 'loop': {
        // The answer's name is a pointer to itself.
        const bytes = Buffer.concat([raw, Buffer.from('0000000100010000003c0004c0000250', 'hex')]);
        bytes.writeUInt16BE(0x8180, 2);
        bytes.writeUInt16BE(1, 6);
        bytes.writeUInt16BE(0xc000 | raw.length, raw.length);
        return Uint8Array.from(bytes);
      }
      case 'silent': return undefined;
    }
  });
  servers.push(server);
  const spec: CheckSpec = { kind: 'dns', port: server.port, type: 'A', name: 'www.example.org', expectedAnswers: ['192.0.2.80'] };
  t.like(await probe(spec, 0), { ok: true, detail: '192.0.2.80' });
  t.like(await probe({ ...spec, expectedAnswers: ['192.0.2.99'] }, 0), { ok: false, reason: 'dns-answer-mismatch' });
  const expectations: [Mode, string, RegExp][] = [
    ['garbage', 'dns-malformed', /in a reply of 22 bytes/],
    ['wrong-id', 'dns-id-mismatch', /reply ID/],
    ['tc', 'dns-truncated', /TC bit/],
    ['servfail', 'dns-rcode', /SERVFAIL/],
    ['loop', 'dns-malformed', /^name-loop/],
    ['silent', 'reply-timeout', /no DNS reply within 300 ms/],
  ];
  for (const [m, reason, detail] of expectations) {
    mode = m;
    const r = await probe(spec, 0, 300);
    t.like(r, { ok: false, reason }, m);
    t.regex(r.ok ? '' : r.detail, detail, m);
  }
  t.like(await probe({ ...spec, port: await closedPort() }, 0), { ok: false, reason: 'port-unreachable' });
});

leakFree('smtp: 220 then 250; a refusing greeting, a HELO refused, something that is not SMTP', async (t, servers) => {
  const smtp = (banner: string, heloReply: string) =>
    startTcpServer((s) => {
      s.write(banner);
      s.on('data', (d) => {
        const line = d.toString();
        if (line.startsWith('HELO')) s.write(heloReply);
        else if (line.startsWith('QUIT')) s.end('221 bye\r\n');
      });
    });
  const good = await smtp('220-mail.test ESMTP\r\n220 ready\r\n', '250 mail.test hello\r\n');
  const busy = await smtp('554 no service\r\n', '');
  const picky = await smtp('220 mail.test\r\n', '501 bad HELO\r\n');
  const ssh = await startTcpServer((s) => s.write('SSH-2.0-OpenSSH_9.6\r\n'));
  servers.push(good, busy, picky, ssh);
  t.like(await probe({ kind: 'smtp', heloName: 'director.test' }, good.port), { ok: true, detail: '220 then 250 mail.test hello' });
  t.like(await probe({ kind: 'smtp' }, busy.port), { ok: false, reason: 'smtp-banner', detail: 'greeting 554 no service' });
  t.like(await probe({ kind: 'smtp' }, picky.port), { ok: false, reason: 'smtp-helo', detail: 'HELO answered 501 bad HELO' });
  t.like(await probe({ kind: 'smtp' }, ssh.port), { ok: false, reason: 'smtp-banner', detail: 'not an SMTP reply: "SSH-2.0-OpenSSH_9.6" (19 bytes)' });
});

leakFree('misc: exit codes, misc_dynamic weights, a missing program, and a hanging script whose whole group is killed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-health-misc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sh = (script: string, isDynamic = false): CheckSpec => ({ kind: 'misc', file: '/bin/sh', args: ['-c', script], isDynamic });
  t.like(await probe(sh('exit 0'), 80), { ok: true });
  t.like(await probe(sh('echo "disk full" >&2; exit 1'), 80), { ok: false, reason: 'program-failed', detail: '/bin/sh exited 1: disk full' });
  t.like(await probe(sh('exit 7'), 80), { ok: false, reason: 'program-failed' }, 'without misc_dynamic any other code is down');
  t.like(await probe(sh('exit 7', true), 80), { ok: true, weight: { kind: 'absolute', value: 5 } });
  t.like(await probe(sh('exit 0', true), 80), { ok: true, weight: { kind: 'percent', value: 100 } });
  t.like(await probe(sh('kill -9 $$'), 80), { ok: false, reason: 'program-killed' });
  t.like(await probe({ kind: 'misc', file: join(dir, 'no-such-program') }, 80), { ok: false, reason: 'program-not-found' });
  const withEnv = createChecker(sh('test "$LVSD_RS_ADDRESS:$LVSD_RS_PORT" = 127.0.0.1:8080 && test -n "$PATH"'), { ...deps, env: process.env });
  t.like(await runCheck(withEnv, { address: LOOPBACK, port: 8080 }, { clock: systemClock, timeoutMs: 1000 }), { ok: true }, 'given the environment, the program learns its real server');
  const pids = join(dir, 'pids');
  // The script leaves a child and a grandchild behind and ignores SIGTERM itself.
  const hang = sh(`trap '' TERM; (sleep 60 & echo $! >> ${pids}; sleep 60) & echo $! >> ${pids}; echo $$ >> ${pids}; sleep 60`);
  const result = await probe(hang, 80, 300);
  t.like(result, { ok: false, reason: 'program-timeout', detail: '/bin/sh still running after 300 ms: its process group was killed' });
  const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
  t.is(started.length, 3);
  t.deepEqual(await survivors(started), [], 'the script, its child and its grandchild are gone');
});

leakFree('file: keepalived track_file values, weight mode, garbage and unreadable files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-health-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'rs1');
  t.like(await probe({ kind: 'file', path }, 80), { ok: true, detail: `${path}: file missing, read as 0` });
  writeFileSync(path, '1\n');
  t.like(await probe({ kind: 'file', path }, 80), { ok: false, reason: 'file-down' });
  t.like(await probe({ kind: 'file', path, isReversed: true }, 80), { ok: true });
  writeFileSync(path, '3');
  t.like(await probe({ kind: 'file', path, weight: -2 }, 80), { ok: true, weight: { kind: 'offset', value: -6 } });
  writeFileSync(path, 'up');
  t.like(await probe({ kind: 'file', path }, 80), { ok: false, reason: 'file-invalid' });
  t.like(await probe({ kind: 'file', path: dir }, 80), { ok: false, reason: 'file-unreadable' });
});

leakFree('agent: HAProxy words; an unreachable or silent agent is no verdict', async (t, servers) => {
  let line = 'up 75%\n';
  const agent = await startTcpServer((s) => s.end(line));
  const silent = await startTcpServer(() => undefined);
  servers.push(agent, silent);
  t.like(await probe({ kind: 'agent', port: agent.port }, 80), { ok: true, weight: { kind: 'percent', value: 75 } });
  line = 'down #maintenance window\n';
  t.like(await probe({ kind: 'agent', port: agent.port }, 80), { ok: false, reason: 'agent-down', detail: 'agent said "down" #maintenance window' });
  line = 'drain';
  t.like(await probe({ kind: 'agent', port: agent.port }, 80), { ok: true, isInconclusive: true, admin: 'drain' });
  t.like(await probe({ kind: 'agent', port: await closedPort() }, 80), { ok: false, reason: 'connect-refused', isInconclusive: true });
  t.like(await probe({ kind: 'agent', port: silent.port }, 80, 300), { ok: false, reason: 'reply-timeout', isInconclusive: true });
});

const rootGate = requirePrereqs(['root']);
rootGate.serial('icmp: an echo to loopback is answered (raw socket, closed again when idle)', async (t) => {
  const baseline = activeHandles();
  const r = await probe({ kind: 'icmp' }, 0);
  t.like(r, { ok: true, detail: 'echo reply' });
  t.deepEqual(await settleHandles(baseline), {});
});

/** The pids still alive after a bounded wait (killed processes may take a moment to be reaped). */
async function survivors(pids: readonly number[]): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0) return [];
    await new Promise((r) => setTimeout(r, 20));
  }
  return pids.filter(isAlive);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
