// Reading a YAML input and validating it with its zod schema. Every error names the file, the
// line and the key path ("rehearse.yaml:12: sut.accepted_commit: ..."), so a user can go to it.
import {
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readTextInput } from './text-file.js';
import { commentHint, keyPath, yamlSyntaxIssues } from './yaml-syntax.js';

export interface YamlIssue {
  file: string;
  line: number | null;
  path: string;
  message: string;
}

/** A usage error listing every issue of an input file, each with its file, line and key path. */
export class InputFileError extends UsageError {
  constructor(readonly issues: readonly YamlIssue[]) {
    super(
      issues
        .map((i) => `${i.file}${i.line ? `:${i.line}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
        .join('\n'),
    );
  }
}

/** The 1-based line of the node at `path` in the document, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
    if (n === 0 && doc.contents && 'range' in doc.contents && doc.contents.range)
      return counter.linePos(doc.contents.range[0]).line;
  }
  return null;
}

export type ExtraCheck = (value: unknown) => { path: (string | number)[]; message: string }[];

/** Parse YAML text and validate it; on failure throw InputFileError with line numbers. */
export function parseYaml<T extends z.ZodType>(text: string, file: string, schema: T, extra?: ExtraCheck): z.infer<T> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputFileError(yamlSyntaxIssues(doc, text, counter).map((i) => ({ file, ...i })));
  }
  const bomb = aliasExpansionIssue(doc, counter);
  if (bomb) throw new InputFileError([{ file, ...bomb }]);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // The YAML library's own guard (maxAliasCount), or an alias it cannot resolve.
    const first = firstAliasLine(doc, counter);
    throw new InputFileError([
      {
        file,
        line: first,
        path: '',
        message: `YAML aliases refused: ${err instanceof Error ? err.message : String(err)}`,
      },
    ]);
  }
  const result = schema.safeParse(value);
  // An unknown key is reported at that key, not at the object holding it.
  const zodIssues = result.success
    ? []
    : result.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path, k], message: `unknown key \`${k}\`` }))
          : [{ path: i.path, message: i.message + commentHint(doc.getIn(i.path, true), text) }],
      );
  const issues = [...(extra?.(value) ?? []), ...zodIssues];
  if (issues.length > 0 || !result.success) {
    throw new InputFileError(
      issues.map((i) => ({ file, line: lineOf(doc, counter, i.path), path: keyPath(i.path), message: i.message })),
    );
  }
  return result.data;
}

/** The 1-based line of a key path in YAML text (or of its nearest parent), for issues found after validation. */
export function lineOfPath(text: string, path: readonly PropertyKey[]): number | null {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return lineOf(doc, counter, path);
}

/** Read and validate a YAML file; a missing, unreadable, non-regular or non-UTF-8 file is a usage error naming it. */
export async function loadYaml<T extends z.ZodType>(
  file: string,
  schema: T,
  what: string,
  extra?: ExtraCheck,
): Promise<z.infer<T>> {
  return parseYaml(await readTextInput(file, what), file, schema, extra);
}

/** Values that aliases may add to a document, all aliases together: far more than any rehearsal input needs, far less than a "billion laughs" document asks for. */
export const MAX_ALIAS_EXPANSION = 10_000;

/**
 * The alias at which the values aliases add to the document pass MAX_ALIAS_EXPANSION (or an alias
 * inside its own anchor), in document order; null when the document stays within it. Sizes are
 * counted without expanding anything, so a hostile document costs no more than its own length.
 */
export function aliasExpansionIssue(doc: Document, counter: LineCounter): Omit<YamlIssue, 'file'> | null {
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let cyclic = false;
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) return sizeOf(node.resolve(doc));
    if (isPair(node)) return sizeOf(node.key) + sizeOf(node.value);
    if (!isCollection(node)) return isScalar(node) ? 1 : 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) {
      cyclic = true;
      return MAX_ALIAS_EXPANSION + 1;
    }
    open.add(node);
    let n = 1;
    for (const item of node.items) n = Math.min(n + sizeOf(item), Number.MAX_SAFE_INTEGER);
    open.delete(node);
    sizes.set(node, n);
    return n;
  };
  let total = 0;
  let aliases = 0;
  let issue: Omit<YamlIssue, 'file'> | null = null;
  visit(doc, {
    Alias: (_key, node, path) => {
      aliases++;
      total += sizeOf(node);
      if (issue === null && (cyclic || total > MAX_ALIAS_EXPANSION)) {
        const keys = path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : '?'));
        issue = {
          line: node.range ? counter.linePos(node.range[0]).line : null,
          path: keys.join('.'),
          message: cyclic
            ? `the YAML alias *${node.source} refers to its own anchor: refused`
            : `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION} values by here (alias *${node.source}, alias ${aliases} of the file): refused as a guard against resource exhaustion; write the values out instead of nesting aliases`,
        };
      }
      if (issue !== null) return visit.BREAK;
      return undefined;
    },
  });
  return issue;
}

function firstAliasLine(doc: Document, counter: LineCounter): number | null {
  let line: number | null = null;
  visit(doc, {
    Alias: (_key, node) => {
      line = node.range ? counter.linePos(node.range[0]).line : null;
      return visit.BREAK;
    },
  });
  return line;
}
