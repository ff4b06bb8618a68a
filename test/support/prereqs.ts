/**
 * Gates integration tests on what the machine has (root, binaries, UML).
 *
 *   const gate = requirePrereqs(['root', 'uml', 'ipvsadm']);
 *   gate.test('title', async (t) => { ... });
 *
 * All present: a normal test. Something missing:
 *   - CI (process.env.CI === 'true'): the test is registered and FAILS, naming what to install;
 *     a CI machine that silently skips is a CI machine that tests nothing;
 *   - elsewhere (a developer laptop): the test is registered as skipped, the reason in its title.
 */
import { existsSync, readlinkSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { findExecutable } from '../../src/lab/find-executable.js';
import { checkUmlPrerequisites, type PrerequisiteIssue } from '../../src/lab/uml-prerequisites.js';

/** Binaries the lab tests use, with the Debian package providing each. */
export const BINARY_PACKAGES = {
  ip: 'iproute2',
  ipvsadm: 'ipvsadm',
  tcpdump: 'tcpdump',
  tshark: 'tshark',
  arping: 'iputils-arping',
  keepalived: 'keepalived',
  sysctl: 'procps',
  modprobe: 'kmod',
  'linux.uml': 'user-mode-linux',
} as const;

export type KnownBinary = keyof typeof BINARY_PACKAGES;

/** 'root', 'uml' (binary + module tree + the lab's modules), 'netns' (kernel support), a binary, or a file a package ships. */
export type Prereq =
  | 'root'
  | 'uml'
  | 'netns'
  | KnownBinary
  | { readonly binary: string; readonly package: string }
  | { readonly path: string; readonly package: string };

/** The keepalived.conf samples of Debian's keepalived package: a corpus of real configs (GPL, never copied here). */
export const KEEPALIVED_SAMPLES: Prereq = { path: '/usr/share/doc/keepalived/samples', package: 'keepalived' };

export interface PrereqEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  /** For tests of the gate: defaults to the real file system checks. */
  readonly hasNetnsSupport?: () => boolean;
}

type TestImplementation = (t: ExecutionContext) => void | Promise<void>;

/** Where tests get registered; ava by default, a recorder in the gate's own unit tests. */
export interface TestRegistrar {
  test(title: string, implementation: TestImplementation): void;
  serial(title: string, implementation: TestImplementation): void;
  skip(title: string, implementation: TestImplementation): void;
}

export interface PrereqGate {
  readonly isSatisfied: boolean;
  readonly missing: readonly PrerequisiteIssue[];
  /** "ipvsadm (install: apt-get install ipvsadm); ..." or '' when satisfied. */
  readonly reason: string;
  readonly isCi: boolean;
  test(title: string, implementation: TestImplementation): void;
  serial(title: string, implementation: TestImplementation): void;
}

const avaRegistrar: TestRegistrar = {
  test: (title, implementation) => test(title, implementation),
  serial: (title, implementation) => test.serial(title, implementation),
  skip: (title, implementation) => test.skip(title, implementation),
};

export function requirePrereqs(
  prereqs: readonly Prereq[],
  environment: PrereqEnvironment = { env: process.env, uid: process.getuid?.() ?? -1 },
  registrar: TestRegistrar = avaRegistrar,
): PrereqGate {
  const missing = findMissingPrereqs(prereqs, environment);
  const reason = missing.map((m) => `${m.what} (${m.hint})`).join('; ');
  const isCi = environment.env['CI'] === 'true';
  const register = (kind: 'test' | 'serial') => (title: string, implementation: TestImplementation): void => {
    if (missing.length === 0) {
      registrar[kind](title, implementation);
    } else if (isCi) {
      registrar[kind](title, (t) => {
        t.fail(`missing prerequisites on this CI machine: ${reason}. Details: ${missing.map((m) => m.detail).join('; ')}`);
      });
    } else {
      registrar.skip(`${title} [skipped: missing ${reason}]`, implementation);
    }
  };
  return { isSatisfied: missing.length === 0, missing, reason, isCi, test: register('test'), serial: register('serial') };
}

export function findMissingPrereqs(prereqs: readonly Prereq[], environment: PrereqEnvironment): PrerequisiteIssue[] {
  const pathEnv = environment.env['PATH'] ?? '';
  const issues: PrerequisiteIssue[] = [];
  for (const prereq of prereqs) {
    if (prereq === 'root') {
      if (environment.uid !== 0) issues.push({ what: 'root', detail: `running as uid ${environment.uid}`, hint: 'run the tests as root (sudo)' });
    } else if (prereq === 'netns') {
      const hasNetns = environment.hasNetnsSupport ?? defaultHasNetns;
      if (!hasNetns()) issues.push({ what: 'netns', detail: '/proc/self/ns/net is missing', hint: 'a kernel with CONFIG_NET_NS' });
    } else if (prereq === 'uml') {
      issues.push(...checkUmlPrerequisites({ pathEnv }).issues);
    } else if (typeof prereq === 'object' && 'path' in prereq) {
      if (!existsSync(prereq.path)) {
        issues.push({ what: prereq.path, detail: `${prereq.path} is missing`, hint: `install: apt-get install ${prereq.package}` });
      }
    } else {
      const binary = typeof prereq === 'string' ? prereq : prereq.binary;
      const pkg = typeof prereq === 'string' ? BINARY_PACKAGES[prereq] : prereq.package;
      if (findExecutable(binary, pathEnv) === undefined) {
        issues.push({ what: binary, detail: `${binary} not found on PATH`, hint: `install: apt-get install ${pkg}` });
      }
    }
  }
  return issues;
}

function defaultHasNetns(): boolean {
  try {
    return readlinkSync('/proc/self/ns/net').startsWith('net:');
  } catch {
    return false;
  }
}
