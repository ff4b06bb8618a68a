import test from 'ava';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';
import { buildHealthPlan } from '../../../src/ipvs/health-plan.js';

const read = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));

test('quorum, hysteresis, quorum_up/down, omega, sorry_server_inhibit and notify_up/down translate (golden), and validate', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  quorum 3
  hysteresis 1
  quorum_up "/usr/local/bin/vs up"
  quorum_down /usr/local/bin/vs-down
  omega
  sorry_server 192.0.2.99 8080
  sorry_server_inhibit
  real_server 192.0.2.21 80 {
    weight 2
    notify_up "/usr/local/bin/rs up 192.0.2.21"
    notify_down "/usr/local/bin/rs down 192.0.2.21"
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual(raw.data, {
    ipvs: {
      virtualServers: [
        {
          address: '192.0.2.50',
          port: 80,
          quorum: { weight: 3, hysteresis: 1 },
          notify: { quorumUp: '/usr/local/bin/vs up', quorumDown: '/usr/local/bin/vs-down', isRunAtStop: true },
          sorryServer: { address: '192.0.2.99', port: 8080, isInhibitedOnFailure: true },
          realServers: [{ address: '192.0.2.21', port: 80, weight: 2, notify: { up: '/usr/local/bin/rs up 192.0.2.21', down: '/usr/local/bin/rs down 192.0.2.21' } }],
        },
      ],
    },
  });
  const r = validateConfig(raw);
  t.deepEqual(r.issues.map(formatIssue), []);
  t.like(r.config?.ipvs.virtualServers[0], { quorum: { weight: 3, hysteresis: 1 }, notify: { isRunAtStop: true } });
});

test('keepalived\'s quorum 0 (which it replaces by 1 with a log line) is an error at its line; a script user is reported', (t) => {
  const raw = read('virtual_server 192.0.2.50 80 {\n  quorum 0\n  quorum_down /bin/down root\n  real_server 192.0.2.21 80 {\n  }\n}\n');
  t.deepEqual(raw.issues.map((i) => [i.line, i.code, i.severity]), [[3, 'unsupported-keyword', 'warning']]);
  t.regex(raw.issues[0]?.message ?? '', /per-script user \("root"\)/);
  const r = validateConfig(raw);
  t.deepEqual(r.issues.filter((i) => i.severity === 'error').map((i) => [i.line, i.path]), [[2, 'ipvs.virtualServers[0].quorum.weight']]);
});

test('sorry_server_inhibit before any sorry_server is an error at its line, as keepalived refuses it', (t) => {
  const raw = read('virtual_server 192.0.2.50 80 {\n  sorry_server_inhibit\n  sorry_server 192.0.2.99 80\n}\n');
  t.deepEqual(raw.issues.map((i) => [i.line, i.code, i.severity]), [[2, 'invalid-value', 'error']]);
});

