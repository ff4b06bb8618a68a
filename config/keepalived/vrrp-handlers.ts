/**
 * keepalived's VRRP keywords (keepalived.conf(5): VRRP instance, script, sync group, track file, and
 * the global_defs VRRP defaults) translated into the model's `vrrp` section. Syntax is checked here;
 * values (ranges, addresses, cross-field rules) by the schema, at these lines.
 */
import type { ConfigPath } from '../raw-config.js';
import type { KaToken } from './lexer.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';
import { intArg, readWeight, setFlag, setInt, setSeconds, setText } from './handler-helpers.js';

const VRRP: ConfigPath = ['vrrp'];

/** `NAME {` opening a named entry of a model list; children are translated in its scope. */
function namedEntry(listPath: ConfigPath, usage: string): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 1, 1, usage)) return false;
    const name = statement.args[0];
    if (name === undefined) return false;
    const index = ctx.append(listPath, { name: name.text }, statement.loc);
    ctx.set([...listPath, index, 'name'], name.text, name.loc);
    return { childScope: [...listPath, index] };
  };
}

/** Handlers that write relative to the enclosing entry's scope. */
function inScope(fn: (path: ConfigPath) => (s: KaStatement, ctx: TranslateContext) => void, relative: ConfigPath): KeywordHandler {
  return (statement, ctx) => fn([...ctx.scope, ...relative])(statement, ctx);
}

const state: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'state MASTER|BACKUP')) return;
  const arg = statement.args[0];
  if (arg === undefined) return;
  const value = arg.text.toLowerCase();
  if (value !== 'master' && value !== 'backup') ctx.error(arg.loc, `state is MASTER or BACKUP, got "${arg.text}"`);
  else ctx.set([...ctx.scope, 'initialState'], value, arg.loc);
};

const version: KeywordHandler = (statement, ctx) => {
  const n = intArg(statement, ctx, 'version 2|3');
  if (n !== undefined) ctx.set([...ctx.scope, 'version'], n.value, n.at);
};

const unicastSource: KeywordHandler = (statement, ctx) => setText([...ctx.scope, 'unicast', 'source'], 'unicast_src_ip ADDRESS')(statement, ctx);

/** `unicast_peer { ADDRESS [min_ttl N] [max_ttl N] ... }`. */
const unicastPeer: KeywordHandler = (statement, ctx) => {
  for (const line of statement.block ?? []) {
    ctx.append([...ctx.scope, 'unicast', 'peers'], line.keyword, line.keywordToken.loc);
    if (line.args.length > 0) warnIgnored(ctx, line.args, 'unicast peer options');
  }
};

/** `virtual_ipaddress { ADDR[/LEN] [dev IF] [label L] [brd ..] [scope ..] [no_track] ... }`. */
function vipList(key: 'vips' | 'excludedVips'): KeywordHandler {
  return (statement, ctx) => {
    for (const line of statement.block ?? []) {
      const words = [line.keywordToken, ...line.args];
      const entry: Record<string, string> = { address: line.keyword };
      const ignored: KaToken[] = [];
      for (let i = 1; i < words.length; i++) {
        const w = words[i];
        const next = words[i + 1];
        if (w === undefined) continue;
        if ((w.text === 'dev' || w.text === 'label') && next !== undefined) {
          entry[w.text === 'dev' ? 'interface' : 'label'] = next.text;
          i++;
        } else if (['brd', 'broadcast', 'scope', 'preferred_lft', 'peer'].includes(w.text) && next !== undefined) {
          ignored.push(w, next);
          i++;
        } else {
          ignored.push(w);
        }
      }
      if (ignored.length > 0) warnIgnored(ctx, ignored, 'address options');
      const value = Object.keys(entry).length === 1 ? line.keyword : entry;
      ctx.append([...ctx.scope, key], value, line.keywordToken.loc);
    }
  };
}

const useVmac: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 4, 'use_vmac [NAME] [MAC]')) return;
  const [name, ...rest] = statement.args;
  ctx.set([...ctx.scope, 'virtualMac'], name === undefined ? true : { interface: name.text }, name?.loc ?? statement.loc);
  if (rest.length > 0) warnIgnored(ctx, rest, 'use_vmac options');
};

/** `track_interface { IF [weight N] [reverse] }`, `track_script { NAME ... }`, `track_file { NAME ... }`. */
function trackerList(key: 'trackInterfaces' | 'trackScripts' | 'trackFiles', field: 'interface' | 'script' | 'file'): KeywordHandler {
  return (statement, ctx) => {
    for (const line of statement.block ?? []) {
      const { weight, isReversed } = readWeight(line, ctx, 1);
      const entry = { [field]: line.keyword, ...(weight === undefined ? {} : { weight }), ...(isReversed ? { isReversed } : {}) };
      ctx.append([...ctx.scope, key], entry, line.keywordToken.loc);
    }
  };
}

