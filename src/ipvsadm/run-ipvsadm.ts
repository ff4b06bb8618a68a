/**
 * `lvsd ipvsadm ARGS…`: parses ipvsadm's command line, runs it against an IpvsClient and prints
 * what ipvsadm 1.31 prints, with its exit codes (0; 1 a listing failed; 2 a usage error or no IPVS;
 * 255 the kernel refused). Every effect goes through IpvsadmDeps, which the CLI command wires to
 * the kernel (and tests to an in-memory kernel): the client is only opened when a command needs
 * it, so that parsing errors, help and the connection listing never load the netlink module.
 *
 * Start-up: an operator types `lvsd ipvsadm` as often as ipvsadm, and inside UML each module Node
 * loads costs several milliseconds of syscalls. So this module loads only the parser statically;
 * the listing formatters, the connection listing, the change path and -R's dry run are imported
 * when their command runs (README, "lvsd ipvsadm start-up").
 */
import type { IpAddress } from '../core/ip.js';
import { readIpvsTable, type IpvsClient, type IpvsTableEntry } from '../ipvs/ipvs-client.js';
import { IpvsError, isIpvsError } from '../ipvs/ipvs-error.js';
import { type DisplayNames, NUMERIC_NAMES } from './display-names.js';
import { EXIT, type IpvsadmCommand } from './ipvsadm-command.js';
import type { IpvsadmDeps } from './ipvsadm-deps.js';
import { parseIpvsadmArgs } from './parse-ipvsadm-args.js';
import { parseWithNames } from './parse-with-names.js';

export type { IpvsadmDeps };

/** What ipvsadm prints when the kernel has no IPVS, then how to fix it. */
export const NO_IPVS_MESSAGE =
  "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?";

export async function runIpvsadm(argv: readonly string[], deps: IpvsadmDeps): Promise<number> {
  const parsed = argv.length === 0 ? { ok: true as const, command: LIST_ALL_NAMED } : await parseWithNames((lookup) => parseIpvsadmArgs(argv, lookup, deps.program), deps);
  if (!parsed.ok) {
    deps.stderr(`${parsed.message}\n`);
    return parsed.exitCode;
  }
  const command = parsed.command;
  let client: IpvsClient | undefined;
  const openClient = async (): Promise<IpvsClient> => (client ??= await deps.openClient());
  try {
    return await execute(command, deps, openClient);
  } catch (e) {
    if (isIpvsError(e, 'ERR_IPVS_NOT_AVAILABLE')) {
      deps.stderr(`${NO_IPVS_MESSAGE}\n${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof IpvsError) {
      const { ipvsadmMessage } = await import('./change-requests.js');
      deps.stderr(`${ipvsadmMessage(e)}\n`);
      return EXIT.failed;
    }
    throw e;
  } finally {
    client?.close();
  }
}

/** `ipvsadm` alone lists the table with names. */
const LIST_ALL_NAMED: IpvsadmCommand = { kind: 'list', key: undefined, format: { isNumeric: false, isExact: false, isSorted: true, view: 'default' } };


async function execute(command: IpvsadmCommand, deps: IpvsadmDeps, openClient: () => Promise<IpvsClient>): Promise<number> {
  switch (command.kind) {
    case 'help':
      deps.stdout(`${deps.helpText}\n`);
      return EXIT.ok;
    case 'version':
      deps.stdout(`${deps.versionText}\n`);
      return EXIT.ok;
    case 'list-connections':
      return listConnections(command.isNumeric, command.hasPersistenceEngineData, deps);
    case 'list': {
      const { formatListing, formatServiceListing } = await import('./format-table.js');
      const client = await openClient();
      if (command.key !== undefined) {
        const service = await client.getService(command.key);
        if (service === undefined) {
          deps.stderr('No such service\n');
          return EXIT.listing;
        }
        const table = [{ service, destinations: await client.listDestinations(command.key) }];
        deps.stdout(formatServiceListing(table, command.format, await tableNames(table, command.format.isNumeric, deps)));
        return EXIT.ok;
      }
      const info = await client.getInfo();
      const table = await readIpvsTable(client);
      deps.stdout(formatListing(info, table, command.format, await tableNames(table, command.format.isNumeric, deps)));
      return EXIT.ok;
    }
    case 'save': {
      const { formatSave } = await import('./format-table.js');
      const table = await readIpvsTable(await openClient());
      deps.stdout(formatSave(table, await tableNames(table, command.isNumeric, deps)));
      return EXIT.ok;
    }
    case 'list-timeouts': {
      const { formatTimeouts } = await import('./format-table.js');
      deps.stdout(formatTimeouts(await (await openClient()).getTimeouts()));
      return EXIT.ok;
    }
    case 'list-daemons': {
      const { formatDaemons } = await import('./format-table.js');
      deps.stdout(formatDaemons(await (await openClient()).listDaemons()));
      return EXIT.ok;
    }
    case 'restore': {
      // The dry run's in-memory kernel and the planner are only needed here: not loaded otherwise.
      const { runRestore } = await import('./restore-runner.js');
      return runRestore(await deps.readStdin(), deps, openClient);
    }
    default: {
      const { applyChange } = await import('./apply-change.js');
      return applyChange(command, await openClient(), deps);
    }
  }
}

async function listConnections(isNumeric: boolean, hasPeData: boolean, deps: IpvsadmDeps): Promise<number> {
  const { connectionAddresses, CONN_PROC_FILE, formatConnections, parseConnections } = await import('./format-connections.js');
  const text = await deps.readConnections();
  if (text === undefined) throw new IpvsError('ERR_IPVS_NOT_AVAILABLE', `${CONN_PROC_FILE} does not exist: IPVS is not loaded (try: modprobe ip_vs)`);
  const parsed = parseConnections(text);
  if (!parsed.ok) {
    deps.stderr(`${parsed.message}\n`);
    return EXIT.listing;
  }
  const names = isNumeric ? NUMERIC_NAMES : await resolveDisplayNames(connectionAddresses(parsed.entries), deps);
  deps.stdout(formatConnections(parsed.entries, hasPeData, names));
  return EXIT.ok;
}

function tableNames(table: readonly IpvsTableEntry[], isNumeric: boolean, deps: IpvsadmDeps): Promise<DisplayNames> {
  if (isNumeric) return Promise.resolve(NUMERIC_NAMES);
  const addresses = table.flatMap((e) => [
    ...(e.service.service.key.kind === 'inet' ? [e.service.service.key.address] : []),
    ...e.destinations.map((d) => d.destination.key.address),
  ]);
  return resolveDisplayNames(addresses, deps);
}

async function resolveDisplayNames(addresses: readonly IpAddress[], deps: Pick<IpvsadmDeps, 'reverseHosts' | 'loadServices'>): Promise<DisplayNames> {
  const unique = [...new Map(addresses.map((a) => [a.text, a])).values()];
  const [hosts, services] = await Promise.all([deps.reverseHosts(unique), deps.loadServices()]);
  return { host: (a) => hosts.get(a.text), service: (port, protocol) => services.nameOf(port, protocol) };
}
