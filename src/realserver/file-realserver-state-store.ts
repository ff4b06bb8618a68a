/**
 * The real-server state as a JSON file (default /run/lvsd/realserver/state.json: /run is cleared at
 * boot, as are the sysctls and addresses it describes). Written atomically (temporary file, then
 * rename); removed when nothing is held any more. One directory per network namespace: the state
 * describes the sysctls and devices of the namespace the command ran in.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../core/errors.js';
import { RealServerError } from './realserver-error.js';
import { EMPTY_REALSERVER_STATE, parseRealServerState, type RealServerState } from './realserver-state.js';
import type { RealServerStateStore } from './setup-realserver.js';

export const DEFAULT_REALSERVER_STATE_DIR = '/run/lvsd/realserver';
const FILE_NAME = 'state.json';

export function createFileRealServerStateStore(dir: string = DEFAULT_REALSERVER_STATE_DIR): RealServerStateStore & { readonly file: string } {
  const file = join(dir, FILE_NAME);
  return {
    file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_REALSERVER_STATE;
        throw new RealServerError('ERR_REALSERVER_STATE', `cannot read ${file}: ${describeError(e)}`, { cause: e });
      }
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch (e) {
        throw new RealServerError('ERR_REALSERVER_STATE', `${file} is not JSON: ${describeError(e)}`, { cause: e });
      }
      const parsed = parseRealServerState(json);
      if (!parsed.ok) throw new RealServerError('ERR_REALSERVER_STATE', `${file} is not a realserver state file: ${parsed.error}`);
      return parsed.value;
    },
    async save(state) {
      try {
        if (state.setups.length === 0 && state.held.length === 0) {
          await rm(file, { force: true });
          return;
        }
        await mkdir(dir, { recursive: true, mode: 0o755 });
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
        await rename(temporary, file);
      } catch (e) {
        throw new RealServerError('ERR_REALSERVER_STATE', `cannot write ${file}: ${describeError(e)}`, { cause: e });
      }
    },
  };
}

/** For tests and dry runs: the state in memory. */
export function createMemoryRealServerStateStore(initial: RealServerState = EMPTY_REALSERVER_STATE): RealServerStateStore & { state: RealServerState } {
  const store = {
    state: initial,
    load: () => Promise.resolve(store.state),
    save: (state: RealServerState) => {
      store.state = state;
      return Promise.resolve();
    },
  };
  return store;
}
