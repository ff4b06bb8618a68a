/** Kernel errnos become typed errors whose messages are ipvsadm's, checked against ipvsadm's own output. */
import test from 'ava';
import type { IpvsCommandName } from '../../../src/ipvs/genl-codec.js';
import { decodeNetlinkErrno } from '../../../src/ipvs/genl-decode.js';
import { ipvsErrorFromErrno, type IpvsErrorCode, type IpvsObject } from '../../../src/ipvs/ipvs-error.js';
import { capture, lastError } from './ipvsadm-capture.js';

const cases: [string, IpvsCommandName, IpvsErrorCode, IpvsObject | undefined][] = [
  ['svc-add-tcp-dup', 'new-service', 'ERR_IPVS_EXISTS', 'service'],
  ['svc-add-bad-sched', 'new-service', 'ERR_IPVS_NO_SUCH_SCHEDULER', undefined],
  ['svc-edit-missing', 'set-service', 'ERR_IPVS_NOT_FOUND', 'service'],
  ['svc-del-missing', 'del-service', 'ERR_IPVS_NOT_FOUND', 'service'],
  ['dest-add-dup', 'new-dest', 'ERR_IPVS_EXISTS', 'destination'],
  ['dest-add-nosvc', 'new-dest', 'ERR_IPVS_NOT_FOUND', 'service'],
  ['dest-edit-missing', 'set-dest', 'ERR_IPVS_NOT_FOUND', 'destination'],
  ['dest-del-missing', 'del-dest', 'ERR_IPVS_NOT_FOUND', 'destination'],
  ['daemon-start-dup', 'new-daemon', 'ERR_IPVS_EXISTS', 'daemon'],
  ['daemon-stop-missing', 'del-daemon', 'ERR_IPVS_NOT_FOUND', 'daemon'],
];

for (const [name, command, code, object] of cases) {
  test(`${command} answered by the kernel as in "ipvsadm ${capture(name).ipvsadmArgs}" -> ${code}`, (t) => {
    const errno = decodeNetlinkErrno(lastError(name).payload);
    if (!errno.ok) return t.fail(errno.reason);
    const err = ipvsErrorFromErrno(command, errno.value);
    t.is(err.code, code);
    t.is(err.object, object);
    t.is(err.errno, errno.value);
    t.is(err.message, capture(name).stderr.trim());
  });
}

test('errnos without a per-command meaning map by errno; unknown ones keep the number', (t) => {
  t.is(ipvsErrorFromErrno('new-dest', 1).code, 'ERR_IPVS_PERMISSION');
  t.is(ipvsErrorFromErrno('new-dest', 22).code, 'ERR_IPVS_INVALID');
  t.is(ipvsErrorFromErrno('new-dest', 34).code, 'ERR_IPVS_INVALID');
  t.is(ipvsErrorFromErrno('new-daemon', 19).code, 'ERR_IPVS_NO_SUCH_DEVICE');
  const other = ipvsErrorFromErrno('flush', 99);
  t.is(other.code, 'ERR_IPVS_KERNEL');
  t.is(other.errno, 99);
});
