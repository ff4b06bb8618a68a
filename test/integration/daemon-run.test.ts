/**
 * The daemon as an operator runs it: a real process, real signals, its control socket and logs.
 * Needs no privileges (paths are in a temporary directory).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendControlRequest } from '../../src/control/control-client.js';
import type { DaemonSnapshot } from '../../src/daemon/daemon.js';
import { waitForExit } from '../support/process-state.js';

const BIN = fileURLToPath(new URL('../../../bin/lvsd.js', import.meta.url));

async function setup(t: { teardown(fn: () => Promise<void>): void }, extra = '') {
  const dir = await mkdtemp(join(tmpdir(), 'lvsd-run-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const socket = join(dir, 'lvsd.sock');
  const pidFile = join(dir, 'lvsd.pid');
  const config = join(dir, 'lvsd.yaml');
  await writeFile(config, `global:\n  routerId: test-director\ndaemon:\n  controlSocket: ${socket}\n  pidFile: ${pidFile}\nlog:\n  level: info\n  format: json\n${extra}`);
  return { dir, socket, pidFile, config };
}

interface LogLine {
  level: string;
  message: string;
  name?: string;
  [k: string]: unknown;
}

function startDaemon(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, logs: (): LogLine[] => stderr.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine), stderr: () => stderr };
}

async function waitForStatus(socket: string, exited: Promise<unknown>): Promise<DaemonSnapshot> {
  let isExited = false;
  void exited.then(() => (isExited = true));
  for (let i = 0; i < 100 && !isExited; i++) {
    try {
      const reply = await sendControlRequest(socket, 'status', 1000);
      if (reply.ok) return reply.result as DaemonSnapshot;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('daemon did not come up within 10 s');
}

test('run --foreground: starts components in order, answers status, stops in reverse on SIGTERM', async (t) => {
  const { socket, pidFile, config } = await setup(t);
  const d = startDaemon(['run', '--config', config, '--foreground']);
  t.teardown(() => void d.child.kill('SIGKILL'));
  const status = await waitForStatus(socket, d.exited);
  t.is(status.routerId, 'test-director');
  t.is(status.pid, d.child.pid ?? -1);
  t.is(status.config.syntax, 'yaml');
  t.deepEqual(status.components.map((c) => [c.name, c.state]), [['stall-monitor', 'running'], ['pid-file', 'running'], ['control-socket', 'running']]);
  t.is((await readFile(pidFile, 'utf8')).trim(), String(d.child.pid));

  d.child.kill('SIGTERM');
  t.is(await d.exited, 0);
  const steps = d.logs().filter((l) => /^(starting|stopping) component$/.test(l.message)).map((l) => `${l.message.split(' ')[0]} ${l.name}`);
  t.deepEqual(steps, ['starting stall-monitor', 'starting pid-file', 'starting control-socket', 'stopping control-socket', 'stopping pid-file', 'stopping stall-monitor']);
  t.true(d.logs().every((l) => typeof l.level === 'string' && typeof l['timestamp'] === 'string'), 'every line is structured JSON');
  await t.throwsAsync(access(pidFile), undefined, 'pid file removed');
  await t.throwsAsync(access(socket), undefined, 'socket removed');
});

test('SIGHUP with a broken config keeps the daemon running on the old one', async (t) => {
  const { socket, config } = await setup(t);
  const d = startDaemon(['run', '--config', config, '--foreground']);
  t.teardown(() => void d.child.kill('SIGKILL'));
  await waitForStatus(socket, d.exited);
  const good = await readFile(config, 'utf8');
  await writeFile(config, `${good}bogus: [\n`);
  d.child.kill('SIGHUP');
  let refused = false;
  for (let i = 0; i < 50 && !refused; i++) {
    refused = d.logs().some((l) => l.message === 'reload refused: config invalid, keeping the running config');
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.true(refused, d.stderr());
  const after = await waitForStatus(socket, d.exited);
  t.is(after.config.reloadCount, 0);
  await writeFile(config, good.replace('test-director', 'renamed'));
  d.child.kill('SIGHUP');
  let reloaded: DaemonSnapshot | undefined;
  for (let i = 0; i < 50 && reloaded?.config.reloadCount !== 1; i++) {
    reloaded = await waitForStatus(socket, d.exited);
    if (reloaded.config.reloadCount !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.is(reloaded?.config.reloadCount, 1);
  t.is(reloaded?.routerId, 'renamed');
  d.child.kill('SIGTERM');
  t.is(await d.exited, 0);
});

test('a second daemon with the same pid file refuses to start and leaves the first untouched', async (t) => {
  const { socket, config } = await setup(t);
  const first = startDaemon(['run', '--config', config, '--foreground']);
  t.teardown(() => void first.child.kill('SIGKILL'));
  await waitForStatus(socket, first.exited);
  const second = startDaemon(['run', '--config', config, '--foreground']);
  t.is(await second.exited, 1);
  t.regex(second.stderr(), /another lvsd \(pid \d+\) is running/);
  const status = await waitForStatus(socket, first.exited);
  t.is(status.pid, first.child.pid ?? -1);
  first.child.kill('SIGTERM');
  t.is(await first.exited, 0);
});

test('run without --foreground detaches, reports the pid, and the daemon stops on SIGTERM', async (t) => {
  const { socket, dir, config } = await setup(t, '');
  await writeFile(config, (await readFile(config, 'utf8')).replace('format: json', `format: json\n  file: ${join(dir, 'lvsd.log')}`));
  const parent = startDaemon(['run', '--config', config]);
  t.is(await parent.exited, 0);
  const status = await waitForStatus(socket, new Promise(() => undefined));
  t.teardown(() => {
    try {
      process.kill(status.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  t.not(status.pid, parent.child.pid);
  process.kill(status.pid, 'SIGTERM');
  t.true(await waitForExit(status.pid, 5000));
  t.regex(await readFile(join(dir, 'lvsd.log'), 'utf8'), /"message":"lvsd stopped"/);
});

test('run accepts a keepalived.conf: router_id is used, unsupported keywords are warned with their lines', async (t) => {
  const { dir, socket, pidFile } = await setup(t);
  const conf = join(dir, 'keepalived.conf');
  await writeFile(conf, 'global_defs {\n  router_id LVS_KA\n}\nbfd_instance peer {\n  neighbor_ip 192.0.2.2\n}\n');
  const d = startDaemon(['run', '--config', conf, '--foreground', '--pid-file', pidFile, '--control-socket', socket]);
  t.teardown(() => void d.child.kill('SIGKILL'));
  const status = await waitForStatus(socket, d.exited);
  t.is(status.routerId, 'LVS_KA');
  t.is(status.config.syntax, 'keepalived');
  t.regex(d.stderr(), new RegExp(`${conf.replace(/[.]/g, '\\.')}:4:1: warning: keepalived keyword "bfd_instance" is not supported yet`));
  t.regex(d.stderr(), /keepalived\.conf:5:3: warning: keepalived keyword "neighbor_ip" is not supported yet/);
  d.child.kill('SIGTERM');
  t.is(await d.exited, 0);
});

test('run --strict refuses a keepalived.conf with unsupported keywords', async (t) => {
  const { dir, socket, pidFile } = await setup(t);
  const conf = join(dir, 'keepalived.conf');
  await writeFile(conf, 'global_defs {\n  router_id LVS_KA\n}\nbfd_instance peer {\n  neighbor_ip 192.0.2.2\n}\n');
  const d = startDaemon(['run', '--config', conf, '--foreground', '--strict', '--pid-file', pidFile, '--control-socket', socket]);
  t.is(await d.exited, 1);
  t.regex(d.stderr(), /keepalived\.conf:4:1: error: keepalived keyword "bfd_instance" is not supported yet/);
  t.regex(d.stderr(), /lvsd run: refusing to start: 2 errors in /);
  await t.throwsAsync(access(socket));
});