test('UDP_CHECK: payload and require_reply in hex, reply lengths, keepalived\'s retry defaults; it becomes a udp probe', (t) => {
  const raw = read(`virtual_server 192.0.2.50 53 {
  protocol UDP
  real_server 192.0.2.21 53 {
    UDP_CHECK {
      payload 12 34 ab
      require_reply 56xX
      max_reply_length 64
      connect_timeout 2
    }
    UDP_CHECK {
      connect_port 5353
      require_reply
    }
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual((raw.data as Record<string, unknown>)['ipvs'], {
    virtualServers: [
      {
        address: '192.0.2.50',
        port: 53,
        protocol: 'udp',
        healthCheckDefaults: { interval: '60s' },
        realServers: [
          {
            address: '192.0.2.21',
            port: 53,
            healthChecks: [
              { type: 'udp', rise: 1, fall: 2, fastInterval: '1s', timeout: '2s', payloadHex: '12 34 ab', requireReplyHex: '56xX', maxReplyBytes: 64 },
              { type: 'udp', rise: 1, fall: 2, fastInterval: '1s', timeout: '5s', port: 5353, minReplyBytes: 0 },
            ],
          },
        ],
      },
    ],
  });
  const r = validateConfig(raw);
  t.deepEqual(r.issues.map(formatIssue), []);
  if (r.config === undefined) return;
  const [first, second] = buildHealthPlan(r.config.ipvs).realServers[0]?.checks ?? [];
  t.like(first?.check, { kind: 'udp', payload: Uint8Array.from([0x12, 0x34, 0xab]), reply: { maxBytes: 64 } });
  t.like(second?.check, { kind: 'udp', port: 5353, reply: { minBytes: 0 } }, 'require_reply alone: any reply will do');
});

test('FILE_CHECK: track_file resolves to the file of the track_file block before it, with its weight and direction unless the check sets a weight (0 included)', (t) => {
  const raw = read(`track_file maint {
  file /run/lvs/maint
  weight -2 reverse
}
virtual_server 192.0.2.50 80 {
  real_server 192.0.2.21 80 {
    FILE_CHECK {
      track_file maint
    }
    FILE_CHECK {
      track_file maint
      weight 0
    }
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  const checks = ((raw.data as Record<string, unknown>)['ipvs'] as { virtualServers: { realServers: { healthChecks: unknown[] }[] }[] }).virtualServers[0]?.realServers[0]?.healthChecks;
  t.deepEqual(checks, [
    { type: 'file', rise: 1, fall: 1, fastInterval: '1s', timeout: '5s', interval: '1s', path: '/run/lvs/maint', weight: -2, isReversed: true },
    { type: 'file', rise: 1, fall: 1, fastInterval: '1s', timeout: '5s', interval: '1s', path: '/run/lvs/maint', weight: 0, isReversed: false },
  ]);
  const r = validateConfig(raw);
  t.deepEqual(r.issues.filter((i) => i.severity === 'error').map(formatIssue), []);
  t.like(buildHealthPlan(r.config?.ipvs ?? { virtualServers: [], virtualServerGroups: [] } as never).realServers[0]?.checks[0], { check: { kind: 'file', path: '/run/lvs/maint', weight: -2, isReversed: true }, timing: { intervalMs: 1000, fall: 1 } });
});

test('FILE_CHECK naming a track_file not defined before it is an error at the name', (t) => {
  const raw = read('virtual_server 192.0.2.50 80 {\n  real_server 192.0.2.21 80 {\n    FILE_CHECK {\n      track_file later\n    }\n  }\n}\ntrack_file later {\n  file /run/x\n}\n');
  t.deepEqual(raw.issues.map((i) => [i.line, i.column, i.code, i.severity]), [[4, 18, 'invalid-value', 'error']]);
  t.regex(raw.issues[0]?.message ?? '', /track_file later is not defined/);
});

test('several url blocks: the first fills the check, the others its urls; each becomes a probe and all must pass', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  real_server 192.0.2.21 80 {
    HTTP_GET {
      virtualhost www.example.com
      url {
        path /health
        status_code 200
      }
      url {
        path /ready
        digest 0123456789ABCDEF0123456789abcdef
      }
      url {
        path /api
        virtualhost api.example.com
        regex "ok"
      }
      connect_timeout 2
    }
  }
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.like(raw.data, {
    ipvs: {
      virtualServers: [
        {
          realServers: [
            {
              healthChecks: [
                {
                  type: 'http',
                  host: 'www.example.com',
                  path: '/health',
                  statusCodes: [200],
                  timeout: '2s',
                  urls: [{ path: '/ready', digest: '0123456789ABCDEF0123456789abcdef' }, { path: '/api', host: 'api.example.com', body: { regex: 'ok' } }],
                },
              ],
            },
          ],
        },
      ],
    },
  });
  const r = validateConfig(raw);
  t.deepEqual(r.issues.map(formatIssue), []);
  const checks = buildHealthPlan(r.config?.ipvs ?? ({} as never)).realServers[0]?.checks ?? [];
  t.deepEqual(
    checks.map((c) => (c.check.kind === 'http' ? [c.check.path, c.check.host, c.check.statusCodes?.length ?? 'default', c.check.bodyMd5 ?? '-', c.check.bodyPattern?.source ?? '-', c.timing.timeoutMs] : [])),
    [
      ['/health', 'www.example.com', 1, '-', '-', 2000],
      ['/ready', 'www.example.com', 'default', '0123456789abcdef0123456789abcdef', '-', 2000],
      ['/api', 'api.example.com', 'default', '-', 'ok', 2000],
    ],
  );
});

test('SSL_GET: sni_name sets the TLS server name; enable_sni is what lvsd does anyway', (t) => {
  const raw = read('virtual_server 192.0.2.50 443 {\n  real_server 192.0.2.21 443 {\n    SSL_GET {\n      enable_sni\n      sni_name www.example.com\n      url {\n        path /\n      }\n    }\n  }\n}\n');
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.like(raw.data, { ipvs: { virtualServers: [{ realServers: [{ healthChecks: [{ type: 'https', tls: { isVerifyDisabled: true, serverName: 'www.example.com' } }] }] }] } });
  t.deepEqual(validateConfig(raw).issues.map(formatIssue), []);
});
