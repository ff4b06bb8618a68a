import test from 'ava';
import {
  advertIntervalText,
  backupMasterDownIntervalMs,
  FAILOVER_SETTINGS,
  keepalivedAdvertInt,
  keepalivedBenchConfig,
  planFailoverTiming,
} from '../../../../bench/vrrp/vrrp-bench-plan.js';

test('advert_int as text and as keepalived writes it', (t) => {
  t.deepEqual(FAILOVER_SETTINGS.map((s) => advertIntervalText(s.advertIntervalCs)), ['1 s', '0.1 s', '0.01 s']);
  t.deepEqual(FAILOVER_SETTINGS.map((s) => keepalivedAdvertInt(s.advertIntervalCs)), ['1', '0.1', '0.01']);
});

test('the backup\'s master down interval: 3 adverts + skew for priority 100 (RFC 5798 / 3768 section 6.1)', (t) => {
  // v2: skew (256 - 100) / 256 s whatever the interval; v3: (256 - 100) * interval / 256.
  t.is(backupMasterDownIntervalMs({ advertIntervalCs: 100, version: 2 }), 3000 + 609.375);
  t.is(backupMasterDownIntervalMs({ advertIntervalCs: 10, version: 3 }), 300 + 60.9375);
  t.is(backupMasterDownIntervalMs({ advertIntervalCs: 1, version: 3 }), 30 + 6.09375);
});

test('failover settings: sub-second ones are VRRPv3, and the probe timeout resolves the master down interval', (t) => {
  for (const s of FAILOVER_SETTINGS) {
    if (s.advertIntervalCs < 100) t.is(s.version, 3);
    t.true(s.probeTimeoutMs + s.probeIntervalMs < backupMasterDownIntervalMs(s), `${s.advertIntervalCs} cs`);
  }
});

test('failover timing: the watch outlasts the master down interval and the prober outlasts the watch', (t) => {
  for (const s of FAILOVER_SETTINGS) {
    const timing = planFailoverTiming(s);
    const mdi = backupMasterDownIntervalMs(s);
    t.true(timing.watchMs >= mdi + 1000, `${s.advertIntervalCs} cs watch`);
    t.true(timing.electionTimeoutMs > mdi, `${s.advertIntervalCs} cs election`);
    t.true(timing.proberMaxDurationMs > timing.steadyMs + timing.watchMs, `${s.advertIntervalCs} cs prober`);
    t.true(timing.proberCount * s.probeIntervalMs >= timing.proberMaxDurationMs, `${s.advertIntervalCs} cs count`);
    // The lab keeps 2,000 lines of the prober: the whole failover must fit, whatever the prober's start.
    t.true((timing.steadyMs + timing.watchMs) / s.probeIntervalMs < 1900, `${s.advertIntervalCs} cs lines`);
  }
});

test('keepalived.conf of a bench director (golden)', (t) => {
  const conf = keepalivedBenchConfig({ name: 'lvsd_bench_director-1', version: 3, priority: 200, advertIntervalCs: 1, interfaceName: 'eth0', vip: '192.0.2.50/32' });
  t.is(
    conf,
    [
      'global_defs {',
      '  router_id lvsd_bench_director_1',
      '  vrrp_version 3',
      '  script_user root',
      '}',
      'vrrp_instance VI_1 {',
      '  interface eth0',
      '  state BACKUP',
      '  virtual_router_id 51',
      '  priority 200',
      '  advert_int 0.01',
      '  virtual_ipaddress {',
      '    192.0.2.50/32 dev eth0',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});
