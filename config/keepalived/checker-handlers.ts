/**
 * keepalived's health checkers (keepalived.conf(5): TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK,
 * PING_CHECK, DNS_CHECK, SMTP_CHECK, UDP_CHECK, FILE_CHECK) translated into a real server's
 * `healthChecks`, with keepalived's semantics made explicit: up after one success (rise 1), down
 * after retry + 1 failures (fall), retries spaced by delay_before_retry (fastInterval),
 * connect_timeout (timeout), delay_loop (the service's healthCheckDefaults.interval, 60 s by
 * default), warmup (the first probe at random within it) and alpha (start down until the first
 * success); on a real server or service these reach its checkers (checker-inheritance.ts). Also the service's quorum keywords (quorum, hysteresis, quorum_up, quorum_down, omega,
 * sorry_server_inhibit) and the real server's notify_up / notify_down.
 */
import type { ConfigPath } from '../raw-config.js';
import type { KaToken } from './lexer.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';
import { intArg, setBool, setFlag, setInt, setSeconds, setText } from './handler-helpers.js';
import { applyInherited, inheritedTimingHandlers } from './checker-inheritance.js';

type CheckType = 'tcp' | 'http' | 'https' | 'exec' | 'icmp' | 'dns' | 'smtp' | 'udp' | 'file';

/** keepalived's per-checker defaults: retry (so fall = retry + 1) and delay_before_retry. */
const KEEPALIVED_DEFAULTS: Readonly<Record<CheckType, { retry: number; delayBeforeRetryS: number }>> = {
  tcp: { retry: 1, delayBeforeRetryS: 1 },
  http: { retry: 1, delayBeforeRetryS: 3 },
  https: { retry: 1, delayBeforeRetryS: 3 },
  exec: { retry: 0, delayBeforeRetryS: 1 },
  icmp: { retry: 1, delayBeforeRetryS: 1 },
  dns: { retry: 3, delayBeforeRetryS: 1 },
  smtp: { retry: 1, delayBeforeRetryS: 1 },
  udp: { retry: 1, delayBeforeRetryS: 1 },
  // keepalived watches the file with inotify and acts on the first change: no retries.
  file: { retry: 0, delayBeforeRetryS: 1 },
};

/**
 * keepalived reacts to a FILE_CHECK file at once (inotify); lvsd reads it on every probe, so a file
 * check gets its own short interval rather than delay_loop.
 */
const FILE_CHECK_INTERVAL = '1s';

/** `TCP_CHECK {` and the others: a new check on the enclosing real server, children in its scope. */
function checker(type: CheckType): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 0, 0, `${statement.keyword} { ... }`)) return false;
    const checks: ConfigPath = [...ctx.scope, 'healthChecks'];
    const index = ctx.append(checks, { type }, statement.loc);
    const at: ConfigPath = [...checks, index];
    const d = KEEPALIVED_DEFAULTS[type];
    ctx.setDefault([...at, 'rise'], 1, statement.loc);
    ctx.setDefault([...at, 'fall'], d.retry + 1, statement.loc);
    ctx.setDefault([...at, 'fastInterval'], `${d.delayBeforeRetryS}s`, statement.loc);
    ctx.setDefault([...at, 'timeout'], '5s', statement.loc);
    if (type === 'https') ctx.set([...at, 'tls'], { isVerifyDisabled: true }, statement.loc); // keepalived never verifies
    if (type === 'file') ctx.setDefault([...at, 'interval'], FILE_CHECK_INTERVAL, statement.loc);
    // The real server's scope is [..., virtualServers, i, realServers, j]: the service is two steps up.
    ctx.setDefault([...ctx.scope.slice(0, -2), 'healthCheckDefaults', 'interval'], '60s', statement.loc);
    applyInherited(ctx, ctx.scope, at, type);
    return { childScope: at };
  };
}

/** `retry N` / `nb_get_retry N`: down after N + 1 consecutive failures. */
const retry: KeywordHandler = (statement, ctx) => {
  const n = intArg(statement, ctx, `${statement.keyword} N`);
  if (n !== undefined) ctx.set([...ctx.scope, 'fall'], n.value + 1, n.at);
};

/**
 * `url { path; digest; status_code; regex; virtualhost }`: the first fills the check itself, each
 * further one becomes an entry of its `urls` (keepalived: every url must pass).
 */
const url: KeywordHandler = (statement, ctx) => {
  if (!ctx.has([...ctx.scope, 'path'])) return { childScope: ctx.scope };
  const index = ctx.append([...ctx.scope, 'urls'], {}, statement.loc);
  return { childScope: [...ctx.scope, 'urls', index] };
};

