/** What a cross-field rule reports: the model path to change, and why. */
import type { ConfigIssueCode, ConfigIssueSeverity } from './issues.js';
import type { ConfigPath } from './raw-config.js';

export interface RuleFinding {
  readonly path: ConfigPath;
  readonly code: ConfigIssueCode;
  readonly severity: ConfigIssueSeverity;
  readonly message: string;
}
