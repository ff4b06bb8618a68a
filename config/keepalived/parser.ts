/**
 * Tokens to statements: `keyword args... [{ statements }]`. A statement ends at the end of its line,
 * or at a `{` or `}`; its block may open on the same line or on the next one, as keepalived allows.
 * Knows no keywords (that is keywords.ts). Iterative, so nesting depth cannot overflow the stack;
 * never throws; unbalanced braces are `syntax` errors with the line of the offending brace.
 */
import type { ConfigIssue, SourceLocation } from '../issues.js';
import type { KaToken } from './lexer.js';

export interface KaStatement {
  readonly keyword: string;
  readonly keywordToken: KaToken;
  readonly args: readonly KaToken[];
  /** Present when a `{ ... }` block followed the statement. */
  readonly block?: readonly KaStatement[];
  /** Where the keyword was written. */
  readonly loc: SourceLocation;
}

export interface ParseResult {
  readonly statements: readonly KaStatement[];
  readonly issues: readonly ConfigIssue[];
}

interface MutableStatement {
  keyword: string;
  keywordToken: KaToken;
  args: KaToken[];
  block?: MutableStatement[];
  loc: SourceLocation;
}

interface Frame {
  readonly list: MutableStatement[];
  readonly open: KaToken;
}

export function parseKeepalivedTokens(tokens: readonly KaToken[]): ParseResult {
  const issues: ConfigIssue[] = [];
  const root: MutableStatement[] = [];
  const stack: Frame[] = [];
  let words: KaToken[] = [];
  /** A statement ended by a line end; a `{` arriving next (after blank lines) opens its block. */
  let awaitingBlock: MutableStatement | undefined;

  const currentList = (): MutableStatement[] => stack[stack.length - 1]?.list ?? root;
  const error = (at: KaToken, message: string): void => {
    issues.push({ ...at.loc, path: '', code: 'syntax', severity: 'error', message });
  };
  const flush = (): MutableStatement | undefined => {
    const [first, ...args] = words;
    words = [];
    if (first === undefined) return undefined;
    const statement: MutableStatement = { keyword: first.text, keywordToken: first, args, loc: first.loc };
    currentList().push(statement);
    return statement;
  };

  for (const token of tokens) {
    switch (token.kind) {
      case 'word':
        words.push(token);
        awaitingBlock = undefined;
        break;
      case 'eol': {
        const ended = flush();
        if (ended !== undefined) awaitingBlock = ended;
        break;
      }
      case 'open': {
        const owner = flush() ?? awaitingBlock;
        awaitingBlock = undefined;
        if (owner === undefined) {
          error(token, 'a "{" without a keyword before it');
          // Its contents still belong to the enclosing block, so later lines keep their meaning.
          stack.push({ list: currentList(), open: token });
        } else {
          owner.block = [];
          stack.push({ list: owner.block, open: token });
        }
        break;
      }
      case 'close':
        flush();
        awaitingBlock = undefined;
        if (stack.pop() === undefined) error(token, 'a "}" that closes no block');
        break;
    }
  }
  flush();
  for (const frame of stack) error(frame.open, 'this "{" is never closed');
  return { statements: root, issues };
}
