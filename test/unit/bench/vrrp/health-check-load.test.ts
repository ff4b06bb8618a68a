import test from 'ava';
import { loadPlan, loadTargetAddress, MAX_LOAD_CHECKS } from '../../../../bench/vrrp/health-check-load.js';

test('load targets are distinct loopback addresses, none a network or broadcast address', (t) => {
  const texts = Array.from({ length: MAX_LOAD_CHECKS }, (_, i) => loadTargetAddress(i).text);
  t.is(new Set(texts).size, MAX_LOAD_CHECKS);
  t.is(texts[0], '127.1.1.1');
  t.is(texts[253], '127.1.1.254');
  t.is(texts[254], '127.1.2.1');
  t.is(texts[MAX_LOAD_CHECKS - 1], '127.1.254.254');
  t.false(texts.some((a) => a.endsWith('.0') || a.endsWith('.255')));
});

test('the load plan: one real server and one check per target, at the given timing', (t) => {
  const plan = loadPlan({ checks: 3, kind: 'http', intervalMs: 10_000, timeoutMs: 2_000, port: 80 });
  t.deepEqual(plan.realServers.map((r) => `${r.id} ${r.address.text}:${r.port}`), ['load-0 127.1.1.1:80', 'load-1 127.1.1.2:80', 'load-2 127.1.1.3:80']);
  const probe = plan.realServers[0]?.checks[0];
  t.deepEqual(probe?.check, { kind: 'http', path: '/' });
  t.is(probe?.timing.intervalMs, 10_000);
  t.is(probe?.timing.timeoutMs, 2_000);
  t.deepEqual(loadPlan({ checks: 1, kind: 'tcp', intervalMs: 1000, timeoutMs: 500, port: 81 }).realServers[0]?.checks[0]?.check, { kind: 'tcp' });
});
