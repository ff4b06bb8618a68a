/**
 * What a UML run needs on the host, checked before booting so the error names exactly what is
 * missing and how to install it. Synchronous: a handful of stat/read calls, run once.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from './find-executable.js';
import { GUEST_PATH } from './uml-init-script.js';
import { LAB_UML_MODULES, resolveUmlModules, type ModuleResolution } from './uml-modules.js';

export const DEFAULT_UML_BINARY = 'linux.uml';
export const DEFAULT_MODULE_TREE_ROOT = '/usr/lib/uml/modules';
/** modprobe inside the guest looks here; the guest mounts a tmpfs over it, so the directory must exist. */
export const HOST_MODULES_DIR = '/usr/lib/modules';

export interface UmlPrerequisiteOptions {
  /** The host's PATH, used to find the UML binary. */
  readonly pathEnv: string;
  /** Name on PATH or absolute path. Default linux.uml. */
  readonly umlBinary?: string;
  readonly moduleTreeRoot?: string;
  /** Default: the only directory under moduleTreeRoot. */
  readonly kernelRelease?: string;
  /** Default LAB_UML_MODULES. */
  readonly modules?: readonly string[];
}

export interface PrerequisiteIssue {
  /** Short name of the missing thing: "linux.uml", "module ip_vs", "modprobe"... */
  readonly what: string;
  readonly detail: string;
  /** How to fix it, e.g. "apt-get install user-mode-linux". */
  readonly hint: string;
}

export interface UmlPrerequisites {
  readonly isSatisfied: boolean;
  readonly issues: readonly PrerequisiteIssue[];
  readonly umlBinaryPath?: string;
  readonly kernelRelease?: string;
  readonly moduleDir?: string;
  readonly moduleTreeRoot: string;
  readonly modules?: ModuleResolution;
}

const UML_HINT = 'apt-get install user-mode-linux';

export function checkUmlPrerequisites(options: UmlPrerequisiteOptions): UmlPrerequisites {
  const issues: PrerequisiteIssue[] = [];
  const binary = options.umlBinary ?? DEFAULT_UML_BINARY;
  const umlBinaryPath = findExecutable(binary, options.pathEnv);
  if (umlBinaryPath === undefined) {
    issues.push({ what: binary, detail: `UML kernel binary "${binary}" not found on PATH or not executable`, hint: UML_HINT });
  }
  for (const [tool, pkg] of [['modprobe', 'kmod'], ['ip', 'iproute2']] as const) {
    if (findExecutable(tool, GUEST_PATH) === undefined) {
      issues.push({ what: tool, detail: `${tool} (run inside the guest) not found on ${GUEST_PATH}`, hint: `apt-get install ${pkg}` });
    }
  }
  if (!existsSync(HOST_MODULES_DIR) && !isWritableDir(dirname(HOST_MODULES_DIR))) {
    issues.push({
      what: HOST_MODULES_DIR,
      detail: `${HOST_MODULES_DIR} does not exist and ${dirname(HOST_MODULES_DIR)} is not writable`,
      hint: `mkdir -p ${HOST_MODULES_DIR} (as root)`,
    });
  }
  const moduleTreeRoot = options.moduleTreeRoot ?? DEFAULT_MODULE_TREE_ROOT;
  const release = pickKernelRelease(moduleTreeRoot, options.kernelRelease, issues);
  if (release === undefined) return { isSatisfied: false, issues, moduleTreeRoot, ...(umlBinaryPath === undefined ? {} : { umlBinaryPath }) };
  const moduleDir = join(moduleTreeRoot, release);
  const modulesDep = readText(join(moduleDir, 'modules.dep'));
  const modulesBuiltin = readText(join(moduleDir, 'modules.builtin')) ?? '';
  let modules: ModuleResolution | undefined;
  if (modulesDep === undefined) {
    issues.push({ what: 'modules.dep', detail: `${moduleDir}/modules.dep is missing or unreadable`, hint: UML_HINT });
  } else {
    modules = resolveUmlModules(options.modules ?? LAB_UML_MODULES, { modulesDep, modulesBuiltin });
    for (const name of modules.missing) {
      issues.push({
        what: `module ${name}`,
        detail: `kernel module "${name}" is neither in ${moduleDir}/modules.dep nor built in`,
        hint: `use a UML kernel whose module tree has ${name}, or drop it from the module list`,
      });
    }
  }
  return {
    isSatisfied: issues.length === 0,
    issues,
    moduleTreeRoot,
    kernelRelease: release,
    moduleDir,
    ...(umlBinaryPath === undefined ? {} : { umlBinaryPath }),
    ...(modules === undefined ? {} : { modules }),
  };
}

/** One line per issue: "what: detail (install: hint)". */
export function describePrerequisiteIssues(issues: readonly PrerequisiteIssue[]): string {
  return issues.map((i) => `${i.what}: ${i.detail} (fix: ${i.hint})`).join('; ');
}

function pickKernelRelease(root: string, wanted: string | undefined, issues: PrerequisiteIssue[]): string | undefined {
  let releases: string[];
  try {
    releases = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    issues.push({ what: 'UML module tree', detail: `${root} does not exist or cannot be read`, hint: UML_HINT });
    return undefined;
  }
  if (wanted !== undefined) {
    if (releases.includes(wanted)) return wanted;
    issues.push({ what: 'UML module tree', detail: `${root}/${wanted} does not exist (found: ${releases.join(', ') || 'none'})`, hint: UML_HINT });
    return undefined;
  }
  if (releases.length === 1) return releases[0];
  issues.push({
    what: 'UML module tree',
    detail: releases.length === 0 ? `${root} holds no kernel release` : `${root} holds several releases (${releases.join(', ')}): choose one`,
    hint: releases.length === 0 ? UML_HINT : 'pass kernelRelease',
  });
  return undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isWritableDir(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