/** `status_code 200 201-204 503 ...`: codes and ranges, several per line. */
const statusCode: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 64, 'status_code CODE|FROM-TO ...')) return;
  for (const arg of statement.args) {
    if (/^\d{3}$/.test(arg.text)) ctx.append([...ctx.scope, 'statusCodes'], Number(arg.text), arg.loc);
    else if (/^\d{3}-\d{3}$/.test(arg.text)) ctx.append([...ctx.scope, 'statusCodes'], arg.text, arg.loc);
    else ctx.error(arg.loc, `status_code takes codes (200) or ranges (200-299), got "${arg.text}"`);
  }
};

const regex: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'regex "PATTERN"')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'body'], { regex: arg.text }, arg.loc);
};

const miscPath: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'misc_path "COMMAND"')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'command'], arg.text, arg.loc);
};

const dnsType: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'type A|AAAA|NS|CNAME|SOA|MX|TXT|PTR')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'queryType'], arg.text.toUpperCase(), arg.loc);
};

/** Hex bytes written over one or more words (keepalived joins them): "0a 0b 0c" or "0a0b0c". */
function hexOf(words: readonly KaToken[]): string {
  return words.map((w) => w.text).join(' ');
}

/** UDP_CHECK `payload HEX...`. */
const payload: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 64, 'payload HEX')) return;
  const first = statement.args[0];
  if (first !== undefined) ctx.set([...ctx.scope, 'payloadHex'], hexOf(statement.args), first.loc);
};

/** UDP_CHECK `require_reply [HEX...]`: a reply is needed; with hex, it must match (X: any nibble). */
const requireReply: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 64, 'require_reply [HEX]')) return;
  const first = statement.args[0];
  if (first === undefined) ctx.setDefault([...ctx.scope, 'minReplyBytes'], 0, statement.loc); // any reply will do
  else ctx.set([...ctx.scope, 'requireReplyHex'], hexOf(statement.args), first.loc);
};

/** FILE_CHECK `track_file NAME`: the file of a track_file block defined earlier, as keepalived requires. */
const fileCheckTrackFile: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'track_file NAME')) return;
  const name = statement.args[0];
  if (name === undefined) return;
  const files = ctx.get(['vrrp', 'trackFiles']);
  const entry = Array.isArray(files) ? (files as Record<string, unknown>[]).find((f) => f['name'] === name.text) : undefined;
  const path = entry?.['path'];
  if (entry === undefined || typeof path !== 'string') {
    ctx.error(name.loc, `track_file ${name.text} is not defined (keepalived needs its track_file block before the FILE_CHECK that names it)`);
    return;
  }
  ctx.set([...ctx.scope, 'path'], path, name.loc);
  // keepalived: without its own weight, a FILE_CHECK takes the track_file's (whose default is 1).
  const weight = entry['weight'];
  ctx.setDefault([...ctx.scope, 'weight'], typeof weight === 'number' ? weight : 1, name.loc);
  if (entry['isReversed'] === true) ctx.setDefault([...ctx.scope, 'isReversed'], true, name.loc);
};

/** FILE_CHECK `weight N [reverse]`. */
const fileCheckWeight: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 2, 'weight N [reverse]')) return;
  const [n, reverse] = statement.args;
  if (n === undefined) return;
  if (!/^-?\d{1,5}$/.test(n.text)) {
    ctx.error(n.loc, `weight takes a whole number, got "${n.text}"`);
    return;
  }
  if (reverse !== undefined && reverse.text !== 'reverse' && reverse.text !== 'noreverse') {
    ctx.error(reverse.loc, `expected "reverse" or "noreverse", got "${reverse.text}"`);
    return;
  }
  // keepalived (check_file.c): an explicit weight, 0 included, replaces the track_file's weight and direction.
  ctx.set([...ctx.scope, 'weight'], Number(n.text), n.loc);
  ctx.set([...ctx.scope, 'isReversed'], reverse?.text === 'reverse', (reverse ?? n).loc);
};

/** `notify_up "COMMAND" [USER [GROUP]]` and the like: the command at `key` of the scope's notify. */
function script(key: string): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 1, 3, `${statement.keyword} "COMMAND" [USER [GROUP]]`)) return;
    const [command, user] = statement.args;
    if (command !== undefined) ctx.set([...ctx.scope, 'notify', key], command.text, command.loc);
    if (user !== undefined) ctx.warn(user.loc, `a per-script user ("${statement.args.slice(1).map((a) => a.text).join(' ')}") is not supported yet; ignored`, 'unsupported-keyword');
  };
}

/** `sorry_server_inhibit`: keepalived ignores it before (or without) sorry_server, with an error; so does lvsd. */
const sorryServerInhibit: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 0, 'sorry_server_inhibit')) return;
  if (!ctx.has([...ctx.scope, 'sorryServer', 'address'])) {
    ctx.error(statement.loc, 'sorry_server_inhibit needs a sorry_server before it');
    return;
  }
  ctx.set([...ctx.scope, 'sorryServer', 'isInhibitedOnFailure'], true, statement.loc);
};

