/**
 * Cross-field rules (STYLE 9): checks that one key's schema cannot express alone. Pure.
 * Each later feature adds its rules here, next to the schema.
 */
import type { RuleFinding } from './rule-finding.js';
import type { LvsdConfig } from './schema.js';
import { checkVrrpRules } from './rules-vrrp.js';
import { checkIpvsRules } from './rules-ipvs.js';

export type { RuleFinding };

export function checkCrossFieldRules(config: LvsdConfig): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const mail = config.global.notification;
  if (mail.email.length > 0 && mail.smtpServer === undefined) {
    findings.push({
      path: ['global', 'notification', 'email'],
      code: 'conflict',
      severity: 'warning',
      message: 'notification addresses are set but no smtpServer: no mail will be sent',
    });
  }
  if (mail.email.length > 0 && mail.from === undefined) {
    findings.push({
      path: ['global', 'notification', 'email'],
      code: 'conflict',
      severity: 'warning',
      message: 'notification addresses are set but no "from" address: mail goes out as root@<router id>',
    });
  }
  if (config.global.scripts.group !== undefined && config.global.scripts.user === undefined) {
    findings.push({
      path: ['global', 'scripts', 'group'],
      code: 'conflict',
      severity: 'error',
      message: 'a script group needs a script user',
    });
  }
  if (config.log.file !== undefined && config.log.file === config.daemon.pidFile) {
    findings.push({ path: ['log', 'file'], code: 'conflict', severity: 'error', message: 'log file and pid file are the same path' });
  }
  findings.push(...checkVrrpRules(config.vrrp), ...checkIpvsRules(config.ipvs));
  return findings;
}
