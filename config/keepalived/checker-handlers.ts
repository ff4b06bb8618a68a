/**
 * keepalived's health checkers (keepalived.conf(5): TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK,
 * PING_CHECK, DNS_CHECK, SMTP_CHECK) translated into a real server's `healthChecks`, with keepalived's
 * semantics made explicit: up after one success (rise 1), down after retry + 1 failures (fall),
 * retries spaced by delay_before_retry (fastInterval), connect_timeout (timeout), and delay_loop
 * (the service's healthCheckDefaults.interval, 60 s by default).
 */
import type { ConfigPath } from '../raw-config.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';
import { intArg, setFlag, setInt, setSeconds, setText } from './handler-helpers.js';

type CheckType = 'tcp' | 'http' | 'https' | 'exec' | 'icmp' | 'dns' | 'smtp';

/** keepalived's per-checker defaults: retry (so fall = retry + 1) and delay_before_retry. */
const KEEPALIVED_DEFAULTS: Readonly<Record<CheckType, { retry: number; delayBeforeRetryS: number }>> = {
  tcp: { retry: 1, delayBeforeRetryS: 1 },
  http: { retry: 1, delayBeforeRetryS: 3 },
  https: { retry: 1, delayBeforeRetryS: 3 },
  exec: { retry: 0, delayBeforeRetryS: 1 },
  icmp: { retry: 1, delayBeforeRetryS: 1 },
  dns: { retry: 3, delayBeforeRetryS: 1 },
  smtp: { retry: 1, delayBeforeRetryS: 1 },
};

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
    // The real server's scope is [..., virtualServers, i, realServers, j]: the service is two steps up.
    ctx.setDefault([...ctx.scope.slice(0, -2), 'healthCheckDefaults', 'interval'], '60s', statement.loc);
    return { childScope: at };
  };
}

/** `retry N` / `nb_get_retry N`: down after N + 1 consecutive failures. */
const retry: KeywordHandler = (statement, ctx) => {
  const n = intArg(statement, ctx, `${statement.keyword} N`);
  if (n !== undefined) ctx.set([...ctx.scope, 'fall'], n.value + 1, n.at);
};

/** `url { path; digest; status_code; regex }`: one per checker (more are reported, not dropped silently). */
const url: KeywordHandler = (statement, ctx) => {
  if (ctx.has([...ctx.scope, 'path'])) {
    ctx.warn(statement.loc, 'only the first url block of a checker is translated; write another HTTP_GET for this one', 'unsupported-keyword');
    return false;
  }
  return { childScope: ctx.scope };
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

const scoped = (relative: ConfigPath, fn: (path: ConfigPath, usage: string) => (s: KaStatement, c: TranslateContext) => void, usage: string): KeywordHandler =>
  (s, c) => fn([...c.scope, ...relative], usage)(s, c);

/** Keywords every checker block takes. */
const COMMON: Readonly<Record<string, KeywordHandler>> = {
  connect_port: scoped(['port'], setInt, 'connect_port PORT'),
  connect_timeout: scoped(['timeout'], setSeconds, 'connect_timeout SECONDS'),
  retry,
  nb_get_retry: retry,
  delay_before_retry: scoped(['fastInterval'], setSeconds, 'delay_before_retry SECONDS'),
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
} as const;

export const CHECKER_CHILD_HANDLERS: Readonly<Record<string, Readonly<Record<string, KeywordHandler>>>> = {
  TCP_CHECK: COMMON,
  PING_CHECK: COMMON,
  HTTP_GET: { ...COMMON, url, virtualhost: scoped(['host'], setText, 'virtualhost NAME') },
  SSL_GET: { ...COMMON, url, virtualhost: scoped(['host'], setText, 'virtualhost NAME') },
  MISC_CHECK: { ...COMMON, misc_path: miscPath, misc_timeout: scoped(['timeout'], setSeconds, 'misc_timeout SECONDS'), misc_dynamic: scoped(['isDynamic'], (p, u) => setFlag(p, true, u), 'misc_dynamic') },
  DNS_CHECK: { ...COMMON, type: dnsType, name: scoped(['name'], setText, 'name NAME') },
  SMTP_CHECK: { ...COMMON, helo_name: scoped(['heloName'], setText, 'helo_name NAME') },
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
  delay_loop: scoped(['healthCheckDefaults', 'interval'], setSeconds, 'delay_loop SECONDS'),
  alpha: scoped(['healthCheckDefaults', 'isAlpha'], (p, u) => setFlag(p, true, u), 'alpha'),
  inhibit_on_failure: scoped(['isInhibitedOnFailure'], (p, u) => setFlag(p, true, u), 'inhibit_on_failure'),
};

/** Real-server-level health keywords. */
export const REAL_SERVER_HEALTH_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  inhibit_on_failure: scoped(['isInhibitedOnFailure'], (p, u) => setFlag(p, true, u), 'inhibit_on_failure'),
};

