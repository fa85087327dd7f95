// YAML syntax errors in plain words. The yaml library reports where its parser noticed a problem,
// in parser terms ("Nested mappings are not allowed in compact mappings"); a user needs the line of
// the mistake itself, the key it sits under and what to do ("quote the value").
import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Document,
  type LineCounter,
  type Node,
  type YAMLError,
} from 'yaml';

/** An issue of an input file, without the file: the 1-based line, the key path, the message. */
type Issue = { line: number | null; path: string; message: string };
type Ranged = Node & { range: [number, number, number] };

const hasRange = (n: unknown): n is Ranged => isCollection(n) || isScalar(n);

/**
 * Whether a node holds a source offset: a collection from its start on (an unclosed one has no
 * end), a scalar within its text, and an empty value (`sut:` with nothing after) always, since the
 * lines after it are read as under its key.
 */
function holds(node: unknown, offset: number): boolean {
  if (node === null || (isScalar(node) && node.value === null && node.source === '')) return true;
  if (!hasRange(node)) return false;
  return isCollection(node) ? node.range[0] <= offset : node.range[0] <= offset && offset < node.range[2];
}

/** The key path ("sut.accepted_commit", "steps[0].run") of the nearest key enclosing a source offset. */
export function pathAt(doc: Document, offset: number): (string | number)[] {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  while (isCollection(node)) {
    let next: readonly [unknown, string | number] | undefined;
    if (isMap(node)) {
      // A key at the offset is the mistake itself: it encloses nothing.
      if (node.items.some((p) => hasRange(p.key) && p.key.range[0] === offset)) break;
      const pair = node.items.filter((p) => hasRange(p.key) && p.key.range[0] < offset).at(-1);
      if (pair && isScalar(pair.key)) next = [pair.value, String(pair.key.value)];
    } else if (isSeq(node)) {
      const i = node.items.findLastIndex((item) => hasRange(item) && item.range[0] <= offset);
      if (i >= 0) next = [node.items[i], i];
    }
    if (!next || !holds(next[0], offset)) break;
    path.push(next[1]);
    node = next[0];
  }
  return path;
}

