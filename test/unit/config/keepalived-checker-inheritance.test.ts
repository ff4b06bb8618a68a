import test from 'ava';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { formatIssue } from '../../../config/issues.js';
import { validateConfig } from '../../../config/validate.js';
import { buildHealthPlan } from '../../../src/ipvs/health-plan.js';

const read = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));

type Check = { type: string; fall?: number; fastInterval?: string; timeout?: string; interval?: string; warmup?: string; isAlpha?: boolean };
const checksOf = (data: unknown): Check[][] =>
  ((data as { ipvs: { virtualServers: { realServers: { healthChecks?: Check[] }[] }[] } }).ipvs.virtualServers[0]?.realServers ?? []).map((rs) => rs.healthChecks ?? []);

test('retry, delay_before_retry, connect_timeout on the service and the real server reach checkers that do not set them: checker > real server > service > default', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  retry 4
  connect_timeout 7
  real_server 192.0.2.21 80 {
    delay_before_retry 9
    TCP_CHECK {
    }
    HTTP_GET {
      url { path / }
      connect_timeout 2
    }
  }
  real_server 192.0.2.22 80 {
    TCP_CHECK {
      retry 0
    }
    delay_loop 5
    connect_timeout 3
  }
  delay_before_retry 6
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  const [rs21, rs22] = checksOf(raw.data);
  t.like(rs21?.[0], { type: 'tcp', fall: 5, fastInterval: '9s', timeout: '7s' });
  t.like(rs21?.[1], { type: 'http', fall: 5, fastInterval: '9s', timeout: '2s' });
  // Lines after the checker still reach it (keepalived resolves at the end of the file).
  t.like(rs22?.[0], { type: 'tcp', fall: 1, fastInterval: '6s', timeout: '3s', interval: '5s' });
});

test('without inherited values each checker keeps keepalived\'s own defaults; a bad value is an error at its line', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  real_server 192.0.2.21 80 {
    HTTP_GET {
      url { path / }
    }
    connect_timeout soon
  }
}
`);
  t.like(checksOf(raw.data)[0]?.[0], { type: 'http', fall: 2, fastInterval: '3s', timeout: '5s' });
  t.deepEqual(raw.issues.map(formatIssue), ['keepalived.conf:6:21: error: "connect_timeout" takes a number of seconds, got "soon" [virtual_server.real_server.connect_timeout]']);
});

const serviceDefaultsOf = (data: unknown): unknown => (data as { ipvs: { virtualServers: { healthCheckDefaults?: unknown }[] } }).ipvs.virtualServers[0]?.healthCheckDefaults;

test('warmup and alpha on the checker, the real server and the service: checker > real server > service, in any line order, without warnings', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  warmup 30
  alpha
  real_server 192.0.2.21 80 {
    warmup 2.5
    TCP_CHECK {
    }
    HTTP_GET {
      url { path / }
      warmup 0
      alpha false
    }
  }
  real_server 192.0.2.22 80 {
    TCP_CHECK {
    }
    alpha no
  }
  real_server 192.0.2.23 80 {
    TCP_CHECK {
      alpha
    }
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual(serviceDefaultsOf(raw.data), { interval: '60s', warmup: '30s', isAlpha: true });
  const [rs21, rs22, rs23] = checksOf(raw.data);
  t.like(rs21?.[0], { type: 'tcp', warmup: '2500ms' });
  t.is(rs21?.[0]?.isAlpha, undefined, 'no alpha of its own or its real server: the service default applies');
  t.like(rs21?.[1], { type: 'http', warmup: '0s', isAlpha: false });
  // alpha written on the real server after its checker still reaches it, and beats the service's.
  t.like(rs22?.[0], { type: 'tcp', isAlpha: false });
  t.is(rs22?.[0]?.warmup, undefined, 'the service warmup applies through healthCheckDefaults');
  t.like(rs23?.[0], { type: 'tcp', isAlpha: true });
});

test('warmup and alpha reach the health plan: warmupMs and isAlpha per check, the service default where nothing closer is set', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  warmup 30
  real_server 192.0.2.21 80 {
    alpha
    TCP_CHECK {
    }
    TCP_CHECK {
      connect_port 8080
      warmup 1
    }
  }
  real_server 192.0.2.22 80 {
    TCP_CHECK {
    }
  }
}
`);
  const r = validateConfig(raw);
  t.deepEqual(r.issues.map(formatIssue), []);
  if (r.config === undefined) return;
  const [rs21, rs22] = buildHealthPlan(r.config.ipvs).realServers;
  t.deepEqual(rs21?.checks.map((c) => [c.timing.warmupMs, c.timing.isAlpha]), [[30_000, true], [1000, true]]);
  t.deepEqual(rs22?.checks.map((c) => [c.timing.warmupMs, c.timing.isAlpha]), [[30_000, false]]);
});

test('without warmup a check has no warmupMs (the first probe comes within delay_before_retry, as before)', (t) => {
  const r = validateConfig(read('virtual_server 192.0.2.50 80 {\n  real_server 192.0.2.21 80 {\n    TCP_CHECK {\n    }\n  }\n}\n'));
  if (r.config === undefined) return t.fail(r.issues.map(formatIssue).join('\n'));
  t.deepEqual(buildHealthPlan(r.config.ipvs).realServers[0]?.checks[0]?.timing, { intervalMs: 60_000, fastIntervalMs: 1000, downIntervalMs: 60_000, timeoutMs: 5000, rise: 1, fall: 2, isAlpha: false });
});

test('bad warmup and alpha values are errors at their line and column, at every level', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  warmup -1
  alpha maybe
  real_server 192.0.2.21 80 {
    warmup 1m
    alpha True
    TCP_CHECK {
      warmup soon
      alpha yes no
    }
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), [
    'keepalived.conf:2:10: error: "warmup" takes a number of seconds (warmup SECONDS), got "-1" [virtual_server.warmup]',
    'keepalived.conf:3:9: error: "alpha" takes true or false (alpha [true|false]), got "maybe" [virtual_server.alpha]',
    'keepalived.conf:5:12: error: "warmup" takes a number of seconds, got "1m" [virtual_server.real_server.warmup]',
    'keepalived.conf:6:11: error: "alpha" takes true or false (alpha [true|false]), got "True" [virtual_server.real_server.alpha]',
    'keepalived.conf:8:14: error: "warmup" takes a number of seconds (warmup SECONDS), got "soon" [virtual_server.real_server.TCP_CHECK.warmup]',
    'keepalived.conf:9:17: error: "alpha" takes 0 to 1 value (alpha [true|false]), got 2 [virtual_server.real_server.TCP_CHECK.alpha]',
  ]);
  t.false(raw.issues.some((i) => i.code === 'unsupported-keyword'));
});
