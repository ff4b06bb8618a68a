/**
 * `global_defs` keywords that map onto the native model's `global` section (keepalived.conf(5),
 * "Global definitions"). Values are passed on as written; the schema judges them, so an invalid
 * router_id is reported by validation at the router_id line. Only keepalived's own syntax (argument
 * counts, numbers, units) is checked here.
 */
import type { ConfigPath } from '../raw-config.js';
import type { KaStatement } from './parser.js';
import { expectArgs, type KeywordHandler, type TranslateContext } from './translate-context.js';

const NOTIFICATION = ['global', 'notification'] as const;
const SCRIPTS = ['global', 'scripts'] as const;

/** `KEYWORD VALUE` copied to one model path. */
function singleValue(path: ConfigPath, usage: string): KeywordHandler {
  return (statement, ctx) => {
    if (!expectArgs(statement, ctx, 1, 1, usage)) return;
    const value = statement.args[0];
    if (value !== undefined) ctx.set(path, value.text, value.loc);
  };
}

/** `global_defs { ... }` itself: the native model's `global` section starts here. */
export const globalDefsHandler: KeywordHandler = (statement, ctx) => {
  if (statement.args.length > 0) ctx.error(statement.args[0]?.loc ?? statement.loc, '"global_defs" takes no values before its "{"');
  ctx.mark(['global'], statement.loc);
};

/** `notification_email { ADDRESS ... }`: every word of the block is an address; blocks add up, as in keepalived. */
const notificationEmail: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 0, 0, 'notification_email { ADDRESS ... }')) return;
  ctx.mark([...NOTIFICATION, 'email'], statement.loc);
  for (const line of statement.block ?? []) {
    if (line.block !== undefined) ctx.error(line.loc, '"notification_email" holds mail addresses only, not blocks');
    for (const word of [line.keywordToken, ...line.args]) ctx.append([...NOTIFICATION, 'email'], word.text, word.loc);
  }
};

/** `smtp_server ADDRESS [PORT]`. */
const smtpServer: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 2, 'smtp_server ADDRESS [PORT]')) return;
  const [server, port] = statement.args;
  if (port !== undefined && !/^\d{1,10}$/.test(port.text)) {
    ctx.error(port.loc, `smtp_server port must be a number, got "${port.text}"`);
    return;
  }
  if (server !== undefined) ctx.set([...NOTIFICATION, 'smtpServer'], server.text, server.loc);
  if (port !== undefined) ctx.set([...NOTIFICATION, 'smtpPort'], Number(port.text), port.loc);
};

/** `smtp_connect_timeout SECONDS`: keepalived counts seconds; the model takes a duration with its unit. */
const smtpConnectTimeout: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 1, 'smtp_connect_timeout SECONDS')) return;
  const value = statement.args[0];
  if (value === undefined) return;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(value.text)) {
    ctx.error(value.loc, `smtp_connect_timeout takes a number of seconds, got "${value.text}"`);
    return;
  }
  ctx.set([...NOTIFICATION, 'smtpConnectTimeout'], `${Number(value.text)}s`, value.loc);
};

/** `script_user USER [GROUP]`. */
const scriptUser: KeywordHandler = (statement, ctx) => {
  if (!expectArgs(statement, ctx, 1, 2, 'script_user USER [GROUP]')) return;
  const [user, group] = statement.args;
  if (user !== undefined) ctx.set([...SCRIPTS, 'user'], user.text, user.loc);
  if (group !== undefined) ctx.set([...SCRIPTS, 'group'], group.text, group.loc);
};

/** `enable_script_security` (a flag without a value). */
const enableScriptSecurity: KeywordHandler = (statement: KaStatement, ctx: TranslateContext) => {
  if (!expectArgs(statement, ctx, 0, 0, 'enable_script_security')) return;
  ctx.set([...SCRIPTS, 'isSecurityEnforced'], true, statement.loc);
};

/** Handlers by keyword, for the statements inside `global_defs`. */
export const GLOBAL_DEFS_HANDLERS: Readonly<Record<string, KeywordHandler>> = {
  router_id: singleValue(['global', 'routerId'], 'router_id NAME'),
  notification_email: notificationEmail,
  notification_email_from: singleValue([...NOTIFICATION, 'from'], 'notification_email_from ADDRESS'),
  smtp_server: smtpServer,
  smtp_helo_name: singleValue([...NOTIFICATION, 'smtpHeloName'], 'smtp_helo_name NAME'),
  smtp_connect_timeout: smtpConnectTimeout,
  script_user: scriptUser,
  enable_script_security: enableScriptSecurity,
};
