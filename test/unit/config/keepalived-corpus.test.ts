/**
 * Real keepalived configurations: the samples shipped by Debian's keepalived package (GPL, so they
 * are read from the installed package, never copied into this repository).
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { createFsSourceReader } from '../../../config/keepalived/fs-source-reader.js';
import { looksLikeKeepalived, parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { validateConfig } from '../../../config/validate.js';
import { parseYamlConfig } from '../../../config/yaml-source.js';
import { stringify } from 'yaml';
import { KEEPALIVED_SAMPLES, requirePrereqs } from '../../support/prereqs.js';

const SAMPLES = '/usr/share/doc/keepalived/samples';

// Fails on CI and is skipped elsewhere when the samples are missing, naming the package to install.
const gate = requirePrereqs([KEEPALIVED_SAMPLES]);
{
  const files = gate.isSatisfied ? readdirSync(SAMPLES).filter((f) => f.startsWith('keepalived.conf.')).sort() : [];

  gate.test('the corpus holds keepalived.conf samples', (t) => {
    t.true(files.length >= 10, `only ${files.length} samples in ${SAMPLES}`);
  });

  for (const name of files) {
    test(`corpus ${name}: detected, read and validated with every issue located`, (t) => {
      const file = `${SAMPLES}/${name}`;
      const text = readFileSync(file, 'utf8');
      t.true(looksLikeKeepalived(text), 'detected as keepalived.conf');
      const raw = parseKeepalivedConfig(text, file, createFsSourceReader());
      const result = validateConfig(raw);
      for (const issue of result.issues) {
        t.true(issue.line >= 1 && issue.column >= 1, `issue without a line: ${JSON.stringify(issue)}`);
        t.true(issue.message.length > 0);
        t.is(issue.file, file);
      }
      t.deepEqual(
        result.issues.filter((i) => i.code === 'syntax'),
        [],
        'keepalived accepts its own samples, so must the reader',
      );
      // The one known fault in the samples: keepalived.conf.vrrp.lvs_syncd lists its sync group's
      // instances without "group { }", which keepalived itself reports as unknown keywords.
      t.deepEqual(
        result.issues.filter((i) => i.code === 'unknown-keyword' && !/^vrrp_sync_group\.VI_\d+$/.test(i.path)),
        [],
      );
      if (result.config === undefined) {
        t.true(result.issues.some((i) => i.severity === 'error'), 'rejected, so at least one error says why');
      } else {
        t.false(result.issues.some((i) => i.severity === 'error'));
        // `lvsd config import` is lossless for what it translates: its YAML validates to the same model.
        const yaml = stringify(raw.data, { lineWidth: 0 });
        const again = validateConfig(parseYamlConfig(yaml, 'imported.yaml'));
        t.deepEqual(again.issues.filter((i) => i.severity === 'error'), []);
        t.deepEqual(again.config, result.config);
      }
      t.log(`${result.config === undefined ? 'rejected' : 'accepted'}, ${result.issues.filter((i) => i.severity === 'warning').length} warnings, ${result.issues.filter((i) => i.severity === 'error').length} errors`);
    });
  }
}
