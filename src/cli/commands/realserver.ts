/**
 * `lvsd realserver setup`: prepares this host as a real server of a DR or TUN service (VIP on lo or
 * tunl0, ARP sysctls, rp_filter for TUN), or with --undo restores what an earlier setup changed.
 * The planner and driver live in src/realserver/; this file parses arguments and prints.
 */
import { createProcessRunner } from '../../core/command-runner.js';
import { LvsdError } from '../../core/errors.js';
import { parseIpAddress, type IpAddress } from '../../core/ip.js';
import { createFileRealServerStateStore, DEFAULT_REALSERVER_STATE_DIR } from '../../realserver/file-realserver-state-store.js';
import { createKernelRealServerHost } from '../../realserver/kernel-realserver-host.js';
import { isRealServerError } from '../../realserver/realserver-error.js';
import { vipDevice, type RealServerParams } from '../../realserver/realserver-plan.js';
import type { RealServerMethod } from '../../realserver/realserver-state.js';
import { describeRealServerChange, setupRealServer, undoRealServer, type RealServerOutcome } from '../../realserver/setup-realserver.js';
import { isFlagSet, parseCommandArgs, stringOption } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, writeLine, type CliIo } from '../io.js';

const COMMAND = 'realserver setup';

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, args, {
    vip: { type: 'string' },
    method: { type: 'string' },
    interface: { type: 'string', short: 'i' },
    undo: { type: 'boolean' },
    'dry-run': { type: 'boolean', short: 'n' },
    'state-dir': { type: 'string' },
    json: { type: 'boolean' },
  }, 0);
  const vip = parseVip(stringOption(parsed, 'vip'));
  const method = parseMethod(stringOption(parsed, 'method'), isFlagSet(parsed, 'undo'));
  const interfaceName = stringOption(parsed, 'interface');
  const stateDir = stringOption(parsed, 'state-dir') ?? DEFAULT_REALSERVER_STATE_DIR;
  const store = createFileRealServerStateStore(stateDir);
  const host = createKernelRealServerHost({ runner: createProcessRunner() });
  const options = { isDryRun: isFlagSet(parsed, 'dry-run') };
  let result: RealServerOutcome;
  try {
    if (isFlagSet(parsed, 'undo')) {
      result = await undoRealServer(vip, method, { host, store }, options);
    } else {
      const params: RealServerParams = { vip: vip, method: method ?? 'dr', ...(interfaceName === undefined ? {} : { interfaceName }) };
      result = await setupRealServer(params, { host, store }, options);
    }
  } catch (e) {
    if (!isRealServerError(e)) throw e;
    writeLine(io.stderr, `lvsd ${COMMAND}: ${e.message} (${e.code})`);
    return EXIT_FAILURE;
  } finally {
    host.close();
  }
  if (isFlagSet(parsed, 'json')) writeLine(io.stdout, JSON.stringify({ ...result, changes: result.changes.map(describeRealServerChange), stateFile: store.file }));
  else writeLine(io.stdout, formatOutcome(result, method, store.file));
  return EXIT_OK;
}

function parseVip(text: string | undefined): IpAddress {
  if (text === undefined) throw new LvsdError('ERR_USAGE', `${COMMAND}: --vip ADDR is required`);
  const parsed = parseIpAddress(text);
  if (!parsed.ok) throw new LvsdError('ERR_USAGE', `${COMMAND}: --vip: ${parsed.error} (give the address alone: it goes on as /32 or /128)`);
  return parsed.value;
}

function parseMethod(text: string | undefined, isUndo: boolean): RealServerMethod | undefined {
  if (text === undefined) {
    if (isUndo) return undefined;
    throw new LvsdError('ERR_USAGE', `${COMMAND}: --method dr|tun is required`);
  }
  if (text !== 'dr' && text !== 'tun') throw new LvsdError('ERR_USAGE', `${COMMAND}: --method must be dr or tun, not "${text}"`);
  return text;
}

export function formatOutcome(o: RealServerOutcome, method: RealServerMethod | undefined, stateFile: string): string {
  const where = method === undefined ? '' : ` (${method}, on ${vipDevice(method)})`;
  const verb = o.action === 'setup' ? 'set up' : 'undo';
  const head = `${o.vip}${where}: ${o.isDryRun ? `would ${verb}` : verb}`;
  const lines = [o.changes.length === 0 ? `${head}: nothing to change` : `${head}:`];
  lines.push(...o.changes.map((c) => `  ${describeRealServerChange(c)}`));
  lines.push(...o.notes.map((n) => `  note: ${n}`));
  if (!o.isDryRun && o.action === 'setup') lines.push(`state: ${stateFile} ('--undo' restores what was changed)`);
  return lines.join('\n');
}
