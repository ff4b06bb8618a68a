import test from 'ava';
import { findMissingPrereqs, requirePrereqs, type TestRegistrar } from '../../support/prereqs.js';

type Registered = { kind: 'test' | 'serial' | 'skip'; title: string; implementation: Parameters<TestRegistrar['test']>[1] };

function recorder(): TestRegistrar & { registered: Registered[] } {
  const registered: Registered[] = [];
  return {
    registered,
    test: (title, implementation) => registered.push({ kind: 'test', title, implementation }),
    serial: (title, implementation) => registered.push({ kind: 'serial', title, implementation }),
    skip: (title, implementation) => registered.push({ kind: 'skip', title, implementation }),
  };
}

const NO_TOOLS = { PATH: '/nonexistent-dir' };

test('all present: the test is registered as is', (t) => {
  const r = recorder();
  const gate = requirePrereqs(['root'], { env: {}, uid: 0 }, r);
  gate.test('works', () => undefined);
  gate.serial('works too', () => undefined);
  t.true(gate.isSatisfied);
  t.deepEqual(r.registered.map((x) => [x.kind, x.title]), [['test', 'works'], ['serial', 'works too']]);
});

test('missing on a laptop: registered as skipped, the reason and the fix in the title', (t) => {
  const r = recorder();
  const gate = requirePrereqs(['root', 'ipvsadm'], { env: NO_TOOLS, uid: 1000 }, r);
  gate.test('ipvs works', () => undefined);
  t.false(gate.isSatisfied);
  t.deepEqual(r.registered.map((x) => x.kind), ['skip']);
  t.is(r.registered[0]?.title, 'ipvs works [skipped: missing root (run the tests as root (sudo)); ipvsadm (install: apt-get install ipvsadm)]');
});

test('missing on CI: registered, and fails naming what to install', async (t) => {
  const r = recorder();
  const gate = requirePrereqs(['ipvsadm', { binary: 'frobnicate', package: 'frob-tools' }], { env: { ...NO_TOOLS, CI: 'true' }, uid: 0 }, r);
  gate.test('ipvs works', () => {
    throw new Error('must not run');
  });
  t.true(gate.isCi);
  t.deepEqual(r.registered.map((x) => [x.kind, x.title]), [['test', 'ipvs works']]);
  const failures: string[] = [];
  const fakeContext = { fail: (message: string) => failures.push(message) } as unknown as Parameters<Registered['implementation']>[0];
  await r.registered[0]?.implementation(fakeContext);
  t.is(failures.length, 1);
  t.regex(failures[0] ?? '', /apt-get install ipvsadm/);
  t.regex(failures[0] ?? '', /apt-get install frob-tools/);
});

test('uml: a missing linux.uml is named with its package', (t) => {
  const issues = findMissingPrereqs(['uml'], { env: NO_TOOLS, uid: 0 });
  t.true(issues.some((i) => i.what === 'linux.uml' && i.hint === 'apt-get install user-mode-linux'));
});

test('netns uses the injected check', (t) => {
  t.deepEqual(findMissingPrereqs(['netns'], { env: {}, uid: 0, hasNetnsSupport: () => true }), []);
  t.is(findMissingPrereqs(['netns'], { env: {}, uid: 0, hasNetnsSupport: () => false })[0]?.what, 'netns');
});
