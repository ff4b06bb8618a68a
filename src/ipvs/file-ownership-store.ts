/** OwnershipStore in a JSON file under the daemon's state directory, written atomically (rename). */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OwnershipStore } from './ipvs-reconciler.js';

export function createFileOwnershipStore(path: string): OwnershipStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return [];
      }
      const parsed: unknown = JSON.parse(text);
      const owned = (parsed as { ownedServices?: unknown }).ownedServices;
      return Array.isArray(owned) ? owned.filter((s): s is string => typeof s === 'string') : [];
    },
    async save(owned) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      await writeFile(tmp, `${JSON.stringify({ ownedServices: owned }, null, 2)}\n`);
      await rename(tmp, path);
    },
  };
}