/** `notify_master "CMD" [USER [GROUP]]`. */
function notify(key: 'master' | 'backup' | 'fault' | 'stop' | 'any'): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 1, 3, `${statement.keyword} "COMMAND" [USER [GROUP]]`)) return;
    const [command, ...user] = statement.args;
    if (command !== undefined) ctx.set([...ctx.scope, 'notify', key], command.text, command.loc);
    if (user.length > 0) warnIgnored(ctx, user, 'a per-script user (global.scripts.user applies)');
  };
}

/** `authentication { auth_type PASS|AH; auth_pass SECRET }`: handled as one block. */
const authentication: KeywordHandler = (statement, ctx) => {
  const lines = statement.block ?? [];
  const type = lines.find((l) => l.keyword === 'auth_type');
  const pass = lines.find((l) => l.keyword === 'auth_pass');
  for (const line of lines) {
    if (line.keyword !== 'auth_type' && line.keyword !== 'auth_pass') ctx.error(line.loc, `unexpected "${line.keyword}" in authentication`);
  }
  const typeText = type?.args[0]?.text.toUpperCase();
  if (typeText === 'AH') {
    ctx.warn(type?.loc ?? statement.loc, 'auth_type AH (IPsec AH) is not supported; ignored', 'unsupported-keyword');
    return false;
  }
  if (typeText !== 'PASS') {
    ctx.error(type?.loc ?? statement.loc, 'authentication needs "auth_type PASS" (or AH)');
    return false;
  }
  const secret = pass?.args[0];
  if (secret === undefined) {
    ctx.error(pass?.loc ?? statement.loc, 'authentication needs "auth_pass SECRET"');
    return false;
  }
  ctx.set([...ctx.scope, 'authentication'], { type: 'pass', password: secret.text }, secret.loc);
  return false; // both children are read here
};

/** `script "CMD"` (the command line as one string). */
const scriptCommand: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'script "COMMAND"')) return;
  const arg = statement.args[0];
  if (arg !== undefined) ctx.set([...ctx.scope, 'command'], arg.text, arg.loc);
};

const scriptWeight: KeywordHandler = (statement, ctx) => {
  const { weight, isReversed } = readWeight(statement, ctx, 0);
  if (weight !== undefined) ctx.set([...ctx.scope, 'weight'], weight, statement.loc);
  if (isReversed) ctx.set([...ctx.scope, 'isReversed'], true, statement.loc);
};

const scriptUser: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 2, 'user USER [GROUP]')) return;
  const [user, group] = statement.args;
  if (user !== undefined) ctx.set([...ctx.scope, 'user'], user.text, user.loc);
  if (group !== undefined) warnIgnored(ctx, [group], 'a script group');
};

/** `group { VI_1 VI_2 }` of a sync group: every word is a member. */
const groupMembers: KeywordHandler = (statement, ctx) => {
  for (const line of statement.block ?? []) {
    for (const word of [line.keywordToken, ...line.args]) ctx.append([...ctx.scope, 'members'], word.text, word.loc);
  }
};

/** `init_file [VALUE] [overwrite]`. */
const initFile: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 2, 'init_file [VALUE] [overwrite]')) return;
  const [value, ...rest] = statement.args;
  const n = value === undefined ? 0 : Number(value.text);
  if (value !== undefined && !/^-?\d{1,9}$/.test(value.text)) ctx.error(value.loc, `init_file takes a whole number, got "${value.text}"`);
  else ctx.set([...ctx.scope, 'initialValue'], n, value?.loc ?? statement.loc);
  if (rest.length > 0) warnIgnored(ctx, rest, 'init_file options');
};

function warnIgnored(ctx: TranslateContext, words: readonly KaToken[], what: string): void {
  const first = words[0];
  if (first !== undefined) ctx.warn(first.loc, `${what} "${words.map((w) => w.text).join(' ')}" not supported yet; ignored`, 'unsupported-keyword');
}

const GARP = (base: (ctx: TranslateContext) => ConfigPath) => ({
  masterDelay: (s: KaStatement, c: TranslateContext) => setSeconds([...base(c), 'garp', 'masterDelay'], `${s.keyword} SECONDS`)(s, c),
  masterRepeat: (s: KaStatement, c: TranslateContext) => setInt([...base(c), 'garp', 'masterRepeat'], `${s.keyword} N`)(s, c),
  masterRefresh: (s: KaStatement, c: TranslateContext) => setSeconds([...base(c), 'garp', 'masterRefresh'], `${s.keyword} SECONDS`)(s, c),
  masterRefreshRepeat: (s: KaStatement, c: TranslateContext) => setInt([...base(c), 'garp', 'masterRefreshRepeat'], `${s.keyword} N`)(s, c),
  lowerPrioDelay: (s: KaStatement, c: TranslateContext) => setSeconds([...base(c), 'garp', 'lowerPrioDelay'], `${s.keyword} SECONDS`)(s, c),
  lowerPrioRepeat: (s: KaStatement, c: TranslateContext) => setInt([...base(c), 'garp', 'lowerPrioRepeat'], `${s.keyword} N`)(s, c),
});

