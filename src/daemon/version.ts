/** The lvsd version, kept in step with package.json's. */
export const LVSD_VERSION = '0.1.0';
