/** SysctlAccess over /proc/sys (names with slashes: net/ipv4/vs/expire_nodest_conn). */
import { readFile, writeFile } from 'node:fs/promises';
import { LvsdError } from '../core/errors.js';
import type { SysctlAccess } from './ipvs-reconciler.js';

export function createProcSysctl(root = '/proc/sys'): SysctlAccess {
  return {
    async read(name) {
      try {
        return await readFile(`${root}/${name}`, 'utf8');
      } catch {
        return undefined;
      }
    },
    async write(name, value) {
      try {
        await writeFile(`${root}/${name}`, value);
      } catch (e) {
        throw new LvsdError('ERR_COMMAND_FAILED', `cannot set ${name.replaceAll('/', '.')}=${value}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
      }
    },
  };
}
