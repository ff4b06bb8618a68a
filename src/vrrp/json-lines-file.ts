/** Appends JSON lines to a file in order (one write at a time); a failed write is logged, never thrown. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../core/logger.js';

export function createJsonLinesFile(path: string, logger: Logger): { append(record: Record<string, unknown>): void; drain(): Promise<void> } {
  let tail: Promise<void> = mkdir(dirname(path), { recursive: true }).then(() => undefined, () => undefined);
  let isFailing = false;
  return {
    append(record) {
      const line = `${JSON.stringify(record)}\n`;
      tail = tail.then(async () => {
        try {
          await appendFile(path, line);
          isFailing = false;
        } catch (e) {
          if (!isFailing) logger.error('cannot write the event log', { path, err: e instanceof Error ? e.message : String(e) });
          isFailing = true;
        }
      });
    },
    drain: () => tail,
  };
}
