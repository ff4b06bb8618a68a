import test from 'ava';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { validateConfig } from '../../../config/validate.js';
import { formatIssue } from '../../../config/issues.js';

const read = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));

test('keepalived checkers translate with keepalived\'s semantics made explicit (golden)', (t) => {
  const raw = read(`virtual_server 192.0.2.50 80 {
  lb_algo rr
  real_server 192.0.2.21 80 {
    inhibit_on_failure
    TCP_CHECK {
      connect_timeout 3
    }
    HTTP_GET {
      url {
        path /health
        status_code 200 301-302
        digest 0123456789abcdef0123456789abcdef
      }
      retry 2
      delay_before_retry 2
    }
    MISC_CHECK {
      misc_path "/usr/local/bin/check 192.0.2.21"
      misc_dynamic
    }
  }
  delay_loop 10
  alpha
}
`);
  t.deepEqual(raw.issues.map(formatIssue), []);
  t.deepEqual(raw.data, {
    ipvs: {
      virtualServers: [
        {
          address: '192.0.2.50',
          port: 80,
          scheduler: 'rr',
          healthCheckDefaults: { interval: '10s', isAlpha: true },
          realServers: [
            {
              address: '192.0.2.21',
              port: 80,
              isInhibitedOnFailure: true,
              healthChecks: [
                { type: 'tcp', rise: 1, fall: 2, fastInterval: '1s', timeout: '3s' },
                { type: 'http', rise: 1, fall: 3, fastInterval: '2s', timeout: '5s', path: '/health', statusCodes: [200, '301-302'], digest: '0123456789abcdef0123456789abcdef' },
                { type: 'exec', rise: 1, fall: 1, fastInterval: '1s', timeout: '5s', command: '/usr/local/bin/check 192.0.2.21', isDynamic: true },
              ],
            },
          ],
        },
      ],
    },
  });
  const r = validateConfig(raw);
  t.deepEqual(r.issues, []);
  const check = r.config?.ipvs.virtualServers[0]?.realServers[0]?.healthChecks[1];
  t.true(check?.type === 'http' && check.statusCodes?.[1]?.from === 301 && check.statusCodes[1].to === 302);
});

test('without delay_loop a checked service gets keepalived\'s 60 s; an explicit delay_loop replaces it silently', (t) => {
  const raw = read('virtual_server 192.0.2.50 80 {\n  real_server 192.0.2.21 80 {\n    TCP_CHECK {\n    }\n  }\n}\n');
  t.like(raw.data, { ipvs: { virtualServers: [{ healthCheckDefaults: { interval: '60s' } }] } });
  t.deepEqual(raw.issues, []);
});

test('SSL_GET does not verify certificates (keepalived never does), said in the model', (t) => {
  const raw = read('virtual_server 192.0.2.50 443 {\n  real_server 192.0.2.21 443 {\n    SSL_GET {\n      url {\n        path /\n      }\n    }\n  }\n}\n');
  t.like(raw.data, { ipvs: { virtualServers: [{ realServers: [{ healthChecks: [{ type: 'https', tls: { isVerifyDisabled: true } }] }] }] } });
});
