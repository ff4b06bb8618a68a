import test from 'ava';
import fc from 'fast-check';
import type { ConfigIssue } from '../../../config/issues.js';
import { parseKeepalivedConfig } from '../../../config/keepalived/keepalived-source.js';
import { lexKeepalived, type KaToken } from '../../../config/keepalived/lexer.js';
import { createMemorySourceReader } from '../../../config/keepalived/memory-source-reader.js';
import { parseKeepalivedTokens } from '../../../config/keepalived/parser.js';
import { translateKeepalived } from '../../../config/keepalived/translate.js';
import { validateConfig } from '../../../config/validate.js';

const MAIN = '/k/keepalived.conf';
const reader = createMemorySourceReader({
  '/k/a.conf': 'include b.conf\nrouter_id "x\n',
  '/k/b.conf': '$D=${D}\nvrrp_instance {\n@^x include a.conf\n',
  '/k/conf.d/1.conf': 'global_defs { smtp_server h 99999 }\n',
});

/** Fragments of keepalived syntax, so that random input reaches the interesting paths. */
const fragment = fc.constantFrom(
  '{', '}', '"', "'", '\\', '#', '!', '$', '${', '@', '@^', '@x ', '~SEQ(A,1,3) ', '~LST', '=', ' ', '\t', '\n', '\n', '\r\n',
  'a', 'X_1', '$X=', '$D', '${_PWD}', '${_RANDOM}', '\\x41', '\\c', 'include ', 'a.conf', 'conf.d/*.conf', '{1,2}', '[a-', 'b.conf',
  'global_defs', 'router_id', 'notification_email', 'smtp_server', ' 25', 'smtp_connect_timeout', 'script_user', 'enable_script_security',
  'vrrp_instance', 'virtual_server', 'real_server', 'HTTP_GET', 'url', 'virtual_ipaddress', 'ops@example.com', '10.0.0.1',
);
const keepalivedish = fc.array(fragment, { maxLength: 120 }).map((parts) => parts.join(''));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  keepalivedish,
);

const isLocated = (i: ConfigIssue): boolean => i.line >= 1 && i.column >= 1 && i.message.length > 0 && i.file.length > 0;
const isTokenLocated = (k: KaToken): boolean => k.loc.line >= 1 && k.loc.column >= 1;

test('lexer: any text gives tokens and issues that all have a line and column', (t) => {
  t.notThrows(() => {
    fc.assert(
      fc.property(anyText, fc.option(fc.constantFrom('x', 'main')), (text, configId) => {
        const r = lexKeepalived(text, MAIN, reader, configId === null ? {} : { configId });
        return r.issues.every(isLocated) && r.tokens.every(isTokenLocated);
      }),
      { numRuns: 600 },
    );
  });
});

test('parser: any token stream from any text gives statements, and every issue has a line', (t) => {
  t.notThrows(() => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseKeepalivedTokens(lexKeepalived(text, MAIN, reader).tokens);
        return r.issues.every((i) => isLocated(i) && i.code === 'syntax');
      }),
      { numRuns: 600 },
    );
  });
});

test('translate and validate: any text gives a located issue list, and a config only when no issue is an error', (t) => {
  t.notThrows(() => {
    fc.assert(
      fc.property(anyText, (text) => {
        const raw = parseKeepalivedConfig(text, MAIN, reader);
        const direct = translateKeepalived(parseKeepalivedTokens(lexKeepalived(text, MAIN, reader).tokens).statements, MAIN);
        const result = validateConfig(raw);
        const hasError = result.issues.some((i) => i.severity === 'error');
        return raw.issues.every(isLocated) && direct.issues.every(isLocated) && result.issues.every(isLocated) && hasError === (result.config === undefined);
      }),
      { numRuns: 400 },
    );
  });
});

/** Words keepalived reads as they are written: no quotes, escapes, comments, braces or parameters. */
const plainWord = fc.string({ unit: fc.constantFrom(...'abcxyzABC019._-/:@,%'.split('')), minLength: 1, maxLength: 12 }).filter((w) => !w.startsWith('@'));

test('lexer: plain words separated by blanks come back as they were written', (t) => {
  t.notThrows(() => {
    fc.assert(
      fc.property(fc.array(fc.array(plainWord, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (lines) => {
        const text = lines.map((words) => words.join(' \t ')).join('\n');
        const words = lexKeepalived(text, MAIN, reader).tokens.filter((k) => k.kind === 'word').map((k) => k.text);
        return JSON.stringify(words) === JSON.stringify(lines.flat());
      }),
    );
  });
});

test('lexer: any printable string, double-quoted with \\ and " escaped, is one word equal to the string', (t) => {
  const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }).filter((s) => !s.includes('$'));
  t.notThrows(() => {
    fc.assert(
      fc.property(printable, (s) => {
        const quoted = `"${s.replace(/[\\"]/g, '\\$&')}"`;
        const r = lexKeepalived(`key ${quoted}\n`, MAIN, reader);
        const words = r.tokens.filter((k) => k.kind === 'word').map((k) => k.text);
        return r.issues.length === 0 && words.length === 2 && words[1] === s;
      }),
    );
  });
});
