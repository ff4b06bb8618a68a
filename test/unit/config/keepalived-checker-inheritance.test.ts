import test from 'ava';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { formatIssue } from '../../../config/issues.js';

const read = (text: string) => parseKeepalivedConfig(text, 'keepalived.conf', createMemorySourceReader({}));

type Check = { type: string; fall?: number; fastInterval?: string; timeout?: string; interval?: string };
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
