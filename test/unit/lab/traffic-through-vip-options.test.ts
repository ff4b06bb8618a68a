import test from 'ava';
import { DEFAULT_PROBE_PLAN, parseTrafficThroughVipOptions } from '../../../src/lab/scenarios/traffic-through-vip-options.js';

test('an empty object gets every default, daemons off', (t) => {
  t.deepEqual(parseTrafficThroughVipOptions({}), {
    ok: true,
    value: { directorCount: 2, realServerCount: 3, scheduler: 'rr', port: 80, probe: DEFAULT_PROBE_PLAN, readyTimeoutMs: 30_000, forwarding: 'dr' },
  });
});

test('daemons get defaults for what is not given', (t) => {
  const r = parseTrafficThroughVipOptions({ directorCount: 3, daemons: { lvsdBin: '/repo/bin/lvsd.js', configDir: '/tmp/lab' }, probe: { count: 5 } });
  t.true(r.ok);
  if (!r.ok) return;
  t.deepEqual(r.value.daemons, { lvsdBin: '/repo/bin/lvsd.js', configDir: '/tmp/lab', runDir: '/run/lvsd', readyTimeoutMs: 20_000, stopTimeoutMs: 10_000, logLevel: 'info' });
  t.deepEqual(r.value.probe, { ...DEFAULT_PROBE_PLAN, count: 5 });
});

test('bad input is refused with a reason, never defaulted', (t) => {
  const cases: [unknown, RegExp][] = [
    [null, /JSON object/],
    [[], /JSON object/],
    [{ directorCount: 4 }, /directorCount/],
    [{ directorCount: '2' }, /directorCount/],
    [{ realServerCount: 0 }, /realServerCount/],
    [{ scheduler: 'fastest' }, /scheduler/],
    [{ probe: { count: 0 } }, /probe/],
    [{ runId: 'Bad!' }, /runId/],
    [{ daemons: { lvsdBin: 'bin/lvsd.js', configDir: '/tmp' } }, /lvsdBin/],
    [{ vip: '10.0.0.1' }, /unknown option\(s\): vip/],
    [{ forwarding: 'masq' }, /forwarding must be one of dr nat tun/],
    [{ isDrainObserved: 'yes' }, /isDrainObserved must be true or false/],
  ];
  for (const [input, why] of cases) {
    const r = parseTrafficThroughVipOptions(input);
    t.false(r.ok, JSON.stringify(input));
    if (!r.ok) t.regex(r.error, why);
  }
});

test('isRealServerFailed needs daemons and two real servers', (t) => {
  t.deepEqual(parseTrafficThroughVipOptions({ isRealServerFailed: true }), { ok: false, error: 'isRealServerFailed needs daemons: lvsd runs the health checks' });
  const daemons = { lvsdBin: '/x/bin/lvsd.js', configDir: '/tmp/lvsd-lab' };
  t.deepEqual(parseTrafficThroughVipOptions({ isRealServerFailed: true, daemons, realServerCount: 1 }), { ok: false, error: 'isRealServerFailed needs at least 2 real servers' });
  const r = parseTrafficThroughVipOptions({ isRealServerFailed: true, daemons });
  t.true(r.ok && r.value.isRealServerFailed === true);
});

test('forwarding: dr, nat and tun are taken as given', (t) => {
  for (const forwarding of ['dr', 'nat', 'tun']) {
    const r = parseTrafficThroughVipOptions({ forwarding });
    t.true(r.ok && r.value.forwarding === forwarding, forwarding);
  }
});

test('isDrainObserved needs daemons, two real servers, and leaves the stream port to its own service', (t) => {
  t.deepEqual(parseTrafficThroughVipOptions({ isDrainObserved: true }), { ok: false, error: 'isDrainObserved needs daemons: lvsd drains on reload' });
  const daemons = { lvsdBin: '/x/bin/lvsd.js', configDir: '/tmp/lvsd-lab' };
  t.deepEqual(parseTrafficThroughVipOptions({ isDrainObserved: true, daemons, realServerCount: 1 }), { ok: false, error: 'isDrainObserved needs at least 2 real servers' });
  t.deepEqual(parseTrafficThroughVipOptions({ isDrainObserved: true, daemons, port: 7000 }), { ok: false, error: 'isDrainObserved uses port 7000 for its stream service: choose another port' });
  const r = parseTrafficThroughVipOptions({ isDrainObserved: true, daemons, forwarding: 'nat' });
  t.true(r.ok && r.value.isDrainObserved === true && r.value.forwarding === 'nat');
});