const scoped = (relative: ConfigPath, fn: (path: ConfigPath, usage: string) => (s: KaStatement, c: TranslateContext) => void, usage: string): KeywordHandler =>
  (s, c) => fn([...c.scope, ...relative], usage)(s, c);

/** Keywords every checker block takes. */
const COMMON: Readonly<Record<string, KeywordHandler>> = {
  connect_port: scoped(['port'], setInt, 'connect_port PORT'),
  connect_timeout: scoped(['timeout'], setSeconds, 'connect_timeout SECONDS'),
  retry,
  nb_get_retry: retry,
  delay_before_retry: scoped(['fastInterval'], setSeconds, 'delay_before_retry SECONDS'),
  warmup: scoped(['warmup'], setSeconds, 'warmup SECONDS'),
  alpha: scoped(['isAlpha'], setBool, 'alpha [true|false]'),
  bindto: scoped(['bindAddress'], setText, 'bindto ADDRESS'),
};

export const CHECKER_HANDLERS = {
  TCP_CHECK: checker('tcp'),
  HTTP_GET: checker('http'),
  SSL_GET: checker('https'),
  MISC_CHECK: checker('exec'),
  PING_CHECK: checker('icmp'),
  DNS_CHECK: checker('dns'),
  SMTP_CHECK: checker('smtp'),
  UDP_CHECK: checker('udp'),
  FILE_CHECK: checker('file'),
} as const;

export const CHECKER_CHILD_HANDLERS: Readonly<Record<string, Readonly<Record<string, KeywordHandler>>>> = {
  TCP_CHECK: COMMON,
  PING_CHECK: COMMON,
  HTTP_GET: { ...COMMON, url, virtualhost: scoped(['host'], setText, 'virtualhost NAME') },
  SSL_GET: {
    ...COMMON,
    url,
    virtualhost: scoped(['host'], setText, 'virtualhost NAME'),
    sni_name: scoped(['tls', 'serverName'], setText, 'sni_name NAME'),
    // keepalived sends SNI (sni_name, else virtualhost) only with enable_sni; lvsd always sends it
    // when it has a name (tls.serverName, else the Host header's), never for an address (RFC 6066).
    enable_sni: (statement, ctx) => void expectArgs(statement, ctx, 0, 0, 'enable_sni'),
  },
  MISC_CHECK: { ...COMMON, misc_path: miscPath, misc_timeout: scoped(['timeout'], setSeconds, 'misc_timeout SECONDS'), misc_dynamic: scoped(['isDynamic'], (p, u) => setFlag(p, true, u), 'misc_dynamic') },
  DNS_CHECK: { ...COMMON, type: dnsType, name: scoped(['name'], setText, 'name NAME') },
  SMTP_CHECK: { ...COMMON, helo_name: scoped(['heloName'], setText, 'helo_name NAME') },
  UDP_CHECK: {
    ...COMMON,
    payload,
    require_reply: requireReply,
    min_reply_length: scoped(['minReplyBytes'], setInt, 'min_reply_length N'),
    max_reply_length: scoped(['maxReplyBytes'], setInt, 'max_reply_length N'),
  },
  FILE_CHECK: { track_file: fileCheckTrackFile, weight: fileCheckWeight },
};

export const URL_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  path: scoped(['path'], setText, 'path PATH'),
  digest: scoped(['digest'], setText, 'digest MD5'),
  status_code: statusCode,
  regex,
  virtualhost: scoped(['host'], setText, 'virtualhost NAME'),
};

/** Service-level health keywords. */
export const VIRTUAL_SERVER_HEALTH_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  ...inheritedTimingHandlers('virtualServer'),
  delay_loop: scoped(['healthCheckDefaults', 'interval'], setSeconds, 'delay_loop SECONDS'),
  warmup: scoped(['healthCheckDefaults', 'warmup'], setSeconds, 'warmup SECONDS'),
  alpha: scoped(['healthCheckDefaults', 'isAlpha'], setBool, 'alpha [true|false]'),
  inhibit_on_failure: scoped(['isInhibitedOnFailure'], (p, u) => setFlag(p, true, u), 'inhibit_on_failure'),
  quorum: scoped(['quorum', 'weight'], setInt, 'quorum N'),
  hysteresis: scoped(['quorum', 'hysteresis'], setInt, 'hysteresis N'),
  quorum_up: script('quorumUp'),
  quorum_down: script('quorumDown'),
  omega: scoped(['notify', 'isRunAtStop'], (p, u) => setFlag(p, true, u), 'omega'),
  sorry_server_inhibit: sorryServerInhibit,
};

/** Real-server-level health keywords. */
export const REAL_SERVER_HEALTH_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  ...inheritedTimingHandlers('realServer'),
  inhibit_on_failure: scoped(['isInhibitedOnFailure'], (p, u) => setFlag(p, true, u), 'inhibit_on_failure'),
  notify_up: script('up'),
  notify_down: script('down'),
};