const instanceGarp = GARP((c) => c.scope);
const defaultGarp = GARP(() => [...VRRP, 'defaults']);

const NOTIFY_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  notify_master: notify('master'),
  notify_backup: notify('backup'),
  notify_fault: notify('fault'),
  notify_stop: notify('stop'),
  notify: notify('any'),
};

const TRACKER_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  track_interface: trackerList('trackInterfaces', 'interface'),
  track_script: trackerList('trackScripts', 'script'),
  track_file: trackerList('trackFiles', 'file'),
};

export const VRRP_INSTANCE_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  state,
  interface: inScope((p) => setText(p, 'interface NAME'), ['interface']),
  virtual_router_id: inScope((p) => setInt(p, 'virtual_router_id 1-255'), ['vrid']),
  priority: inScope((p) => setInt(p, 'priority 1-255'), ['priority']),
  advert_int: inScope((p) => setSeconds(p, 'advert_int SECONDS'), ['advertInterval']),
  version,
  preempt: inScope((p) => setFlag(p, true, 'preempt'), ['preempt']),
  nopreempt: inScope((p) => setFlag(p, false, 'nopreempt'), ['preempt']),
  preempt_delay: inScope((p) => setSeconds(p, 'preempt_delay SECONDS'), ['preemptDelay']),
  dont_track_primary: inScope((p) => setFlag(p, false, 'dont_track_primary'), ['isPrimaryTracked']),
  unicast_src_ip: unicastSource,
  unicast_peer: unicastPeer,
  virtual_ipaddress: vipList('vips'),
  virtual_ipaddress_excluded: vipList('excludedVips'),
  use_vmac: useVmac,
  garp_master_delay: instanceGarp.masterDelay,
  garp_master_repeat: instanceGarp.masterRepeat,
  garp_master_refresh: instanceGarp.masterRefresh,
  garp_master_refresh_repeat: instanceGarp.masterRefreshRepeat,
  garp_lower_prio_delay: instanceGarp.lowerPrioDelay,
  garp_lower_prio_repeat: instanceGarp.lowerPrioRepeat,
  authentication,
  ...NOTIFY_HANDLERS,
  ...TRACKER_HANDLERS,
};

export const VRRP_SCRIPT_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  script: scriptCommand,
  interval: inScope((p) => setSeconds(p, 'interval SECONDS'), ['interval']),
  timeout: inScope((p) => setSeconds(p, 'timeout SECONDS'), ['timeout']),
  weight: scriptWeight,
  rise: inScope((p) => setInt(p, 'rise N'), ['rise']),
  fall: inScope((p) => setInt(p, 'fall N'), ['fall']),
  user: scriptUser,
  init_fail: inScope((p) => setFlag(p, true, 'init_fail'), ['isInitiallyFailed']),
};

/** keepalived's deprecated spelling of sync_group_tracking_weight (vrrp_parser.c says so too). */
const globalTracking: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 0, 'global_tracking')) return;
  ctx.warn(statement.loc, 'global_tracking is deprecated (keepalived: "Use track_interface/script/file on the sync group"); read as sync_group_tracking_weight');
  ctx.set([...ctx.scope, 'isTrackingWeighted'], true, statement.loc);
};

export const SYNC_GROUP_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  group: groupMembers,
  sync_group_tracking_weight: inScope((p) => setFlag(p, true, 'sync_group_tracking_weight'), ['isTrackingWeighted']),
  global_tracking: globalTracking,
  ...NOTIFY_HANDLERS,
  ...TRACKER_HANDLERS,
};

export const TRACK_FILE_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  file: inScope((p) => setText(p, 'file PATH'), ['path']),
  weight: scriptWeight,
  init_file: initFile,
};

export const TOP_LEVEL_VRRP_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  vrrp_instance: namedEntry([...VRRP, 'instances'], 'vrrp_instance NAME { ... }'),
  vrrp_script: namedEntry([...VRRP, 'scripts'], 'vrrp_script NAME { ... }'),
  vrrp_sync_group: namedEntry([...VRRP, 'syncGroups'], 'vrrp_sync_group NAME { ... }'),
  track_file: namedEntry([...VRRP, 'trackFiles'], 'track_file NAME { ... }'),
  vrrp_track_file: namedEntry([...VRRP, 'trackFiles'], 'vrrp_track_file NAME { ... }'),
};

export const GLOBAL_DEFS_VRRP_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  vrrp_version: (s, c) => setInt([...VRRP, 'defaults', 'version'], 'vrrp_version 2|3')(s, c),
  vrrp_garp_master_delay: defaultGarp.masterDelay,
  vrrp_garp_master_repeat: defaultGarp.masterRepeat,
  vrrp_garp_master_refresh: defaultGarp.masterRefresh,
  vrrp_garp_master_refresh_repeat: defaultGarp.masterRefreshRepeat,
  vrrp_garp_lower_prio_delay: defaultGarp.lowerPrioDelay,
  vrrp_garp_lower_prio_repeat: defaultGarp.lowerPrioRepeat,
};

