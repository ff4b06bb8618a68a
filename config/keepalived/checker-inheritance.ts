/**
 * keepalived's inheritance of checker settings (check_parser.c, check_data.c `validate_check_config`):
 * `retry`, `delay_before_retry`, `connect_timeout`, `delay_loop`, `warmup` and `alpha` written on a
 * real server, or on its service, apply to that real server's checkers that do not set them; the real
 * server's value wins over the service's, a checker's own over both, and keepalived's per-checker
 * default applies last. keepalived resolves this once the whole file is read, so the order of the
 * lines does not matter: a value given after the checkers still reaches them (they are updated when
 * it is read).
 * (The service's `delay_loop`, `warmup` and `alpha` are the service's healthCheckDefaults, which every
 * check without its own value takes: see checker-handlers.ts.)
 * `warmup`: keepalived starts each checker at a random moment within it (check_api.c
 * `register_checkers_thread`); unset, keepalived uses the checker's delay_loop, lvsd its
 * delay_before_retry (fastInterval), so that a first round completes soon after start.
 */
import type { ConfigPath } from '../raw-config.js';
import type { SourceLocation } from '../issues.js';
import type { KaStatement } from './parser.js';
import { boolArg, intArg, secondsToDuration } from './handler-helpers.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';

const INHERITED_FIELDS = ['fall', 'fastInterval', 'timeout', 'interval', 'warmup', 'isAlpha'] as const;
export type InheritedField = (typeof INHERITED_FIELDS)[number];
type Level = 'realServer' | 'virtualServer';
interface Inherited {
  readonly value: unknown;
  readonly at: SourceLocation;
}

/** Per translation (keyed by its root model object): scope path -> the fields given there. */
const stores = new WeakMap<object, Map<string, Partial<Record<InheritedField, Inherited>>>>();

function storeOf(ctx: TranslateContext): Map<string, Partial<Record<InheritedField, Inherited>>> {
  const root = ctx.get([]) as object;
  let store = stores.get(root);
  if (store === undefined) {
    store = new Map();
    stores.set(root, store);
  }
  return store;
}

const keyOf = (scope: ConfigPath): string => JSON.stringify(scope);

/**
 * A checker's inherited fields (from its real server at `realServerScope`, then that real server's
 * service), as defaults: call it when the checker is created and again when an inherited value arrives.
 */
export function applyInherited(ctx: TranslateContext, realServerScope: ConfigPath, checkPath: ConfigPath, checkType: string): void {
  const store = storeOf(ctx);
  const fromRs = store.get(keyOf(realServerScope)) ?? {};
  const fromVs = store.get(keyOf(realServerScope.slice(0, -2))) ?? {};
  for (const field of INHERITED_FIELDS) {
    // FILE_CHECK keeps its own short interval; keepalived starts it at once (it watches the file).
    if ((field === 'interval' || field === 'warmup') && checkType === 'file') continue;
    const inherited = fromRs[field] ?? fromVs[field];
    if (inherited !== undefined) ctx.inheritDefault([...checkPath, field], inherited.value, inherited.at);
  }
}

/** The checkers under a real server, or under every real server of a service. */
function checkersUnder(ctx: TranslateContext, level: Level): { rsScope: ConfigPath; checkPath: ConfigPath; type: string }[] {
  const realServers: ConfigPath[] =
    level === 'realServer'
      ? [ctx.scope]
      : (Array.isArray(ctx.get([...ctx.scope, 'realServers'])) ? (ctx.get([...ctx.scope, 'realServers']) as unknown[]) : []).map((_, i) => [...ctx.scope, 'realServers', i]);
  const out: { rsScope: ConfigPath; checkPath: ConfigPath; type: string }[] = [];
  for (const rsScope of realServers) {
    const checks = ctx.get([...rsScope, 'healthChecks']);
    if (!Array.isArray(checks)) continue;
    checks.forEach((c: unknown, i) => {
      const type = typeof c === 'object' && c !== null && typeof (c as { type?: unknown }).type === 'string' ? (c as { type: string }).type : '';
      out.push({ rsScope, checkPath: [...rsScope, 'healthChecks', i], type });
    });
  }
  return out;
}

function inherit(level: Level, field: InheritedField, read: (statement: KaStatement, ctx: TranslateContext) => Inherited | undefined): KeywordHandler {
  return (statement, ctx) => {
    const inherited = read(statement, ctx);
    if (inherited === undefined) return;
    const store = storeOf(ctx);
    const key = keyOf(ctx.scope);
    store.set(key, { ...store.get(key), [field]: inherited });
    for (const c of checkersUnder(ctx, level)) applyInherited(ctx, c.rsScope, c.checkPath, c.type);
  };
}

const readRetry = (statement: KaStatement, ctx: TranslateContext): Inherited | undefined => {
  const n = intArg(statement, ctx, `${statement.keyword} N`);
  return n === undefined ? undefined : { value: n.value + 1, at: n.at };
};

const readSeconds = (statement: KaStatement, ctx: TranslateContext): Inherited | undefined => {
  if (!expectArgs(statement, ctx, 1, 1, `${statement.keyword} SECONDS`)) return undefined;
  const arg = statement.args[0];
  if (arg === undefined) return undefined;
  const d = secondsToDuration(arg.text);
  if (d === undefined) {
    ctx.error(arg.loc, `"${statement.keyword}" takes a number of seconds, got "${arg.text}"`);
    return undefined;
  }
  return { value: d, at: arg.loc };
};

const readAlpha = (statement: KaStatement, ctx: TranslateContext): Inherited | undefined => {
  const on = boolArg(statement, ctx, 'alpha [true|false]');
  return on === undefined ? undefined : { value: on.value, at: on.at };
};

/** The inheritable timing keywords at one level. */
export function inheritedTimingHandlers(level: Level): Readonly<Record<string, KeywordHandler>> {
  return {
    retry: inherit(level, 'fall', readRetry),
    nb_get_retry: inherit(level, 'fall', readRetry),
    delay_before_retry: inherit(level, 'fastInterval', readSeconds),
    connect_timeout: inherit(level, 'timeout', readSeconds),
    // On the service, delay_loop, warmup and alpha are its healthCheckDefaults (checker-handlers.ts).
    ...(level === 'realServer' ? { delay_loop: inherit(level, 'interval', readSeconds), warmup: inherit(level, 'warmup', readSeconds), alpha: inherit(level, 'isAlpha', readAlpha) } : {}),
  };
}
