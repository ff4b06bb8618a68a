/** keepalived's vrrp_sync_group as pure decisions (src/vrrp/sync-group.ts), table by table. */
import test from 'ava';
import type { VrrpState } from '../../../ha/vrrp-state-types.js';
import {
  decideOnTransition,
  groupNotifyCommands,
  isGroupFault,
  mayTakeOver,
  settledState,
  type SyncGroupState,
  type SyncGroupView,
  type SyncMemberView,
} from '../../../src/vrrp/sync-group.js';

function member(name: string, state: VrrpState, extra: Partial<SyncMemberView> = {}): SyncMemberView {
  return { name, state, isOwnFault: false, isWantingMaster: false, ...extra };
}

function group(state: SyncGroupState, ...members: SyncMemberView[]): SyncGroupView {
  return { state, members };
}

test('a member becoming master: the group is MASTER, the others in BACKUP that are not asking are told to take over', (t) => {
  const view = group('backup', member('A', 'master'), member('B', 'backup'), member('C', 'backup', { isWantingMaster: true }), member('D', 'master'));
  t.deepEqual(decideOnTransition(view, { member: 'A', from: 'backup', to: 'master', reason: 'no-master-heard' }), {
    state: 'master',
    commands: [{ member: 'B', target: 'master' }],
  });
});

test('a master member yielding: the group is BACKUP, the other masters are told to leave; the ones told do not repeat it', (t) => {
  const view = group('master', member('A', 'backup'), member('B', 'master'), member('C', 'master'));
  t.deepEqual(decideOnTransition(view, { member: 'A', from: 'master', to: 'backup', reason: 'higher-priority-advert' }), {
    state: 'backup',
    commands: [{ member: 'B', target: 'backup' }, { member: 'C', target: 'backup' }],
  });
  const followed = group('backup', member('A', 'backup'), member('B', 'backup'), member('C', 'master'));
  t.deepEqual(decideOnTransition(followed, { member: 'B', from: 'master', to: 'backup', reason: 'sync-group-backup' }), {
    state: 'backup',
    commands: [{ member: 'C', target: 'backup' }],
  });
});

test('FAULT: a member\'s trackers fail, the group is FAULT whatever moves; it leaves FAULT when no member is in fault', (t) => {
  const faulty = group('master', member('A', 'fault', { isOwnFault: true }), member('B', 'master'));
  t.true(isGroupFault(faulty.members));
  t.deepEqual(decideOnTransition(faulty, { member: 'A', from: 'master', to: 'fault', reason: 'tracker-fault' }), { state: 'fault', commands: [] });
  // B is put in fault through its trackers by the coordinator; meanwhile nothing it does moves the group.
  t.deepEqual(decideOnTransition(faulty, { member: 'B', from: 'backup', to: 'master', reason: 'no-master-heard' }), { state: 'fault', commands: [] });
  const recovering = group('fault', member('A', 'backup'), member('B', 'fault'));
  t.deepEqual(decideOnTransition(recovering, { member: 'A', from: 'fault', to: 'backup', reason: 'tracker-recovered' }), { state: 'fault', commands: [] });
  const recovered = group('fault', member('A', 'backup'), member('B', 'backup'));
  t.deepEqual(decideOnTransition(recovered, { member: 'B', from: 'fault', to: 'backup', reason: 'tracker-recovered' }), { state: 'backup', commands: [] });
});

test('start and stop: initialize until every member has started; STOP when the last has stopped', (t) => {
  const starting = group('initialize', member('A', 'backup'), member('B', 'initialize'));
  t.is(decideOnTransition(starting, { member: 'A', from: 'initialize', to: 'backup', reason: 'startup' }).state, 'initialize');
  const started = group('initialize', member('A', 'backup'), member('B', 'backup'));
  t.is(decideOnTransition(started, { member: 'B', from: 'initialize', to: 'backup', reason: 'startup' }).state, 'backup');
  const stopping = group('master', member('A', 'initialize'), member('B', 'handover'));
  t.is(decideOnTransition(stopping, { member: 'A', from: 'handover', to: 'initialize', reason: 'handover-new-master-heard' }).state, 'master');
  const stopped = group('master', member('A', 'initialize'), member('B', 'initialize'));
  t.is(decideOnTransition(stopped, { member: 'B', from: 'handover', to: 'initialize', reason: 'handover-timeout' }).state, 'stop');
  t.is(decideOnTransition(group('initialize', member('A', 'initialize')), { member: 'A', from: 'backup', to: 'initialize', reason: 'shutdown' }).state, 'initialize');
});

test('settled state: a master member leaving a BACKUP group does not make it MASTER again', (t) => {
  t.is(settledState(group('backup', member('A', 'master'), member('B', 'backup'))), 'backup');
  t.is(settledState(group('initialize', member('A', 'master'), member('B', 'backup'))), 'master');
  t.is(settledState(group('master', member('A', 'fault'), member('B', 'backup'))), 'fault');
});

test('may take over: when the group is MASTER, or when every other member is master or asking; never in FAULT', (t) => {
  t.deepEqual(mayTakeOver(group('backup', member('A', 'backup', { isWantingMaster: true }), member('B', 'backup')), 'A'), { isAllowed: false, waitingFor: ['B'] });
  t.deepEqual(mayTakeOver(group('backup', member('A', 'backup', { isWantingMaster: true }), member('B', 'backup', { isWantingMaster: true })), 'A'), { isAllowed: true, waitingFor: [] });
  t.deepEqual(mayTakeOver(group('backup', member('A', 'backup'), member('B', 'master')), 'A'), { isAllowed: true, waitingFor: [] });
  t.deepEqual(mayTakeOver(group('master', member('A', 'backup'), member('B', 'backup')), 'A'), { isAllowed: true, waitingFor: [] });
  t.deepEqual(mayTakeOver(group('initialize', member('A', 'initialize', { isWantingMaster: true }), member('B', 'initialize')), 'A'), { isAllowed: false, waitingFor: ['B'] });
  t.deepEqual(mayTakeOver(group('fault', member('A', 'fault', { isOwnFault: true }), member('B', 'backup', { isWantingMaster: true })), 'B'), { isAllowed: false, waitingFor: ['A'] });
});

test('group notify scripts: the state\'s own, then notify with GROUP NAME STATE 0 (keepalived send_group_notifies)', (t) => {
  const notify = { master: '/g.sh "to master"', backup: '/g.sh backup', any: '/any.sh --x' };
  t.deepEqual(groupNotifyCommands('master', notify, 'G'), [['/g.sh', 'to master'], ['/any.sh', '--x', 'GROUP', 'G', 'MASTER', '0']]);
  t.deepEqual(groupNotifyCommands('fault', notify, 'G'), [['/any.sh', '--x', 'GROUP', 'G', 'FAULT', '0']]);
  t.deepEqual(groupNotifyCommands('stop', { stop: '/s.sh' }, 'G'), [['/s.sh']]);
  t.deepEqual(groupNotifyCommands('initialize', notify, 'G'), []);
});