/** A key path as the user reads it: `steps[0].expect.stdout[1]`. */
export const keyPath = (path: readonly PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replaceAll('.[', '[');

/** The offset of the first ` #` (a YAML comment's start) between two offsets, if any. */
function commentStart(text: string, from: number, to: number): number | null {
  const m = /(?<=[ \t])#/.exec(text.slice(from, to));
  return m ? from + m.index : null;
}

/** The first (outermost) `[`/`{` collection starting before the offset that never closes. */
function unclosedFlow(doc: Document, text: string, offset: number): Ranged | null {
  let found: Ranged | null = null;
  visit(doc, {
    Collection: (_key, node) => {
      if (!node.flow || !hasRange(node) || node.range[0] >= offset) return undefined;
      const close = text[node.range[0]] === '[' ? ']' : '}';
      if (text[node.range[1] - 1] === close) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The quoted value whose closing quote is missing: it opens before the offset and runs past it. */
function unclosedQuote(doc: Document, offset: number): Ranged | null {
  let found: Ranged | null = null;
  visit(doc, {
    Scalar: (_key, node) => {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (quoted && node.range && node.range[0] < offset && offset <= node.range[2]) {
        found = node as Ranged;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The line on which the other key of a duplicate at `offset` is given. */
function firstOfDuplicate(doc: Document, counter: LineCounter, offset: number): { key: string; line: number } | null {
  let found: { key: string; line: number } | null = null;
  visit(doc, {
    Map: (_key, map) => {
      const dup = map.items.find((p) => hasRange(p.key) && p.key.range[0] === offset);
      if (!dup || !isScalar(dup.key)) return undefined;
      const key = dup.key.value;
      const first = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key && p !== dup);
      const line = first && hasRange(first.key) ? counter.linePos(first.key.range[0]).line : 0;
      found = { key: String(key), line };
      return visit.BREAK;
    },
  });
  return found;
}

/** The library's messages that need no more than a plain sentence, at the place the library gives. */
const PLAIN: readonly [code: string, library: RegExp, plain: string][] = [
  ['TAB_AS_INDENT', /./, 'a tab indents this line, and YAML indents with spaces only: replace the tab with spaces'],
  [
    'BAD_INDENT',
    /^All mapping items must start at the same column/,
    'this key is indented differently from the keys above it: indent it like the keys it belongs with',
  ],
  [
    'BAD_INDENT',
    /^All sequence items must start at the same column/,
    'this `- ` item is indented differently from the items above it: indent it like them',
  ],
  [
    'MISSING_CHAR',
    /^Implicit map keys need to be followed by map values/,
    'this line is neither `key: value` nor a `- ` item: add `: ` after the key, or indent the line as part of the value above',
  ],
  [
    'MULTILINE_IMPLICIT_KEY',
    /./,
    'this key is not followed by `: ` (a colon and a space) on its line: write `key: value`',
  ],
];

/** A plain value holding `: `: the library points at the value's start; its `: ` may be on a later line. */
function nestedKeyMessage(text: string, offset: number, line: (offset: number) => number): string {
  const colon = /:(?=[ \t\r\n]|$)/.exec(text.slice(offset));
  const colonLine = colon ? line(offset + colon.index) : line(offset);
  return colonLine === line(offset)
    ? 'this value holds `: ` (a colon and a space), which YAML reads as a nested key: quote the value (\'...\' or "...")'
    : `this value goes on to line ${colonLine}, whose \`: \` YAML reads as a nested key: if line ${colonLine} is a key of its own, indent it like the keys above; if it belongs to the value, quote the value`;
}

/** An unclosed `[`/`{` or quote, which the library notices lines later: placed where it opens. */
function unclosedIssue(doc: Document, text: string, offset: number, original: string, at: At): Issue | null {
  if (/^Flow (sequence|map) in block collection/.test(original)) {
    const flow = unclosedFlow(doc, text, offset);
    if (!flow) return null;
    const [open, close, what] = text[flow.range[0]] === '[' ? ['[', ']', 'list'] : ['{', '}', 'mapping'];
    const hash = commentStart(text, flow.range[0], offset);
    const hint =
      hash === null
        ? ''
        : `; the \` #\` on line ${at.line(hash)} starts a comment, which hides the rest of that line: quote the value holding \`#\``;
    return at(
      flow.range[0],
      `the ${what} opened with \`${open}\` here is never closed: end it with \`${close}\`${hint}`,
    );
  }
  if (/^Missing closing .?quote/.test(original)) {
    const quoted = unclosedQuote(doc, offset);
    const quote = quoted ? text[quoted.range[0]]! : original.includes('"') ? '"' : "'";
    return at(
      quoted?.range[0] ?? offset,
      `the value opened with \`${quote}\` here is never closed: end it with \`${quote}\``,
    );
  }
  return null;
}

type At = ((offset: number, message: string) => Issue) & { line: (offset: number) => number };

/** One parse error of the library, as the place of the mistake and a plain message saying what to do. */
function plainIssue(err: YAMLError, doc: Document, text: string, counter: LineCounter): Issue {
  const line = (offset: number) => counter.linePos(offset).line;
  const at: At = Object.assign(
    (offset: number, message: string): Issue => ({ line: line(offset), path: keyPath(pathAt(doc, offset)), message }),
    { line },
  );
  const offset = err.pos[0];
  const original = err.message.split('\n')[0]!;
  if (err.code === 'DUPLICATE_KEY') {
    const dup = firstOfDuplicate(doc, counter, offset);
    const path = keyPath([...pathAt(doc, offset), ...(dup ? [dup.key] : [])]);
    const first = dup?.line ? ` (first on line ${dup.line})` : '';
    const key = dup ? `the key \`${dup.key}\`` : 'this key';
    return { line: line(offset), path, message: `${key} is given twice in the same mapping${first}: keep one` };
  }
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' && original.startsWith('Nested mappings'))
    return at(offset, nestedKeyMessage(text, offset, line));
  if (err.code === 'BAD_SCALAR_START') {
    const char = /cannot start with (?:reserved character )?(.+)$/.exec(original)?.[1] ?? '';
    return at(offset, `an unquoted value cannot start with \`${char}\`: quote the value`);
  }
  const unclosed = unclosedIssue(doc, text, offset, original, at);
  if (unclosed) return unclosed;
  const plain = PLAIN.find(([code, library]) => code === err.code && library.test(original));
  return at(
    offset,
    plain?.[2] ??
      `this is not valid YAML (${original}): check the indentation, and quote a value holding \`: \` or \` #\``,
  );
}

/**
 * The parse errors of a document as plain issues, one a line, in line order. A tab in the
 * indentation throws the rest of the parse off, so when there is one, only the tabs are reported.
 */
export function yamlSyntaxIssues(doc: Document, text: string, counter: LineCounter): Issue[] {
  const tabs = doc.errors.filter((e) => e.code === 'TAB_AS_INDENT');
  const issues = (tabs.length > 0 ? tabs : doc.errors).map((e) => plainIssue(e, doc, text, counter));
  const byLine = new Map<number | null, Issue>();
  for (const issue of issues) if (!byLine.has(issue.line)) byLine.set(issue.line, issue);
  return [...byLine.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/**
 * For a value that failed validation: when an unquoted value is followed by ` #` on its line, a
 * hint that YAML read the rest as a comment (`command: echo #1` reads as `echo`).
 */
export function commentHint(node: unknown, text: string): string {
  if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return '';
  const end = node.range[1];
  const eol = text.indexOf('\n', end);
  const hash = commentStart(text, end - 1 < 0 ? 0 : end - 1, eol < 0 ? text.length : eol);
  return hash === null
    ? ''
    : ' (the ` #` on this line starts a YAML comment, so the value ends before it: quote the value if `#` belongs to it)';
}
