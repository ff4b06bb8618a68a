/**
 * Runs the operations of an IpvsPlan through an IpvsClient: stage by stage (services added or edited,
 * then destinations, then services deleted), each stage by a fixed number of workers pulling
 * operations (32, the client's in-flight bound: no 10,000 pending promises for a big table).
 * A failed operation does not stop the others; destination operations of a service whose add
 * failed are skipped. Kernel and validation failures come back as values (IpvsError); anything
 * else is a bug and rejects.
 */
import type { IpvsClient } from './ipvs-client.js';
import { IpvsError } from './ipvs-error.js';
import { formatServiceKey } from './model.js';
import { type IpvsOp, stageOf } from './plan.js';

export interface IpvsApplyResult {
  readonly applied: readonly IpvsOp[];
  readonly failed: readonly { readonly op: IpvsOp; readonly error: IpvsError }[];
  /** Not attempted: their service could not be added, or the signal aborted. */
  readonly skipped: readonly IpvsOp[];
}

export interface IpvsApplyOptions {
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export async function applyIpvsPlan(client: IpvsClient, ops: readonly IpvsOp[], options: IpvsApplyOptions = {}): Promise<IpvsApplyResult> {
  const concurrency = options.concurrency ?? 32;
  const applied: IpvsOp[] = [];
  const failed: { op: IpvsOp; error: IpvsError }[] = [];
  const skipped: IpvsOp[] = [];
  const failedServices = new Set<string>();
  for (const stage of [0, 1, 2] as const) {
    const todo: IpvsOp[] = [];
    for (const op of ops) {
      if (stageOf(op) !== stage) continue;
      if (op.op === 'add-destination' || op.op === 'edit-destination' || op.op === 'delete-destination') {
        if (failedServices.has(formatServiceKey(op.service))) {
          skipped.push(op);
          continue;
        }
      }
      todo.push(op);
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const op = todo[next++];
        if (op === undefined) return;
        if (options.signal?.aborted === true) {
          skipped.push(op);
          continue;
        }
        try {
          await runOp(client, op, options.signal);
          applied.push(op);
        } catch (e) {
          if (!(e instanceof IpvsError)) throw e;
          failed.push({ op, error: e });
          if (op.op === 'add-service') failedServices.add(formatServiceKey(op.service.key));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  }
  return { applied, failed, skipped };
}

function runOp(client: IpvsClient, op: IpvsOp, signal: AbortSignal | undefined): Promise<void> {
  switch (op.op) {
    case 'add-service':
      return client.addService(op.service, signal);
    case 'edit-service':
      return client.editService(op.service, signal);
    case 'delete-service':
      return client.deleteService(op.key, signal);
    case 'add-destination':
      return client.addDestination(op.service, op.destination, signal);
    case 'edit-destination':
      return client.editDestination(op.service, op.destination, signal);
    case 'delete-destination':
      return client.deleteDestination(op.service, op.destination.key, signal);
  }
}
